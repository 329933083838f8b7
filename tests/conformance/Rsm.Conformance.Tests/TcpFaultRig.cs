using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Rsm.Conformance.Tests;

/// <summary>
/// The nodes of a fault test, all in this process on 127.0.0.1: node 1 exports, nodes 2 and 3 are well-behaved importers
/// (see <see cref="ImporterWorker"/>), and node 4 is an importer whose directory sends it to the exporter through a
/// <see cref="TcpFaultProxy"/>. Raw peers (<see cref="RawSegmentPeer"/>) dial the exporter as node 9. Every node runs
/// with a short send-stall bound (<see cref="SendTimeout"/>) and the given silence limit; the log of every node is kept.
/// </summary>
internal sealed partial class TcpFaultRig : IDisposable
{
    public const uint ExporterNode = 1;
    public const uint FaultyNode = 4;
    public const uint RawNode = 9;
    public const int SegmentLength = 8 << 20;

    /// <summary>The shared segment: raw peers use [0, 4 MiB), the workers 4 MiB and 5 MiB, and nobody writes 7 MiB on.</summary>
    public const uint SharedId = 0x670001;

    /// <summary>The segment the proxied importer (node 4) uses alone.</summary>
    public const uint FaultyId = 0x670002;

    /// <summary>A small segment each well-behaved node holds an import of, to learn when the exporter has handled what it sent before.</summary>
    public const uint SyncId = 0x670009;

    public const long RawRegion = 0;
    public const long FixedRegion = 7L << 20;

    public static readonly uint[] HealthyNodes = [2, 3];

    /// <summary>The send-stall bound: a peer that takes no queued byte for this long is dropped.</summary>
    public static readonly TimeSpan SendTimeout = TimeSpan.FromSeconds(2);

    public static readonly TimeSpan KeepAliveInterval = TimeSpan.FromMilliseconds(500);

    /// <summary>Also the bound on every request, and on the wait of unpublish and destroy for the importers' acknowledgements.</summary>
    public static readonly TimeSpan ConnectTimeout = TimeSpan.FromSeconds(5);

    /// <summary>The configured bound on dropping a peer that stopped taking bytes: the send-stall bound plus one keep-alive tick.</summary>
    public static readonly TimeSpan DropBound = SendTimeout + KeepAliveInterval;

    /// <summary>What the tests allow: no operation of a well-behaved importer, and no drop, takes more than 1 s beyond the bound.</summary>
    public static readonly TimeSpan StallLimit = DropBound + TimeSpan.FromSeconds(1);

    private static readonly TimeSpan s_teardownLimit = TimeSpan.FromSeconds(20);

    private readonly TcpPeerCluster _cluster = new(ExporterNode, HealthyNodes[0], HealthyNodes[1], FaultyNode);
    private readonly ServiceProvider _services;
    private readonly List<ExportedSegment> _segments = [];
    private readonly List<ImporterWorker> _workers = [];
    private readonly List<IRsmController> _controllers = [];
    private readonly List<IImportSegment> _sentinels = [];
    private bool _shutDown;

    public TcpFaultRig(TimeSpan silenceLimit)
    {
        SilenceLimit = silenceLimit;
        Log = new CapturedLog();
        _services = new ServiceCollection().AddSingleton<ILoggerFactory>(Log).AddTcpProvider().BuildServiceProvider();
        Dictionary<string, string?> exporterSettings = Settings(ExporterNode);
        ExporterEndPoint = IPEndPoint.Parse(exporterSettings["Listen"]!);
        Key = Convert.FromBase64String(exporterSettings["ClusterKey"]!);
        Proxy = new TcpFaultProxy(ExporterEndPoint);
        try
        {
            Exporter = Open(ExporterNode, exporterSettings);
            Healthy = [.. HealthyNodes.Select(node => Open(node, Settings(node)))];
            Dictionary<string, string?> faultySettings = Settings(FaultyNode);
            faultySettings[string.Create(CultureInfo.InvariantCulture, $"Nodes:{ExporterNode}")] = Proxy.EndPoint.ToString();
            Faulty = Open(FaultyNode, faultySettings);
        }
        catch (RsmException ex) when (ex.Error == RsmError.BadConfiguration)
        {
            // The cluster's ports are found free and bound later; another socket may take one in between. The caller
            // tries again with new ports (see Create).
            foreach (IRsmController controller in _controllers)
            {
                controller.Dispose();
            }

            _services.Dispose();
            Proxy.Dispose();
            _shutDown = true;
            throw;
        }

        Shared = Export(SharedId);
        FaultySegment = Export(FaultyId);
        ExportedSegment sync = Export(SyncId, 64 * 1024);
        foreach (IRsmController healthy in Healthy)
        {
            IImportSegment sentinel = healthy.Connect(ExporterNode, sync.Id, RsmPermissions.Read);
            _ = sentinel.InitBarrier();
            _sentinels.Add(sentinel);
        }
    }

    public TimeSpan SilenceLimit { get; }

    /// <summary>A rig with the given silence limit; tries new ports when a node's port was taken before it could listen.</summary>
    public static TcpFaultRig Create(TimeSpan silenceLimit)
    {
        for (int attempt = 1; ; attempt++)
        {
            try
            {
                return new TcpFaultRig(silenceLimit);
            }
            catch (RsmException ex) when (ex.Error == RsmError.BadConfiguration && attempt < 3)
            {
                // Taken in between: new ports next time.
            }
        }
    }

    public CapturedLog Log { get; }

    public IPEndPoint ExporterEndPoint { get; }

    public byte[] Key { get; }

    public TcpFaultProxy Proxy { get; }

    public IRsmController Exporter { get; }

    public IReadOnlyList<IRsmController> Healthy { get; }

    /// <summary>Node 4, which reaches the exporter only through <see cref="Proxy"/>.</summary>
    public IRsmController Faulty { get; }

    public ExportedSegment Shared { get; }

    public ExportedSegment FaultySegment { get; }

    public IReadOnlyList<ImporterWorker> Workers => _workers;

    /// <summary>The byte the exporter's memory starts with at <paramref name="offset"/>: different in every page and every MiB.</summary>
    public static byte Pattern(long offset) => (byte)((offset * 31) + ((offset >> 10) * 17) + ((offset >> 20) * 101));

    /// <summary>Creates and publishes (to every node) a segment, 8 MiB unless told, filled with <see cref="Pattern"/>.</summary>
    public ExportedSegment Export(uint id, int length = SegmentLength)
    {
        RsmPageMemory memory = RsmPageMemory.Allocate((nuint)length);
        Span<byte> bytes = memory.GetSpan();
        for (int i = 0; i < bytes.Length; i++)
        {
            bytes[i] = Pattern(i);
        }

        IExportSegment export = Exporter.CreateExportSegment(memory.Address, memory.Length);
        export.Publish(id);
        var segment = new ExportedSegment(id, memory, export);
        _segments.Add(segment);
        return segment;
    }

    /// <summary>Connects a worker of each well-behaved node to <paramref name="segment"/> and starts them.</summary>
    public IReadOnlyList<ImporterWorker> StartWorkers(ExportedSegment segment)
    {
        for (int i = 0; i < Healthy.Count; i++)
        {
            _workers.Add(new ImporterWorker(Healthy[i], HealthyNodes[i], segment, (4L + i) << 20, FixedRegion));
        }

        // Every worker is connected before any starts: the connections are in place for a steady count.
        foreach (ImporterWorker worker in _workers)
        {
            worker.Start();
        }

        long deadline = Environment.TickCount64 + 10_000;
        while (_workers.Any(w => w.Operations < 3 && w.Failure is null) && Environment.TickCount64 < deadline)
        {
            Thread.Sleep(10);
        }

        return _workers;
    }

    /// <summary>
    /// Waits until the exporter has handled everything the well-behaved nodes sent it so far: a disconnect only queues its
    /// frame, but the exporter handles the frames of one connection in order, so a get through the same connection that
    /// has returned comes after it.
    /// </summary>
    public void SyncWithExporter()
    {
        byte[] probe = new byte[8];
        foreach (IImportSegment sentinel in _sentinels)
        {
            _ = Bounded.Succeeds(() => sentinel.Get(0, probe), ConnectTimeout, "get of a sentinel import");
        }
    }

    /// <summary>Connects node 4 (through the proxy) to its segment in Implicit mode and checks one get.</summary>
    public IImportSegment ConnectFaulty()
    {
        IImportSegment import = Faulty.Connect(ExporterNode, FaultyId, RsmPermissions.ReadWrite);
        _ = import.InitBarrier();
        byte[] probe = new byte[4096];
        import.Get(FixedRegion, probe);
        CollectionAssert.AreEqual(FaultySegment.Expected(FixedRegion, probe.Length), probe, "the proxied importer's first get");
        return import;
    }

    /// <summary>Stops every worker (bounded) and fails the test with their numbers unless each ended and none failed.</summary>
    public string StopWorkers()
    {
        string[] stuck = [.. _workers.Where(w => !w.Stop(StallLimit + TimeSpan.FromSeconds(5))).Select(w => w.ToString())];
        string summary = string.Join("; ", _workers);
        Assert.IsEmpty(stuck, $"workers still inside an operation: {string.Join("; ", stuck)}");
        return summary;
    }

    /// <summary>
    /// Destroys <paramref name="segment"/> on a thread of its own, waiting at most <paramref name="limit"/>; how many
    /// importers the exporter still had to abort comes from its log (-1 when it logged none).
    /// </summary>
    public (BoundedOutcome Outcome, int Aborted) Destroy(ExportedSegment segment, TimeSpan limit)
    {
        bool wasPublished = segment.IsPublished;
        BoundedOutcome outcome = Bounded.Run(segment.Export.Destroy, limit, $"destroy of segment 0x{segment.Id:x}");
        if (outcome.Returned)
        {
            segment.IsPublished = false;
            segment.IsDestroyed = outcome.Error == RsmError.Success;
        }

        return (outcome, wasPublished && outcome.Returned ? UnpublishedAborts(segment.Id) : 0);
    }

    /// <summary>Unpublishes <paramref name="segment"/> on a thread of its own, like <see cref="Destroy"/>.</summary>
    public (BoundedOutcome Outcome, int Aborted) Unpublish(ExportedSegment segment, TimeSpan limit)
    {
        BoundedOutcome outcome = Bounded.Run(segment.Export.Unpublish, limit, $"unpublish of segment 0x{segment.Id:x}");
        if (outcome.Returned && outcome.Error == RsmError.Success)
        {
            segment.IsPublished = false;
        }

        return (outcome, outcome.Returned ? UnpublishedAborts(segment.Id) : -1);
    }

    /// <summary>The importers the exporter's log says the last unpublish (or destroy) of <paramref name="id"/> aborted; -1 when it logged none.</summary>
    public int UnpublishedAborts(uint id)
    {
        string prefix = string.Create(CultureInfo.InvariantCulture, $"Segment {id} unpublished; ");
        IReadOnlyList<CapturedLog.Entry> entries = Log.Containing(prefix);
        CapturedLog.Entry entry = entries.Count > 0 ? entries[^1] : default;
        Match match = AbortedCount().Match(entry.Message ?? string.Empty);
        return match.Success ? int.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture) : -1;
    }

    /// <summary>Stops the workers, destroys what is left, closes every node and the proxy; each step bounded, the whole in <see cref="s_teardownLimit"/>.</summary>
    public void Shutdown()
    {
        if (_shutDown)
        {
            return;
        }

        _shutDown = true;
        BoundedOutcome outcome = Bounded.Run(
            () =>
            {
                foreach (ImporterWorker worker in _workers)
                {
                    _ = worker.Stop(StallLimit);
                }

                foreach (ExportedSegment segment in _segments.Where(s => !s.IsDestroyed))
                {
                    segment.Export.Destroy();
                    segment.IsDestroyed = true;
                }

                for (int i = _controllers.Count - 1; i >= 0; i--)
                {
                    _controllers[i].Dispose();
                }

                _services.Dispose();
                _cluster.Dispose();
                Proxy.Dispose();
                foreach (ExportedSegment segment in _segments)
                {
                    segment.Memory.Dispose();
                }
            },
            s_teardownLimit,
            "fault rig teardown");
        Assert.IsTrue(outcome.Returned && outcome.Other is null && outcome.Error == RsmError.Success, $"teardown: {outcome}");
    }

    public void Dispose()
    {
        try
        {
            Shutdown();
        }
        catch (AssertFailedException)
        {
            // The test is failing already; what hung is left behind on its thread.
        }
    }

    private Dictionary<string, string?> Settings(uint node)
    {
        Dictionary<string, string?> settings = _cluster.Settings(node);
        settings["ConnectTimeout"] = ConnectTimeout.ToString("c", CultureInfo.InvariantCulture);
        settings["KeepAliveInterval"] = KeepAliveInterval.ToString("c", CultureInfo.InvariantCulture);
        settings["SilenceLimit"] = SilenceLimit.ToString("c", CultureInfo.InvariantCulture);
        settings["SendTimeout"] = SendTimeout.ToString("c", CultureInfo.InvariantCulture);
        return settings;
    }

    private IRsmController Open(uint node, Dictionary<string, string?> settings)
    {
        IRsmController controller = NodeControllers.Open(_services, node, settings);
        _controllers.Add(controller);
        return controller;
    }

    [GeneratedRegex(@"; (\d+) importers aborted")]
    private static partial Regex AbortedCount();

    /// <summary>A segment of the exporter, its memory and what an untouched range of it holds.</summary>
    internal sealed class ExportedSegment(uint id, RsmPageMemory memory, IExportSegment export)
    {
        public uint Id { get; } = id;

        public RsmPageMemory Memory { get; } = memory;

        public IExportSegment Export { get; } = export;

        public bool IsPublished { get; set; } = true;

        public bool IsDestroyed { get; set; }

        /// <summary>What the exporter's memory held at creation in [<paramref name="offset"/>, +<paramref name="length"/>).</summary>
        public byte[] Expected(long offset, int length)
        {
            byte[] bytes = new byte[length];
            for (int i = 0; i < length; i++)
            {
                bytes[i] = Pattern(offset + i);
            }

            return bytes;
        }
    }
}
