using Rsm.Providers.Fabric.Interop;
using static Rsm.Providers.Fabric.Tests.FabricTestSupport;

namespace Rsm.Providers.Fabric.Tests;

/// <summary>The library loading, the version requested, the error texts and the failure of an unknown provider.</summary>
[TestClass]
public sealed class FabricLibraryTests
{
    [TestMethod]
    public void TheVersionRequestedIsAtMost117AndNotAboveTheLibrarys()
    {
        RequireLibrary();
        FabricLibrary.EnsureLoaded();
        uint library = FabricLibrary.Version;
        Assert.IsGreaterThanOrEqualTo(FabricConstants.OldestVersion, library);
        Assert.AreEqual(Math.Min(library, FabricConstants.ApiVersion), FabricLibrary.ApiVersion);
        Assert.AreEqual("1.17", FabricLibrary.VersionText(FabricConstants.ApiVersion));
    }

    [TestMethod]
    public void ErrorTextNamesTheLibfabricErrorsAndTheBindingsOwnCodes()
    {
        RequireLibrary();
        StringAssert.Contains(FabricLibrary.ErrorText(-FabricConstants.FI_ECANCELED), "(-125)");
        StringAssert.Contains(FabricLibrary.ErrorText(-FabricConstants.FI_EAVAIL), "(-259)");
        StringAssert.Contains(FabricLibrary.ErrorText(FabricDomain.TimedOut), "did not complete in time");
        StringAssert.Contains(FabricLibrary.ErrorText(FabricDomain.Closed), "closed");
    }

    [TestMethod]
    public void AnUnknownProviderIsControllerNotPresentNamingIt()
    {
        RequireLibrary();
        RsmException ex = Assert.ThrowsExactly<RsmException>(() => FabricDomain.Open("no-such-provider"));
        Assert.AreEqual(RsmError.ControllerNotPresent, ex.Error);
        StringAssert.Contains(ex.Message, "'no-such-provider'");
        StringAssert.Contains(ex.Message, "No data available");
    }

    [TestMethod]
    public void AnUnknownInterfaceIsControllerNotPresentNamingIt()
    {
        RequireProvider("tcp;ofi_rxm");
        RsmException ex = Assert.ThrowsExactly<RsmException>(() => FabricDomain.Open("tcp;ofi_rxm", "no-such-nic0"));
        Assert.AreEqual(RsmError.ControllerNotPresent, ex.Error);
        StringAssert.Contains(ex.Message, "'no-such-nic0'");
        StringAssert.Contains(ex.Message, "lo (127.0.0.1/32)");
    }

    [TestMethod]
    public void ANamedInterfaceIsTheDomainOpened()
    {
        RequireProvider("tcp;ofi_rxm");
        using FabricDomain domain = FabricDomain.Open("tcp;ofi_rxm", "lo");
        Assert.AreEqual("lo", domain.DomainName);
        Assert.AreEqual("tcp;ofi_rxm", domain.ProviderName);
        Assert.IsNotEmpty(domain.Address);

        // A fabric name (for tcp the subnet) chooses too.
        using FabricDomain bySubnet = FabricDomain.Open("tcp;ofi_rxm", "127.0.0.1/32");
        Assert.AreEqual("lo", bySubnet.DomainName);
        Assert.AreEqual("127.0.0.1/32", bySubnet.FabricName);

        // Two domains on lo reach each other.
        using var memory = new NativeBuffer(4096);
        memory.Span.Fill(0x42);
        using FabricRegistration registration = bySubnet.Register(memory.Address, memory.Length, true, false, 0x4001);
        ulong peer = domain.InsertPeer(bySubnet.Address);
        using var local = new NativeBuffer(4096);
        Assert.AreEqual(0, domain.Read(peer, local.Address, 4096, registration.RemoteBase, registration.Key, OperationTimeout));
        Assert.AreEqual(-1, local.Span.IndexOfAnyExcept((byte)0x42));
    }
}
