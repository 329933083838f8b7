using System.Diagnostics;
using Rsm.Providers.Fabric.Interop;
using static Rsm.Providers.Fabric.Tests.FabricTestSupport;

namespace Rsm.Providers.Fabric.Tests;

/// <summary>The threads of the domains (each one's progress thread, the provider's own) end with them.</summary>
[TestClass]
[DoNotParallelize]
public sealed unsafe class FabricThreadTests
{
    public TestContext TestContext { get; set; } = null!;

    [TestMethod]
    [DataRow("tcp;ofi_rxm")]
    [DataRow("shm")]
    public void TheThreadCountReturnsToItsBaselineAfterDispose(string provider)
    {
        RequireProvider(provider);

        // A first round starts what the runtime starts once (thread pool, timers), so the baseline counts them.
        Round(provider);
        Thread.Sleep(200);
        int baseline = Threads();
        int during = Round(provider);
        var settle = Stopwatch.StartNew();
        int after = Threads();
        while (after > baseline && settle.Elapsed < TimeSpan.FromSeconds(20))
        {
            Thread.Sleep(50);
            after = Threads();
        }

        TestContext.WriteLine($"{provider}: {baseline} threads before, {during} with two domains open, {after} after {settle.Elapsed.TotalMilliseconds:F0} ms");
        Assert.IsGreaterThan(baseline, during, "the domains run threads of their own");
        Assert.IsLessThanOrEqualTo(baseline, after, "every thread of the domains ended");
    }

    private static int Round(string provider)
    {
        using var memory = new NativeBuffer(65536);
        using FabricDomain exporter = FabricDomain.Open(provider);
        using FabricDomain importer = FabricDomain.Open(provider);
        using FabricRegistration registration = exporter.Register(memory.Address, memory.Length, true, true, 0x2001);
        ulong peer = importer.InsertPeer(exporter.Address);
        using var local = new NativeBuffer(65536);
        Assert.AreEqual(0, importer.Write(peer, local.Address, 65536, registration.RemoteBase, registration.Key, true, OperationTimeout));
        Assert.AreEqual(0, importer.Read(peer, local.Address, 8, registration.RemoteBase, registration.Key, OperationTimeout));
        _ = importer.FetchAdd(peer, registration.RemoteBase, registration.Key, 1, 8, OperationTimeout, out int status);
        Assert.AreEqual(0, status);
        return Threads();
    }

    private static int Threads()
    {
        using var process = Process.GetCurrentProcess();
        return process.Threads.Count;
    }
}
