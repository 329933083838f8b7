using System.Collections.Concurrent;
using System.Globalization;
using Rsm.Conformance;

namespace Rsm.Samples.Sockets.Tests;

/// <summary>Transfers beyond the suite: many importers of one segment at once, and an importer process that dies mid-transfer.</summary>
[TestClass]
public sealed class SocketTransferTests
{
    private const uint Id = 0x610000;
    private const byte Sentinel = 0xEE;
    private static readonly TimeSpan s_bound = TimeSpan.FromSeconds(30);
    private readonly CleanupStack _cleanup = new();
    private SocketConformanceHarness _harness = null!;

    [TestInitialize]
    public void Initialize()
    {
        // Every thread of an earlier test ends with its harness: the counts below start from none.
        AwaitTrue(() => ProviderThreads() == 0, $"{ProviderThreads()} provider threads of an earlier test remain");
        _harness = new SocketConformanceHarness();
    }

    [TestCleanup]
    public void Cleanup()
    {
        _cleanup.Dispose();
        _harness.Dispose();
    }

    [TestMethod]
    public void ThreadsAndPeerProcess_DistinctRangesConcurrently_ExactBytes()
    {
        const int LocalImporters = 4;
        const int Rounds = 6;
        int[] sizes = [1, 7, 4096, 65536 + 3, 200_000, 262_144];
        int slot = 512 * 1024;
        int parties = LocalImporters + 1;
        IRsmController exporterNode = Controller(1);
        RsmPageMemory b = Buffer(parties * slot);
        b.GetSpan().Fill(Sentinel);
        IExportSegment e = Export(exporterNode, b);
        Assert.AreEqual(Id, e.Publish(Id));

        // Each party owns slot k, and writes at an odd offset inside it so that chunks never line up with the slots.
        long OffsetOf(int k) => ((long)k * slot) + 13;
        var last = new (int Size, uint Seed)[parties];
        var failures = new ConcurrentQueue<string>();
        using var start = new Barrier(parties);

        var threads = new List<Thread>();
        for (int k = 0; k < LocalImporters; k++)
        {
            int party = k;
            IRsmController node = Controller(2 + (uint)k);
            IImportSegment import = node.Connect(1, Id, RsmPermissions.ReadWrite);
            _cleanup.Push(import.Disconnect);
            _ = import.InitBarrier();
            threads.Add(new Thread(() => Run(party, () =>
            {
                byte[] written = new byte[sizes[^1]];
                byte[] read = new byte[sizes[^1]];
                for (int round = 0; round < Rounds; round++)
                {
                    foreach (int size in sizes)
                    {
                        uint seed = (uint)((party << 16) + (round * sizes.Length) + size);
                        FillPattern(written.AsSpan(0, size), OffsetOf(party), seed);
                        import.Put(OffsetOf(party), written.AsSpan(0, size));
                        Array.Clear(read);
                        import.Get(OffsetOf(party), read.AsSpan(0, size));
                        int at = FirstMismatch(read.AsSpan(0, size), OffsetOf(party), seed);
                        Assert.AreEqual(-1, at, $"importer {party}: byte {at} of a {size}-byte get after its put");
                        last[party] = (size, seed);
                    }
                }
            })) { IsBackground = true, Name = $"importer {k}" });
        }

        ConformancePeer peer = Peer(2 + LocalImporters);
        Assert.AreEqual("i1", peer.Call(Line($"connect 1 {Id:x} 600")));
        threads.Add(new Thread(() => Run(LocalImporters, () =>
        {
            for (int round = 0; round < Rounds; round++)
            {
                foreach (int size in sizes)
                {
                    uint seed = (uint)((LocalImporters << 16) + (round * sizes.Length) + size);
                    byte[] pattern = new byte[size];
                    FillPattern(pattern, OffsetOf(LocalImporters), seed);
                    _ = peer.Call(Line($"put i1 {OffsetOf(LocalImporters)} {Convert.ToHexString(pattern)}"));
                    Assert.AreEqual(Convert.ToHexString(pattern), peer.Call(Line($"get i1 {OffsetOf(LocalImporters)} {size}")), $"peer: a {size}-byte get after its put");
                    last[LocalImporters] = (size, seed);
                }
            }
        })) { IsBackground = true, Name = "peer importer" });

        foreach (Thread thread in threads)
        {
            thread.Start();
        }

        foreach (Thread thread in threads)
        {
            Assert.IsTrue(thread.Join(TimeSpan.FromSeconds(120)), $"{thread.Name} did not finish within 120 s");
        }

        Assert.IsTrue(failures.IsEmpty, string.Join(Environment.NewLine, failures));

        // The exporter's own memory: each range holds its importer's last pattern, every other byte is still the sentinel.
        for (int k = 0; k < parties; k++)
        {
            Span<byte> mine = b.GetSpan().Slice(k * slot, slot);
            int head = (int)(OffsetOf(k) - ((long)k * slot));
            (int size, uint seed) = last[k];
            Assert.AreEqual(-1, mine[..head].IndexOfAnyExcept(Sentinel), $"party {k}: a byte before its range changed");
            Assert.AreEqual(-1, FirstMismatch(mine.Slice(head, size), OffsetOf(k), seed), $"party {k}: its last {size}-byte put");
            Assert.AreEqual(-1, mine[(head + size)..].IndexOfAnyExcept(Sentinel), $"party {k}: a byte after its last put changed");
        }

        void Run(int party, Action action)
        {
            try
            {
                if (!start.SignalAndWait(s_bound))
                {
                    throw new TimeoutException("the other parties did not start");
                }

                action();
            }
            catch (Exception ex)
            {
                failures.Enqueue($"party {party}: {ex.GetType().Name}: {ex.Message}");
            }
        }
    }

    [TestMethod]
    [DataRow("put")]
    [DataRow("get")]
    public void ImporterProcessKilledMidTransfer_ExporterReleasesItAndTheSegmentCanBeDestroyed(string transfer)
    {
        const int Bytes = 4 << 20;
        IRsmController exporterNode = Controller(1);
        RsmPageMemory b = Buffer(Bytes);
        IExportSegment e = exporterNode.CreateExportSegment(b.Address, b.Length);
        bool destroyed = false;
        _cleanup.Push(() =>
        {
            if (!destroyed)
            {
                e.Destroy();
            }
        });
        Assert.AreEqual(Id, e.Publish(Id));
        int listening = ProviderThreads();
        int sockets = OpenSockets();

        ConformancePeer peer = Peer(2);
        Assert.AreEqual("i1", peer.Call(Line($"connect 1 {Id:x} 600")));
        AwaitTrue(() => ProviderThreads() == listening + 1, "the exporter serves the importer on a thread of its own");

        // The peer moves data without pause, until it is killed in the middle of it.
        string request = transfer == "put" ? Line($"words i1 0 {Bytes / 8} 1 60000") : Line($"sha i1 put 0 {Bytes}");
        Task traffic = Task.Run(() =>
        {
            try
            {
                while (!peer.HasExited)
                {
                    _ = peer.Call(request);
                }
            }
            catch (Exception ex) when (ex is InvalidOperationException or RsmException or IOException or TimeoutException)
            {
                // The peer was killed mid-request.
            }
        });
        if (transfer == "put")
        {
            AwaitTrue(() => b.GetSpan().IndexOfAnyExcept((byte)0) >= 0, "the peer's puts reach the exporter");
        }
        else
        {
            Thread.Sleep(300);
        }

        peer.Kill();
        Assert.IsTrue(traffic.Wait(s_bound), "the request of the killed peer did not end");

        // The exporter sees the end of the stream and releases the import: its thread and socket are gone.
        AwaitTrue(() => ProviderThreads() == listening && OpenSockets() == sockets,
            $"the exporter still holds the dead importer: {ProviderThreads()} provider threads (listening: {listening}), {OpenSockets()} sockets (before: {sockets})");

        // No importer is left to abort, so the destroy does not wait for one.
        long started = Environment.TickCount64;
        e.Destroy();
        destroyed = true;
        Assert.IsLessThan(2000L, Environment.TickCount64 - started, "the destroy waited for an importer");
        AwaitTrue(() => ProviderThreads() == listening - 1, "the segment's accept thread did not end");
        Assert.IsEmpty(_harness.FindSegmentTraces(1, Id), "the segment's socket name remains");

        // The id is free again.
        IExportSegment again = Export(exporterNode, b);
        Assert.AreEqual(Id, again.Publish(Id));
    }

    [TestMethod]
    public void ConnectDisconnectCycles_NoThreadOrSocketLeftBehind()
    {
        IRsmController exporterNode = Controller(1);
        IRsmController importerNode = Controller(2);
        RsmPageMemory b = Buffer(1 << 20);
        IExportSegment e = Export(exporterNode, b);
        Assert.AreEqual(Id, e.Publish(Id));
        int listening = ProviderThreads();
        int sockets = OpenSockets();
        byte[] data = new byte[200_000];

        for (int cycle = 0; cycle < 50; cycle++)
        {
            IImportSegment import = (cycle % 2 == 0 ? importerNode : exporterNode).Connect(1, Id, RsmPermissions.ReadWrite);
            _ = import.InitBarrier();
            data.AsSpan().Fill((byte)cycle);
            import.Put(cycle, data);
            import.Get(cycle, data);
            Assert.AreEqual(-1, data.AsSpan().IndexOfAnyExcept((byte)cycle), $"cycle {cycle}");
            import.Disconnect();
        }

        // Every connection's threads (the importer's reader and the exporter's server) and sockets have ended.
        AwaitTrue(() => ProviderThreads() == listening && OpenSockets() == sockets,
            $"{ProviderThreads()} provider threads (listening: {listening}), {OpenSockets()} sockets (before: {sockets})");
    }

    [TestMethod]
    public void ProviderDisposed_ListenersAndConnectionsStopped_ImportsAborted()
    {
        IRsmController exporterNode = Controller(1);
        IRsmController importerNode = Controller(2);
        RsmPageMemory b = Buffer(1 << 16);
        IExportSegment e = Export(exporterNode, b);
        Assert.AreEqual(Id, e.Publish(Id));
        IImportSegment import = importerNode.Connect(1, Id, RsmPermissions.ReadWrite);
        _cleanup.Push(import.Disconnect);
        _ = import.InitBarrier();
        import.Put(0, [1, 2, 3]);
        Assert.AreEqual(3, ProviderThreads(), "an accept thread, the exporter's server and the importer's reader");

        _harness.Dispose();

        AwaitTrue(() => ProviderThreads() == 0, $"{ProviderThreads()} provider threads remain after the provider was disposed");
        Assert.IsEmpty(_harness.FindSegmentTraces(1, Id), "the segment's socket name remains");
        Assert.AreEqual(RsmError.ConnectionAborted, Assert.ThrowsExactly<RsmException>(() => import.Get(0, new byte[3])).Error);
    }

    /// <summary>The threads the provider runs in this process (accept, export and import threads are named <c>RsmSock ...</c>).</summary>
    internal static int ProviderThreads()
    {
        int count = 0;
        foreach (string task in Directory.EnumerateDirectories("/proc/self/task"))
        {
            try
            {
                count += File.ReadAllText(Path.Combine(task, "comm")).StartsWith("RsmSock", StringComparison.Ordinal) ? 1 : 0;
            }
            catch (IOException)
            {
                // The thread ended while it was listed.
            }
        }

        return count;
    }

    internal static int OpenSockets() => Directory.EnumerateFiles("/proc/self/fd").Count(static fd =>
    {
        try
        {
            return new FileInfo(fd).LinkTarget?.StartsWith("socket:", StringComparison.Ordinal) == true;
        }
        catch (IOException)
        {
            return false;
        }
    });

    internal static void AwaitTrue(Func<bool> condition, string message)
    {
        long deadline = Environment.TickCount64 + (long)s_bound.TotalMilliseconds;
        while (!condition())
        {
            Assert.IsLessThan(deadline, Environment.TickCount64, message);
            Thread.Sleep(10);
        }
    }

    /// <summary>A pattern that differs for every seed and repeats nowhere within a segment: byte i of a range at <paramref name="offset"/>.</summary>
    private static byte PatternByte(long offset, uint seed)
    {
        ulong x = ((ulong)offset * 0x9E3779B97F4A7C15UL) ^ (seed * 0xC2B2AE3D27D4EB4FUL);
        return (byte)((x >> 29) ^ (x >> 47));
    }

    private static void FillPattern(Span<byte> destination, long offset, uint seed)
    {
        for (int i = 0; i < destination.Length; i++)
        {
            destination[i] = PatternByte(offset + i, seed);
        }
    }

    private static int FirstMismatch(ReadOnlySpan<byte> actual, long offset, uint seed)
    {
        for (int i = 0; i < actual.Length; i++)
        {
            if (actual[i] != PatternByte(offset + i, seed))
            {
                return i;
            }
        }

        return -1;
    }

    private static string Line(FormattableString request) => request.ToString(CultureInfo.InvariantCulture);

    private IRsmController Controller(uint nodeId)
    {
        IRsmController controller = _harness.CreateController(new ConformanceNodeOptions { NodeId = nodeId });
        _cleanup.Push(controller.Dispose);
        return controller;
    }

    private RsmPageMemory Buffer(int bytes)
    {
        RsmPageMemory memory = RsmPageMemory.Allocate((nuint)bytes);
        _cleanup.Push(memory.Dispose);
        return memory;
    }

    private IExportSegment Export(IRsmController controller, RsmPageMemory memory)
    {
        IExportSegment export = controller.CreateExportSegment(memory.Address, memory.Length);
        _cleanup.Push(export.Destroy);
        return export;
    }

    private ConformancePeer Peer(uint nodeId)
    {
        ConformancePeer peer = _harness.StartPeer(new ConformanceNodeOptions { NodeId = nodeId }, ConformancePeerIdentity.Same);
        _cleanup.Push(peer.Dispose);
        return peer;
    }
}
