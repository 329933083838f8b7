using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using Rsm.Benchmarks.Tcp;
using Rsm.Providers.Fabric.Interop;

namespace Rsm.Benchmarks.Fabric;

/// <summary>
/// Gets, puts and fetch-add through a Fabric import segment, each category against the raw libfabric loop measured in
/// the same run. Node 2 of this process imports a 1 MiB segment (created with the lock flag) that node 1 of the same
/// provider exports, on the libfabric provider <see cref="Transport"/>. The baseline of each category is the same
/// operation on two <see cref="FabricDomain"/>s of this process without Rsm: one registers 1 MiB, the other reads,
/// writes (with delivery completion, as a put does) and runs fetch-add on it and waits for each completion.
/// </summary>
/// <remarks>
/// Categories: an 8-byte put with its barrier (Explicit mode: open, put, close) against one 8-byte write with delivery
/// completion; a 1 MiB get against one 1 MiB read; a 1 MiB put with its barrier against one 1 MiB write; a stream of
/// 256 puts of 4 KiB with one barrier against 256 writes of 4 KiB, each waited for; an 8-byte fetch-add against one
/// fetching atomic. The allocation column counts every thread of the process (both nodes' control planes and progress
/// threads), per operation. Each case runs in three processes: on a 2-core machine the latency of an 8-byte operation on
/// shm depends on where the scheduler puts the caller and the exporter's progress thread, which differs from process to
/// process (about 1.1 or 2.3 us for the same loop), so one process per case would compare one placement with another.
/// </remarks>
[MemoryDiagnoser]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
[CategoriesColumn]
[SimpleJob(launchCount: 3, warmupCount: 2, iterationCount: 6)]
public class FabricBenchmarks
{
    /// <summary>The segment's length, and the bytes of the bulk get and put.</summary>
    public const int BulkSize = TcpGetPutBenchmarks.BulkSize;

    /// <summary>The bytes of the small put.</summary>
    public const int SmallSize = 8;

    /// <summary>The bytes of one put of the stream.</summary>
    public const int StreamMessageSize = 4096;

    /// <summary>The puts of one stream operation (together <see cref="BulkSize"/> bytes).</summary>
    public const int StreamMessages = BulkSize / StreamMessageSize;

    private const string PutSmall = "Put 8 B + barrier";
    private const string GetBulk = "Get 1 MiB";
    private const string PutBulk = "Put 1 MiB + barrier";
    private const string PutStream = "Put 256 x 4 KiB + barrier";
    private const string FetchAdd = "Fetch-add 8 B";

    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(5);

    private RsmPageMemory? _local;
    private RsmPageMemory? _exported;

    private FabricDomain? _target;
    private FabricDomain? _initiator;
    private FabricRegistration? _registration;
    private ulong _peer;

    private TcpNodePair? _nodes;
    private IExportSegment? _export;
    private IImportSegment? _import;
    private RsmBarrier? _barrier;

    /// <summary>The libfabric provider.</summary>
    [Params("tcp;ofi_rxm", "shm")]
    public string Transport { get; set; } = "tcp;ofi_rxm";

    [GlobalSetup(Targets = [nameof(RawSmallWrite), nameof(RawRead), nameof(RawWrite), nameof(RawStream), nameof(RawFetchAdd)])]
    public void SetupRaw()
    {
        try
        {
            _local = TcpGetPutBenchmarks.NewLocal();
            _exported = TcpGetPutBenchmarks.NewExported();
            _target = FabricDomain.Open(Transport);
            _initiator = FabricDomain.Open(Transport);
            _registration = _target.Register(_exported.Address, _exported.Length, remoteRead: true, remoteWrite: true, requestedKey: 0x5EED);
            _peer = _initiator.InsertPeer(_target.Address);

            // Check once that the loop moves the bytes, as the Rsm side's setup does.
            RawRead();
            TcpGetPutBenchmarks.Check(_exported.GetSpan(), _local.GetSpan(), "a raw read");
            _local.GetSpan().Fill(0x3C);
            RawStream();
            TcpGetPutBenchmarks.Check(_local.GetSpan(), _exported.GetSpan(), "a raw write stream");
        }
        catch
        {
            Cleanup();
            throw;
        }
    }

    [GlobalSetup(Targets = [nameof(SmallPut), nameof(Get), nameof(Put), nameof(StreamPut), nameof(ImportFetchAdd)])]
    public void SetupRsm()
    {
        try
        {
            _local = TcpGetPutBenchmarks.NewLocal();
            _exported = TcpGetPutBenchmarks.NewExported();
            _nodes = new TcpNodePair(Transport);
            _export = _nodes.Exporter.CreateExportSegment(_exported.Address, _exported.Length, ExportFlags.LockOperations);
            uint segmentId = _export.Publish(0, [new RsmAccessEntry(TcpNodePair.ImporterNodeId, 0x1B6)]);
            _import = _nodes.Importer.Connect(TcpNodePair.ExporterNodeId, segmentId, RsmPermissions.ReadWrite);
            _import.SetMode(RsmBarrierMode.Explicit);
            _barrier = _import.InitBarrier();

            // The first access maps the segment implicitly; keep that out of the measurement, and check once that the
            // bytes arrive.
            Get();
            TcpGetPutBenchmarks.Check(_exported.GetSpan(), _local.GetSpan(), "a get");
            _local.GetSpan().Fill(0x3C);
            StreamPut();
            TcpGetPutBenchmarks.Check(_local.GetSpan(), _exported.GetSpan(), "a put stream");
        }
        catch
        {
            Cleanup();
            throw;
        }
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _import?.Disconnect();
        _import = null;
        _export?.Destroy();
        _export = null;
        _nodes?.Dispose();
        _nodes = null;
        _initiator?.Dispose();
        _initiator = null;
        _registration?.Dispose();
        _registration = null;
        _target?.Dispose();
        _target = null;
        _exported?.Dispose();
        _exported = null;
        _local?.Dispose();
        _local = null;
    }

    [Benchmark(Baseline = true)]
    [BenchmarkCategory(PutSmall)]
    public void RawSmallWrite() => Raw(_initiator!.Write(_peer, _local!.Address, SmallSize, _registration!.RemoteBase, _registration.Key, deliveryComplete: true, s_timeout));

    [Benchmark]
    [BenchmarkCategory(PutSmall)]
    public void SmallPut()
    {
        _barrier!.Open();
        _import!.Put(0, _local!.GetSpan()[..SmallSize]);
        _barrier.Close();
    }

    [Benchmark(Baseline = true)]
    [BenchmarkCategory(GetBulk)]
    public void RawRead() => Raw(_initiator!.Read(_peer, _local!.Address, BulkSize, _registration!.RemoteBase, _registration.Key, s_timeout));

    [Benchmark]
    [BenchmarkCategory(GetBulk)]
    public void Get() => _import!.Get(0, _local!.GetSpan()[..BulkSize]);

    [Benchmark(Baseline = true)]
    [BenchmarkCategory(PutBulk)]
    public void RawWrite() => Raw(_initiator!.Write(_peer, _local!.Address, BulkSize, _registration!.RemoteBase, _registration.Key, deliveryComplete: true, s_timeout));

    [Benchmark]
    [BenchmarkCategory(PutBulk)]
    public void Put()
    {
        _barrier!.Open();
        _import!.Put(0, _local!.GetSpan()[..BulkSize]);
        _barrier.Close();
    }

    [Benchmark(Baseline = true)]
    [BenchmarkCategory(PutStream)]
    public void RawStream()
    {
        for (int i = 0; i < StreamMessages; i++)
        {
            int offset = i * StreamMessageSize;
            Raw(_initiator!.Write(_peer, _local!.Address + offset, StreamMessageSize, _registration!.RemoteBase + (ulong)offset, _registration.Key, deliveryComplete: true, s_timeout));
        }
    }

    [Benchmark]
    [BenchmarkCategory(PutStream)]
    public void StreamPut()
    {
        Span<byte> local = _local!.GetSpan();
        _barrier!.Open();
        for (int i = 0; i < StreamMessages; i++)
        {
            int offset = i * StreamMessageSize;
            _import!.Put(offset, local.Slice(offset, StreamMessageSize));
        }

        _barrier.Close();
    }

    [Benchmark(Baseline = true)]
    [BenchmarkCategory(FetchAdd)]
    public ulong RawFetchAdd()
    {
        ulong previous = _initiator!.FetchAdd(_peer, _registration!.RemoteBase, _registration.Key, 1, 8, s_timeout, out int status);
        Raw(status);
        return previous;
    }

    [Benchmark]
    [BenchmarkCategory(FetchAdd)]
    public ulong ImportFetchAdd() => _import!.FetchAdd64(0, 1);

    private static void Raw(int status)
    {
        if (status != 0)
        {
            throw new InvalidOperationException($"a raw fabric operation failed: {FabricLibrary.ErrorText(status)}");
        }
    }
}
