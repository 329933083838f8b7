using System.Globalization;

namespace Rsm.Conformance.Tests;

/// <summary>
/// Tcp nodes in two processes on 127.0.0.1: the death of the exporting process aborts the imports of this one, and the
/// death of an importing process releases what it held here. Every wait is bounded.
/// </summary>
[TestClass]
public sealed class TcpProcessTests
{
    private const uint Id = 0x640000;
    private readonly TcpPeerCluster _cluster = new(1, 2);

    [TestCleanup]
    public void Cleanup() => _cluster.Dispose();

    [ConformanceTest]
    public void ExporterProcessKilled_ImportsAbortedWithinTheSilenceLimit()
    {
        ConformancePeer exporter = _cluster.Start(node: 2);
        Assert.AreEqual("e1", exporter.Call("export 4"));
        exporter.Call(string.Create(CultureInfo.InvariantCulture, $"publish e1 {Id:x}"));
        exporter.Call("write e1 0 11223344");
        using IRsmController c = _cluster.Open(node: 1);
        using IImportSegment import = c.Connect(2, Id, RsmPermissions.ReadWrite);
        _ = import.InitBarrier();
        byte[] data = new byte[4];
        import.Get(0, data);
        CollectionAssert.AreEqual(new byte[] { 0x11, 0x22, 0x33, 0x44 }, data);

        import.SignalPost();
        Assert.AreEqual(RsmError.Success, exporter.Outcome("wait e1 5000"), "the exporter did not receive the event posted while it lived");
        exporter.Kill();

        TcpPeerCluster.AwaitAborted(() => TcpPeerCluster.Outcome(() => import.Get(0, data)), "the import of a killed exporter");

        // The path to the exporter's node is lost: a post reports it (RSMAPI 3.8) instead of pretending delivery.
        Assert.AreEqual(RsmError.ConnectionAborted, TcpPeerCluster.Outcome(() => import.SignalPost()));
    }

    [ConformanceTest]
    public void ImporterProcessKilled_ExporterReleasesItsImport()
    {
        // The 27-versus-8 contrast needs an importer the owner/group/other check applies to: a peer under uid 65534.
        TcpPeerCluster.RequireOtherUids();

        using IRsmController c = _cluster.Open(node: 1);
        using RsmPageMemory memory = RsmPageMemory.Allocate(4 * RsmPageMemory.PageSize);
        using IExportSegment export = c.CreateExportSegment(memory.Address, memory.Length);
        export.Publish(Id, [new RsmAccessEntry(2, 0x1B6)]);

        // This node's credentials are root's; the peer reports uid 65534, which falls in the other class of 0666.
        ConformancePeer importer = _cluster.Start(node: 2, TcpPeerCluster.Nobody);
        importer.Call(string.Create(CultureInfo.InvariantCulture, $"connect 1 {Id:x} 600"));
        importer.Call("put i1 0 AABB");
        Assert.AreEqual(0xAA, memory.GetSpan()[0]);

        // While node 2 holds a live import, a republish without it still lets node 2 in with the pushed mode (0): 27.
        export.Republish([new RsmAccessEntry(3, 0x1B6)]);
        Assert.AreEqual(RsmError.PermissionDenied, importer.Outcome(string.Create(CultureInfo.InvariantCulture, $"connect 1 {Id:x} 400")));
        importer.Kill();

        // Once the exporter has released the dead node's import, node 2 is judged by the access list again: 8.
        long deadline = Environment.TickCount64 + (long)TcpPeerCluster.LossLimit.TotalMilliseconds;
        while (true)
        {
            using ConformancePeer next = _cluster.Start(node: 2, TcpPeerCluster.Nobody);
            RsmError outcome = next.Outcome(string.Create(CultureInfo.InvariantCulture, $"connect 1 {Id:x} 400"));
            if (outcome == RsmError.SegmentNotPublishedToNode)
            {
                break;
            }

            Assert.AreEqual(RsmError.PermissionDenied, outcome);
            Assert.IsLessThan(deadline, Environment.TickCount64, "the exporter did not release the dead importer's import");
            Thread.Sleep(50);
        }
    }
}
