using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;
using Microsoft.Extensions.DependencyInjection;

namespace Rsm.Conformance.Tests;

/// <summary>
/// The SharedMemory rendezvous under misbehaving peers: a stopped exporter, a stopped importer, and a client that sends
/// garbage. Every wait is bounded by the short connect timeout these tests configure.
/// </summary>
[TestClass]
public sealed class SharedMemoryRendezvousTests
{
    private const uint Id = 0x610000;
    private static readonly TimeSpan s_bound = TimeSpan.FromSeconds(10);
    private readonly string _prefix = $"rsm-rendezvous/{Environment.ProcessId}/{Guid.NewGuid():N}";
    private readonly List<IDisposable> _cleanup = [];
    private ServiceProvider? _services;

    [TestCleanup]
    public void Cleanup()
    {
        for (int i = _cleanup.Count - 1; i >= 0; i--)
        {
            _cleanup[i].Dispose();
        }

        _services?.Dispose();
    }

    [ConformanceTest]
    public void Connect_ExporterProcessStopped_RemoteNodeUnreachableAfterTimeout()
    {
        ConformancePeer exporter = Peer(1);
        exporter.Call("export 4");
        exporter.Call(string.Create(CultureInfo.InvariantCulture, $"publish e1 {Id:x}"));
        IRsmController c = Controller(2);
        Signal(exporter, "STOP");

        RsmException ex = Assert.ThrowsExactly<RsmException>(() => c.Connect(1, Id, RsmPermissions.Read));

        Assert.AreEqual(RsmError.RemoteNodeUnreachable, ex.Error);
        Signal(exporter, "CONT");
        using IImportSegment import = c.Connect(1, Id, RsmPermissions.Read);
        Assert.AreEqual(4 * RsmPageMemory.PageSize, import.Length);
    }

    [ConformanceTest]
    public void Unpublish_ImporterProcessStopped_ReturnsAndTheImporterIsAbortedWhenItResumes()
    {
        IRsmController c = Controller(1);
        RsmPageMemory memory = Track(RsmPageMemory.Allocate(4 * RsmPageMemory.PageSize));
        IExportSegment export = Track(c.CreateExportSegment(memory.Address, memory.Length));
        export.Publish(Id);
        ConformancePeer importer = Peer(2);
        importer.Call(string.Create(CultureInfo.InvariantCulture, $"connect 1 {Id:x} 600"));
        Assert.AreEqual(RsmError.Success, importer.Outcome("get i1 0 4"));
        Signal(importer, "STOP");

        // The stopped importer cannot acknowledge: unpublish waits for it at most the connect timeout.
        export.Unpublish();

        Signal(importer, "CONT");
        long deadline = Environment.TickCount64 + (long)s_bound.TotalMilliseconds;
        while (importer.Outcome("get i1 0 4") != RsmError.ConnectionAborted)
        {
            Assert.IsLessThan(deadline, Environment.TickCount64, "the resumed importer did not see CONN_ABORTED (40)");
            Thread.Sleep(10);
        }
    }

    [ConformanceTest]
    public void Rendezvous_GarbageFromARawClient_ExporterKeepsServing()
    {
        IRsmController c = Controller(1);
        RsmPageMemory memory = Track(RsmPageMemory.Allocate(RsmPageMemory.PageSize));
        IExportSegment export = Track(c.CreateExportSegment(memory.Address, memory.Length));
        export.Publish(Id);
        var endpoint = new UnixDomainSocketEndPoint("\0" + string.Create(CultureInfo.InvariantCulture, $"{_prefix}/node1/segment{Id:x8}"));
        // A valid header (magic "RSM1", Connect) followed by more bytes than a message has: oversized, so dropped too.
        byte[] oversized = new byte[4096];
        BitConverter.GetBytes(0x314D5352u).CopyTo(oversized, 0);
        BitConverter.GetBytes(1u).CopyTo(oversized, 4);
        byte[][] garbage = [[], [1, 2, 3], new byte[48], new byte[4096], oversized, [.. Enumerable.Range(0, 48).Select(static i => (byte)(i * 37))]];
        foreach (byte[] packet in garbage)
        {
            using var raw = new Socket(AddressFamily.Unix, SocketType.Seqpacket, ProtocolType.Unspecified);
            raw.Connect(endpoint);
            _ = raw.Send(packet);
            raw.ReceiveTimeout = (int)s_bound.TotalMilliseconds;

            // The exporter drops the client: its end of the stream arrives without an answer, or an Admit with an error.
            byte[] reply = new byte[64];
            int n = raw.Receive(reply);
            Assert.IsTrue(n == 0 || BitConverter.ToInt32(reply, 8) != 0, $"a {packet.Length}-byte packet was answered as if it were a valid request");
        }

        IRsmController importer = Controller(2);
        using IImportSegment import = importer.Connect(1, Id, RsmPermissions.ReadWrite);
        Assert.AreEqual(memory.Length, import.Length);
    }

    private IRsmController Controller(uint nodeId)
    {
        _services ??= new ServiceCollection().AddSharedMemoryProvider().BuildServiceProvider();
        return Track(NodeControllers.Open(_services, nodeId, Settings(nodeId)));
    }

    private ConformancePeer Peer(uint nodeId) => Track(ConformancePeer.Start(
        Path.Combine(AppContext.BaseDirectory, "Rsm.Conformance.Peer.dll"),
        Settings(nodeId).Select(static s => $"{s.Key}={s.Value}").Prepend("Provider=SharedMemory"),
        ConformancePeerIdentity.Same));

    private Dictionary<string, string?> Settings(uint nodeId) => new()
    {
        ["NodeId"] = nodeId.ToString(CultureInfo.InvariantCulture),
        ["RendezvousPrefix"] = _prefix,
        ["ConnectTimeout"] = "00:00:00.500",
    };

    private T Track<T>(T item)
        where T : IDisposable
    {
        _cleanup.Add(item);
        return item;
    }

    private static void Signal(ConformancePeer peer, string signal)
    {
        // The shell's built-in kill: no package beyond the shell is needed.
        using Process kill = Process.Start("/bin/sh", ["-c", string.Create(CultureInfo.InvariantCulture, $"kill -{signal} {peer.ProcessId}")]);
        Assert.IsTrue(kill.WaitForExit(s_bound), "kill did not finish");
        Assert.AreEqual(0, kill.ExitCode);
    }
}
