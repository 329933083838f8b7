using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Rsm.Providers.Tcp.Internal.Wire;

namespace Rsm.Conformance.Tests;

/// <summary>
/// Who a Tcp acceptor admits once the cluster key is proven, how it stays reachable while connections trickle, and
/// what reaches the application's log. Every node runs on 127.0.0.1.
/// </summary>
[TestClass]
public sealed class TcpAdmissionTests
{
    private const uint Id = 0x680001;
    private const int Length = 64 * 1024;
    private static readonly TimeSpan s_resourceLimit = TimeSpan.FromSeconds(20);

    public TestContext TestContext { get; set; } = null!;

    [ConformanceTest]
    [DataRow(65u, (int)AdmissionRefusal.OutOfRange)]
    [DataRow(1000u, (int)AdmissionRefusal.OutOfRange)]
    [DataRow(0xFFFFFFFFu, (int)AdmissionRefusal.OutOfRange)]
    [DataRow(1u, (int)AdmissionRefusal.OwnNodeId)]
    [DataRow(0u, (int)AdmissionRefusal.None)]
    [DataRow(7u, (int)AdmissionRefusal.None)]
    [DataRow(64u, (int)AdmissionRefusal.None)]
    public void TcpAdmission_ClaimedId_JudgedByRangeAndOwnId(uint claimed, int expected)
    {
        using var cluster = new TcpPeerCluster(1, 2);
        using ServiceProvider services = new ServiceCollection().AddTcpProvider().BuildServiceProvider();
        Dictionary<string, string?> settings = cluster.Settings(1);
        using IRsmController exporter = NodeControllers.Open(services, 1, settings);

        AdmissionRefusal refusal = RawSegmentPeer.TryOpen(IPEndPoint.Parse(settings["Listen"]!), claimed, Key(settings), out RawSegmentPeer? peer);
        peer?.Dispose();

        Assert.AreEqual((AdmissionRefusal)expected, refusal);
    }

    [ConformanceTest]
    [DataRow(0u, (int)AdmissionRefusal.NotListed)]
    [DataRow(7u, (int)AdmissionRefusal.NotListed)]
    [DataRow(65u, (int)AdmissionRefusal.OutOfRange)]
    [DataRow(1u, (int)AdmissionRefusal.OwnNodeId)]
    [DataRow(2u, (int)AdmissionRefusal.None)]
    public void TcpAdmission_ListedNodesOnly_IdOutsideTheDirectoryRefused(uint claimed, int expected)
    {
        using var cluster = new TcpPeerCluster(1, 2);
        using ServiceProvider services = new ServiceCollection().AddTcpProvider().BuildServiceProvider();
        Dictionary<string, string?> settings = cluster.Settings(1);
        settings["AcceptListedNodesOnly"] = "true";
        using IRsmController exporter = NodeControllers.Open(services, 1, settings);

        AdmissionRefusal refusal = RawSegmentPeer.TryOpen(IPEndPoint.Parse(settings["Listen"]!), claimed, Key(settings), out RawSegmentPeer? peer);
        peer?.Dispose();

        Assert.AreEqual((AdmissionRefusal)expected, refusal);
    }

    [ConformanceTest]
    public void TcpAdmission_ListedNodesOnly_NodesOfThisProcessAndItselfStillConnect()
    {
        // Node 3 runs in this process and has no directory entry anywhere; node 1 imports from itself too.
        using var cluster = new TcpPeerCluster(1, 2);
        using ServiceProvider services = new ServiceCollection().AddTcpProvider().BuildServiceProvider();
        Dictionary<string, string?> settings = cluster.Settings(1);
        settings["AcceptListedNodesOnly"] = "true";
        using IRsmController exporter = NodeControllers.Open(services, 1, settings);
        Dictionary<string, string?> local = cluster.Settings(2);
        local["NodeId"] = "3";
        local["Listen"] = "127.0.0.1:0";
        using IRsmController sameProcess = NodeControllers.Open(services, 3, local);
        using RsmPageMemory memory = RsmPageMemory.Allocate(Length);
        using IExportSegment export = exporter.CreateExportSegment(memory.Address, memory.Length);
        export.Publish(Id, [new RsmAccessEntry(1, 0x180), new RsmAccessEntry(3, 0x180)]);

        foreach ((IRsmController importer, int seed) in new[] { (sameProcess, 3), (exporter, 1) })
        {
            IImportSegment import = importer.Connect(1, Id, RsmPermissions.ReadWrite);
            _ = import.InitBarrier();
            byte[] written = Pattern(Length, seed);
            import.Put(0, written);
            byte[] read = new byte[Length];
            import.Get(0, read);
            CollectionAssert.AreEqual(written, read);
            import.Disconnect();
        }
    }

    [ConformanceTest]
    public void TcpAdmission_ForgedDuplicateOfLiveNode2_RefusedAndNode2Undisturbed_RestartedNode2GetsIn()
    {
        using var cluster = new TcpPeerCluster(1, 2);
        using ServiceProvider exporterServices = new ServiceCollection().AddTcpProvider().BuildServiceProvider();
        Dictionary<string, string?> exporterSettings = cluster.Settings(1);
        IPEndPoint exporterEnd = IPEndPoint.Parse(exporterSettings["Listen"]!);
        byte[] key = Key(exporterSettings);
        using IRsmController exporter = NodeControllers.Open(exporterServices, 1, exporterSettings);
        using RsmPageMemory memory = RsmPageMemory.Allocate(Length);
        using IExportSegment export = exporter.CreateExportSegment(memory.Address, memory.Length);
        export.Publish(Id, [new RsmAccessEntry(2, 0x180)]);

        ServiceProvider node2Services = new ServiceCollection().AddTcpProvider().BuildServiceProvider();
        try
        {
            IRsmController node2 = NodeControllers.Open(node2Services, 2, cluster.Settings(2));
            IImportSegment import = node2.Connect(1, Id, RsmPermissions.ReadWrite);
            _ = import.InitBarrier();

            // The real node 2 keeps putting and getting while forgers claim its id.
            using var stop = new CancellationTokenSource();
            byte[] last = [];
            Task<int> worker = Task.Run(() =>
            {
                int rounds = 0;
                while (!stop.IsCancellationRequested)
                {
                    byte[] written = Pattern(Length, seed: rounds);
                    import.Put(0, written);
                    byte[] read = new byte[Length];
                    import.Get(0, read);
                    CollectionAssert.AreEqual(written, read, $"round {rounds}");
                    last = written;
                    rounds++;
                }

                return rounds;
            });

            var refusals = new Dictionary<AdmissionRefusal, int>();
            for (int i = 0; i < 200; i++)
            {
                AdmissionRefusal refusal = RawSegmentPeer.TryOpen(exporterEnd, 2, key, out RawSegmentPeer? forger);
                forger?.Dispose();
                refusals[refusal] = refusals.GetValueOrDefault(refusal) + 1;
            }

            // A forger running the provider gets a clear error from Connect.
            Dictionary<string, string?> forgerSettings = cluster.Settings(2);
            forgerSettings["Listen"] = "127.0.0.1:0";
            forgerSettings["ConnectTimeout"] = "00:00:01";
            RsmException forgedConnect;
            using (ServiceProvider forgerServices = new ServiceCollection().AddTcpProvider().BuildServiceProvider())
            {
                using IRsmController forgerNode = NodeControllers.Open(forgerServices, 2, forgerSettings);
                forgedConnect = Assert.ThrowsExactly<RsmException>(() => forgerNode.Connect(1, Id, RsmPermissions.ReadWrite));
            }

            stop.Cancel();
            int rounds = worker.WaitAsync(TimeSpan.FromSeconds(30)).GetAwaiter().GetResult();

            Assert.AreEqual(200, refusals.GetValueOrDefault(AdmissionRefusal.AlreadyConnected), string.Join(", ", refusals));
            Assert.AreEqual(RsmError.RemoteNodeUnreachable, forgedConnect.Error);
            StringAssert.Contains(forgedConnect.Message, "already has a live connection");
            Assert.IsGreaterThan(0, rounds);
            CollectionAssert.AreEqual(last, memory.GetSpan().ToArray(), "the segment holds exactly what node 2 wrote last");
            byte[] after = new byte[Length];
            import.Get(0, after);
            CollectionAssert.AreEqual(last, after);
        }
        finally
        {
            // Node 2 stops: its connection ends, and so does its hold on the id.
            node2Services.Dispose();
        }

        using ServiceProvider restartedServices = new ServiceCollection().AddTcpProvider().BuildServiceProvider();
        using IRsmController restarted = NodeControllers.Open(restartedServices, 2, cluster.Settings(2));
        IImportSegment again = restarted.Connect(1, Id, RsmPermissions.ReadWrite);
        _ = again.InitBarrier();
        byte[] fresh = Pattern(Length, seed: 99);
        again.Put(0, fresh);
        byte[] back = new byte[Length];
        again.Get(0, back);
        CollectionAssert.AreEqual(fresh, back);
        again.Disconnect();
    }

    [ConformanceTest]
    public void TcpAdmission_300TricklingConnections_LegitimateNodeConnectsAndTransfersExactBytes()
    {
        ProcessResources baseline = ProcessResources.Settled(TimeSpan.FromMilliseconds(300), TimeSpan.FromSeconds(10));
        TestContext.WriteLine($"baseline: {baseline}");
        var capture = new CapturingLoggerProvider();
        using var cluster = new TcpPeerCluster(1, 2);
        TimeSpan connectTimeout = TimeSpan.FromSeconds(5);
        var stop = new CancellationTokenSource();
        var tricklers = new List<Task<int>>();
        int connections;
        TimeSpan took;
        using (ServiceProvider services = new ServiceCollection().AddLogging(b => b.AddProvider(capture)).AddTcpProvider().BuildServiceProvider())
        {
            Dictionary<string, string?> exporterSettings = cluster.Settings(1);
            IPEndPoint exporterEnd = IPEndPoint.Parse(exporterSettings["Listen"]!);
            using IRsmController exporter = NodeControllers.Open(services, 1, exporterSettings);
            using RsmPageMemory memory = RsmPageMemory.Allocate(Length);
            using IExportSegment export = exporter.CreateExportSegment(memory.Address, memory.Length);
            export.Publish(Id, [new RsmAccessEntry(2, 0x180)]);

            for (int i = 0; i < 300; i++)
            {
                tricklers.Add(Task.Run(() => TrickleAsync(exporterEnd, stop.Token)));
            }

            // Let the tricklers fill every pending slot first.
            Thread.Sleep(1000);

            Dictionary<string, string?> importerSettings = cluster.Settings(2);
            importerSettings["ConnectTimeout"] = connectTimeout.ToString("c", CultureInfo.InvariantCulture);
            using IRsmController importer = NodeControllers.Open(services, 2, importerSettings);
            long started = Environment.TickCount64;
            IImportSegment import = importer.Connect(1, Id, RsmPermissions.ReadWrite);
            took = TimeSpan.FromMilliseconds(Environment.TickCount64 - started);
            _ = import.InitBarrier();
            for (int round = 0; round < 20; round++)
            {
                byte[] written = Pattern(Length, seed: round);
                import.Put(0, written);
                byte[] read = new byte[Length];
                import.Get(0, read);
                CollectionAssert.AreEqual(written, read, $"round {round}");
            }

            stop.Cancel();
            connections = Task.WhenAll(tricklers).WaitAsync(TimeSpan.FromSeconds(30)).GetAwaiter().GetResult().Sum();
            import.Disconnect();
        }

        stop.Dispose();
        TestContext.WriteLine($"connect took {took.TotalMilliseconds:0} ms; the tricklers opened {connections} connections");
        Assert.IsLessThanOrEqualTo(connectTimeout, took);
        Assert.IsGreaterThanOrEqualTo(300, connections);
        Assert.IsNotEmpty(capture.WithEventId(116), "evictions are logged");
        (bool back, ProcessResources now, TimeSpan settled) = baseline.AwaitReturn(s_resourceLimit);
        Assert.IsTrue(back, $"back at the baseline: baseline {baseline}; now {now} (OS threads allowed {baseline.AllowedOsThreads(now)}), after {settled.TotalSeconds:F1} s");
    }

    [ConformanceTest]
    public void TcpLogging_ThroughDi_ListenerStartedRefusalAndDropReachTheApplicationLogger()
    {
        var capture = new CapturingLoggerProvider();
        using var cluster = new TcpPeerCluster(1, 2);
        Dictionary<string, string?> settings = cluster.Settings(1);
        IPEndPoint exporterEnd = IPEndPoint.Parse(settings["Listen"]!);
        using ServiceProvider services = new ServiceCollection().AddLogging(b => b.AddProvider(capture)).AddTcpProvider().BuildServiceProvider();
        using IRsmController exporter = NodeControllers.Open(services, 1, settings);

        Assert.AreEqual(AdmissionRefusal.OutOfRange, RawSegmentPeer.TryOpen(exporterEnd, 65, Key(settings), out _));
        using (RawSegmentPeer peer = RawSegmentPeer.Open(exporterEnd, 2, Key(settings)))
        {
            // A header with a bad magic: the exporter drops the connection and says why.
            _ = peer.Socket.Send(new byte[24]);
            Wait(() => capture.WithEventId(113).Count > 0, "the drop logged");
        }

        Wait(() => capture.WithEventId(110).Count > 0, "the refusal logged");
        CapturingLoggerProvider.Entry started = capture.WithEventId(114).Single();
        Assert.AreEqual("Rsm.Tcp", started.Category);
        StringAssert.Contains(started.Message, exporterEnd.ToString());
        CapturingLoggerProvider.Entry refused = capture.WithEventId(110)[0];
        StringAssert.Contains(refused.Message, "node 65");
        StringAssert.Contains(refused.Message, "above the highest node id 64");
        CapturingLoggerProvider.Entry dropped = capture.WithEventId(113)[0];
        Assert.AreEqual(LogLevel.Warning, dropped.Level);
        StringAssert.Contains(dropped.Message, nameof(ConnectionCloseReason.ProtocolViolation));
    }

    [ConformanceTest]
    public void TcpLogging_FloodOf2000BadHandshakes_BoundedLinesAndSuppressedCount()
    {
        const int Flood = 2000;
        var capture = new CapturingLoggerProvider();
        using var cluster = new TcpPeerCluster(1, 2);
        Dictionary<string, string?> settings = cluster.Settings(1);
        IPEndPoint exporterEnd = IPEndPoint.Parse(settings["Listen"]!);
        long started;
        long elapsed;
        using (ServiceProvider services = new ServiceCollection().AddLogging(b => b.AddProvider(capture)).AddTcpProvider().BuildServiceProvider())
        {
            using IRsmController exporter = NodeControllers.Open(services, 1, settings);
            started = Environment.TickCount64;
            byte[] garbage = new byte[24];
            for (int i = 0; i < Flood; i++)
            {
                using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { ReceiveTimeout = 10_000, SendTimeout = 10_000 };
                socket.Connect(exporterEnd);
                _ = socket.Send(garbage);
                byte[] buffer = new byte[64];
                try
                {
                    while (socket.Receive(buffer) > 0)
                    {
                    }
                }
                catch (SocketException)
                {
                    // A reset ends it too.
                }
            }

            Wait(() => capture.WithEventId(110).Count + capture.Suppressed() >= Flood || Environment.TickCount64 - started > 30_000, "the refusals handled");
            elapsed = Environment.TickCount64 - started;
        }

        // Five lines per 10 s interval at most, plus the lines with the counts held back (the last at disposal).
        long intervals = (elapsed / 10_000) + 1;
        int lines = capture.WithEventId(110).Count;
        TestContext.WriteLine($"{lines} refusal lines, {capture.WithEventId(119).Count} summaries, {capture.Suppressed()} suppressed, in {elapsed} ms");
        Assert.IsLessThanOrEqualTo((int)(5 * (intervals + 1)), lines);
        Assert.IsNotEmpty(capture.WithEventId(119));
        StringAssert.Contains(capture.WithEventId(119)[0].Message, "failed handshakes");
        Assert.AreEqual(Flood, lines + capture.Suppressed());
    }

    private static async Task<int> TrickleAsync(IPEndPoint target, CancellationToken stop)
    {
        // The start of a Hello, one byte at a time; a new connection whenever the exporter drops this one.
        byte[] hello = new byte[24 + 36];
        new FrameHeader(Opcode.Hello, 0, 36).Write(hello);
        int opened = 0;
        while (!stop.IsCancellationRequested)
        {
            using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            try
            {
                await socket.ConnectAsync(target, stop).AsTask().WaitAsync(TimeSpan.FromSeconds(10), stop);
                opened++;
                for (int i = 0; i < hello.Length - 1 && !stop.IsCancellationRequested; i++)
                {
                    _ = await socket.SendAsync(hello.AsMemory(i, 1), SocketFlags.None, stop).AsTask().WaitAsync(TimeSpan.FromSeconds(10), stop);
                    await Task.Delay(200, stop);
                    if (socket.Poll(0, SelectMode.SelectRead))
                    {
                        break;
                    }
                }

                await Task.Delay(100, stop);
            }
            catch (OperationCanceledException)
            {
                break;
            }
            catch (Exception ex) when (ex is SocketException or TimeoutException)
            {
                // Dropped by the exporter: open another.
            }
        }

        return opened;
    }

    private static byte[] Key(Dictionary<string, string?> settings) => Convert.FromBase64String(settings["ClusterKey"]!);

    private static byte[] Pattern(int length, int seed)
    {
        byte[] bytes = new byte[length];
        for (int i = 0; i < length; i++)
        {
            bytes[i] = (byte)((i * 31) + (seed * 7) + (i >> 8));
        }

        return bytes;
    }

    private static void Wait(Func<bool> condition, string what)
    {
        long deadline = Environment.TickCount64 + 15_000;
        while (!condition())
        {
            Assert.IsLessThan(deadline, Environment.TickCount64, $"timed out waiting for {what}");
            Thread.Sleep(20);
        }
    }

    /// <summary>An <see cref="ILoggerProvider"/> that keeps every entry with its event id and its count field.</summary>
    private sealed class CapturingLoggerProvider : ILoggerProvider
    {
        private readonly ConcurrentQueue<Entry> _entries = new();

        public IReadOnlyList<Entry> WithEventId(int id) => [.. _entries.Where(e => e.EventId == id)];

        public long Suppressed() => _entries.Where(e => e.EventId == 119).Sum(e => e.Suppressed);

        public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

        public void Dispose()
        {
        }

        internal readonly record struct Entry(string Category, int EventId, LogLevel Level, string Message, long Suppressed);

        private sealed class Logger(CapturingLoggerProvider owner, string category) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state)
                where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
            {
                long suppressed = state is IReadOnlyList<KeyValuePair<string, object?>> fields
                    ? fields.Where(f => f.Key == "Suppressed").Select(f => Convert.ToInt64(f.Value, CultureInfo.InvariantCulture)).FirstOrDefault()
                    : 0;
                owner._entries.Enqueue(new Entry(category, eventId.Id, logLevel, formatter(state, exception), suppressed));
            }
        }
    }
}
