using Rsm.Engine;
using Rsm.Providers.Fabric.Internal;
using Rsm.Providers.Fabric.Interop;
using Rsm.Providers.Tcp.Internal;
using static Rsm.Providers.Fabric.Tests.FabricTestSupport;

namespace Rsm.Providers.Fabric.Tests;

/// <summary>The exporter's side of the data plane: which importing processes it grants a registration to.</summary>
[TestClass]
public sealed class FabricDataPlaneTests
{
    [TestMethod]
    [DataRow("tcp;ofi_rxm", true)]
    [DataRow("shm", false)]
    public void GrantToAnotherUid_RefusedOnlyWhereTheFabricCannotJoinTwoUids(string provider, bool granted)
    {
        RequireProvider(provider);
        uint own = RsmCredentials.ReadCurrent().Uid;
        using var plane = new FabricDataPlane(FabricDomain.Open(provider), OperationTimeout);

        // Page memory of its own, as the import's mapping is: a revoked grant puts scratch pages in its place.
        using var memory = RsmPageMemory.Allocate(4096);

        // The importer's own uid is always granted, with a description that names this node's fabric address.
        using (IDataPlaneGrant same = plane.Grant(memory.Address, memory.Length, write: true, plane.LocalAddress, own))
        {
            Assert.IsGreaterThan(plane.LocalAddress.Length, same.Description.Length);
        }

        IDataPlaneGrant? other = null;
        RsmException? refused = null;
        try
        {
            other = plane.Grant(memory.Address, memory.Length, write: true, plane.LocalAddress, own + 1);
        }
        catch (RsmException ex)
        {
            refused = ex;
        }
        finally
        {
            other?.Dispose();
        }

        Assert.AreEqual(granted, other is not null, $"a grant on {provider} to uid {own + 1}");
        if (!granted)
        {
            Assert.AreEqual(RsmError.InsufficientResources, refused?.Error);
        }
    }

    [TestMethod]
    [DataRow("tcp;ofi_rxm")]
    [DataRow("shm")]
    public void RevokedGrant_ScratchPagesTakeTheMappingsPlace_LateAccessesNeverFault(string provider)
    {
        RequireProvider(provider);
        uint own = RsmCredentials.ReadCurrent().Uid;
        TimeSpan timeout = TimeSpan.FromSeconds(2);
        using var exporter = new FabricDataPlane(FabricDomain.Open(provider), timeout);
        using var importer = new FabricDataPlane(FabricDomain.Open(provider), timeout);
        using var memory = RsmPageMemory.Allocate(2 * 4096);
        memory.GetSpan().Fill(0xA5);
        byte[] pattern = new byte[8192];
        Array.Fill(pattern, (byte)0x3C);

        IDataPlaneGrant grant = exporter.Grant(memory.Address, memory.Length, write: true, importer.LocalAddress, own);
        Assert.AreEqual(timeout * 2, grant.Linger, "the mapping stays twice the fabric timeout after a revocation");
        using IDataPlaneWindow window = importer.Open(1, grant.Description, timeout);
        Assert.AreEqual(RsmError.Success, window.Write(0, pattern, 1));
        CollectionAssert.AreEqual(pattern, memory.GetSpan().ToArray(), "the write reached the granted pages");

        grant.Dispose();

        // The pages of the mapping are scratch now: zeros, whatever the segment held.
        Assert.IsTrue(memory.GetSpan().IndexOfAnyExcept((byte)0) < 0, "the revoked range reads zeros");

        // Accesses after the revocation fail at the fabric (tcp refuses the closed registration's key) or, on shm, which
        // checks no key, may land in the scratch pages; either way the process goes on.
        RsmError late = window.Write(0, pattern, 1);
        if (provider == "shm")
        {
            Assert.IsTrue(late is RsmError.Success or RsmError.BarrierFailure or RsmError.ConnectionAborted, $"late write: {late}");
            byte expected = late == RsmError.Success ? (byte)0x3C : (byte)0;
            Assert.IsTrue(memory.GetSpan().IndexOfAnyExcept(expected) < 0, $"the late write ({late}) reached only the scratch pages");
        }
        else
        {
            Assert.AreNotEqual(RsmError.Success, late, "tcp refuses a closed registration's key");
            Assert.IsTrue(memory.GetSpan().IndexOfAnyExcept((byte)0) < 0, "nothing reached the revoked range");
        }
    }
}
