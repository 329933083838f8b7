using System.Diagnostics;
using System.Globalization;

namespace Rsm.Conformance.Tests;

/// <summary>
/// Fabric nodes in two processes, on <c>tcp;ofi_rxm</c> and on <c>shm</c>: bytes and lock operations move on the
/// fabric; the death of the exporting process, or an exporter that stops (SIGSTOP), aborts the imports of this one
/// within the control plane's loss limit, also on shm, where the fabric itself never reports a dead peer; the death of
/// an importing process releases what it held. Every wait is bounded.
/// </summary>
[TestClass]
public sealed class FabricProcessTests
{
    private const uint Id = 0x641000;

    [ConformanceTest]
    [DataRow("tcp;ofi_rxm")]
    [DataRow("shm")]
    public void ExporterProcessKilled_ImportsAbortedWithinTheLossLimit(string fabric)
    {
        RequireFabric(fabric);
        using TcpPeerCluster cluster = TcpPeerCluster.Fabric(fabric, 1, 2);
        ConformancePeer exporter = cluster.Start(node: 2);
        Assert.AreEqual("e1", exporter.Call("export 4 4"));
        exporter.Call(string.Create(CultureInfo.InvariantCulture, $"publish e1 {Id:x}"));
        exporter.Call("write e1 0 11223344");
        using IRsmController c = cluster.Open(node: 1);
        using IImportSegment import = c.Connect(2, Id, RsmPermissions.ReadWrite);
        _ = import.InitBarrier();
        byte[] data = new byte[4];
        import.Get(0, data);
        CollectionAssert.AreEqual(new byte[] { 0x11, 0x22, 0x33, 0x44 }, data);
        import.Put(4, [0x55, 0x66]);
        Assert.AreEqual("5566", exporter.Call("read e1 4 2").ToUpperInvariant());
        Assert.AreEqual(0x44332211u, import.FetchAdd32(0, 1));
        Assert.AreEqual("12223344", exporter.Call("read e1 0 4"));

        exporter.Kill();
        TcpPeerCluster.AwaitAborted(() => TcpPeerCluster.Outcome(() => import.Get(0, data)), $"the import of a killed exporter on {fabric}");
        Assert.AreEqual(RsmError.ConnectionAborted, TcpPeerCluster.Outcome(() => import.SignalPost()));
    }

    [ConformanceTest]
    [DataRow("tcp;ofi_rxm")]
    [DataRow("shm")]
    public void ExporterProcessStopped_AccessesBoundedThenAborted(string fabric)
    {
        RequireFabric(fabric);
        using TcpPeerCluster cluster = TcpPeerCluster.Fabric(fabric, 1, 2);
        ConformancePeer exporter = cluster.Start(node: 2);
        Assert.AreEqual("e1", exporter.Call("export 4"));
        exporter.Call(string.Create(CultureInfo.InvariantCulture, $"publish e1 {Id:x}"));
        using IRsmController c = cluster.Open(node: 1);
        using IImportSegment import = c.Connect(2, Id, RsmPermissions.ReadWrite);
        _ = import.InitBarrier();
        byte[] data = new byte[8];
        import.Get(0, data);

        Signal(exporter.ProcessId, "STOP");
        try
        {
            // Nobody serves the exporter's memory now. Every access returns within its bound (the fabric timeout, then
            // the request timeout), as BarrierFailure (38) until the silence limit passes, then ConnectionAborted (40).
            var clock = Stopwatch.StartNew();
            RsmError outcome;
            do
            {
                var one = Stopwatch.StartNew();
                outcome = TcpPeerCluster.Outcome(() => import.Get(0, data));
                Assert.IsLessThan(TimeSpan.FromSeconds(12), one.Elapsed, $"one get on a stopped exporter took {one.Elapsed}");
                Assert.IsTrue(outcome is RsmError.Success or RsmError.BarrierFailure or RsmError.ConnectionAborted, $"get: {outcome}");
            }
            while (outcome != RsmError.ConnectionAborted && clock.Elapsed < TimeSpan.FromSeconds(60));

            Assert.AreEqual(RsmError.ConnectionAborted, outcome, "a stopped exporter's import was not aborted");
            Assert.IsLessThan(TcpPeerCluster.LossLimit + TimeSpan.FromSeconds(12), clock.Elapsed, "the abort took longer than the loss limit and one access");
        }
        finally
        {
            Signal(exporter.ProcessId, "CONT");
        }
    }

    [ConformanceTest]
    [DataRow("tcp;ofi_rxm")]
    [DataRow("shm")]
    public void ImporterProcessKilled_ExporterReleasesItsImport_AndItsGrant(string fabric)
    {
        RequireFabric(fabric);
        using TcpPeerCluster cluster = TcpPeerCluster.Fabric(fabric, 1, 2);
        using IRsmController c = cluster.Open(node: 1);
        using RsmPageMemory memory = RsmPageMemory.Allocate(4 * RsmPageMemory.PageSize);
        using IExportSegment export = c.CreateExportSegment(memory.Address, memory.Length);
        export.Publish(Id, [new RsmAccessEntry(2, 0x1B6)]);

        ConformancePeer importer = cluster.Start(node: 2);
        importer.Call(string.Create(CultureInfo.InvariantCulture, $"connect 1 {Id:x} 600"));
        importer.Call("put i1 0 AABB");
        Assert.AreEqual(0xAA, memory.GetSpan()[0]);
        Assert.AreEqual(0xBB, memory.GetSpan()[1]);
        importer.Kill();

        // The exporter releases the dead node's import: unpublish then finds no importer to wait for and returns at once.
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var unpublish = Stopwatch.StartNew();
            export.Unpublish();
            if (unpublish.Elapsed < TimeSpan.FromSeconds(1))
            {
                break;
            }

            Assert.IsLessThan(TcpPeerCluster.LossLimit + TimeSpan.FromSeconds(10), clock.Elapsed, "the exporter did not release the dead importer's import");
            export.Publish(Id, [new RsmAccessEntry(2, 0x1B6)]);
        }
    }

    [ConformanceTest]
    public void LibfabricMissing_OpeningAControllerFailsWithControllerNotPresentNamingThePackage()
    {
        RequireFabric("tcp;ofi_rxm");
        if (!Engine.RsmCredentials.ReadCurrent().IsPrivileged || !File.Exists("/usr/bin/unshare"))
        {
            Assert.Inconclusive("hiding the installed libfabric needs uid 0 and unshare (util-linux); .ci/run runs this test as root");
        }

        // A peer in a mount namespace of its own, where an empty file is mounted over the library: loading it fails as
        // on a host without the package. The mount is private to that namespace and ends with it.
        const string Installed = "/lib/x86_64-linux-gnu/libfabric.so.1";
        if (!File.Exists(Installed))
        {
            Assert.Inconclusive($"libfabric.so.1 is not at {Installed}, where Debian's libfabric1 puts it on x86-64");
        }

        string library = new FileInfo(Installed).ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? Installed;
        string peer = Path.Combine(AppContext.BaseDirectory, "Rsm.Conformance.Peer.dll");
        string key = Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));
        var start = new ProcessStartInfo("unshare") { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string argument in (string[])["-m", "sh", "-c", "mount --bind /dev/null \"$0\" && exec dotnet \"$1\" Provider=Fabric NodeId=1 Listen=127.0.0.1:0 ClusterKey=\"$2\"", library, peer, key])
        {
            start.ArgumentList.Add(argument);
        }

        using Process process = Process.Start(start)!;
        process.StandardInput.Close();
        Task<string> output = process.StandardOutput.ReadToEndAsync();
        Task<string> errors = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromSeconds(60)))
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail("the peer without libfabric did not end within 60 s");
        }

        Assert.IsTrue(Task.WaitAll([output, errors], TimeSpan.FromSeconds(10)), "the peer's output did not close");
        string text = output.Result + errors.Result;
        Assert.AreNotEqual(0, process.ExitCode, text);
        StringAssert.Contains(text, "RSMERR_CTLR_NOT_PRESENT (4): libfabric.so.1 was not found");
        StringAssert.Contains(text, "apt-get install libfabric1");
    }

    /// <summary>Skips the test, with the reason, where libfabric or the provider is not there.</summary>
    internal static void RequireFabric(string fabric)
    {
        if (FabricConformanceHarness.Unavailable(fabric) is { } reason)
        {
            Assert.Inconclusive(reason);
        }
    }

    private static void Signal(int pid, string signal)
    {
        using var kill = Process.Start(new ProcessStartInfo("kill", [$"-{signal}", pid.ToString(CultureInfo.InvariantCulture)]) { UseShellExecute = false })!;
        Assert.IsTrue(kill.WaitForExit(10_000), "kill did not return");
        Assert.AreEqual(0, kill.ExitCode, $"kill -{signal} {pid}");
    }
}
