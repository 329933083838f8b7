using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;

namespace Rsm.Benchmarks.Tcp;

/// <summary>
/// Get and put through a Tcp import segment, each category against raw sockets measured in the same run. Node 2 of this
/// process imports a 1 MiB segment that node 1 of the same provider exports; the two talk over an authenticated TCP
/// connection on 127.0.0.1. The baseline of each category (<see cref="RawLoopbackPeer"/>) is a connected socket pair on
/// 127.0.0.1 in the same process, <c>NoDelay</c> on both sides, whose serving thread reads into or sends from memory of
/// its own, moving the same bytes with the least framing possible.
/// </summary>
/// <remarks>
/// Categories: a 1 MiB get; a 1 MiB put, pipelined with a close barrier (Explicit mode) or acknowledged (Implicit mode);
/// a 64-byte put with a close barrier against a 64-byte send and a 4-byte acknowledgement; a stream of 256 puts of
/// 4 KiB with one close barrier against 256 sends of 4 KiB and one acknowledgement. The allocation column counts every
/// thread of the process (both nodes' readers and workers, the raw serving thread), per operation.
/// </remarks>
[MemoryDiagnoser]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
[CategoriesColumn]
[SimpleJob(launchCount: 1, warmupCount: 3, iterationCount: 15)]
public class TcpGetPutBenchmarks
{
    /// <summary>The segment's length, and the bytes of the bulk get and put.</summary>
    public const int BulkSize = 1 << 20;

    /// <summary>The bytes of the small put.</summary>
    public const int SmallSize = 64;

    /// <summary>The bytes of one put of the stream.</summary>
    public const int StreamMessageSize = 4096;

    /// <summary>The puts of one stream operation (together <see cref="BulkSize"/> bytes).</summary>
    public const int StreamMessages = BulkSize / StreamMessageSize;

    private const string GetBulk = "Get 1 MiB";
    private const string PutBulk = "Put 1 MiB";
    private const string PutSmall = "Put 64 B";
    private const string PutStream = "Put 256 x 4 KiB";

    private RsmPageMemory? _local;
    private RawLoopbackPeer? _raw;
    private TcpNodePair? _nodes;
    private RsmPageMemory? _exported;
    private IExportSegment? _export;
    private IImportSegment? _acknowledged;
    private IImportSegment? _pipelined;
    private RsmBarrier? _barrier;

    [GlobalSetup(Target = nameof(RawGet))]
    public void SetupRawGet() => StartRaw(RawExchange.Get, 0);

    [GlobalSetup(Target = nameof(RawPut))]
    public void SetupRawPut() => StartRaw(RawExchange.Put, BulkSize);

    [GlobalSetup(Target = nameof(RawRoundTrip))]
    public void SetupRawRoundTrip() => StartRaw(RawExchange.Put, SmallSize);

    [GlobalSetup(Target = nameof(RawStream))]
    public void SetupRawStream() => StartRaw(RawExchange.Put, BulkSize);

    [GlobalSetup(Targets = [nameof(Get), nameof(PutExplicit), nameof(PutImplicit), nameof(SmallPutExplicit), nameof(SmallPutImplicit), nameof(StreamPutExplicit)])]
    public void SetupTcp()
    {
        try
        {
            _local = NewLocal();
            _nodes = new TcpNodePair();
            _exported = NewExported();
            _export = _nodes.Exporter.CreateExportSegment(_exported.Address, _exported.Length);
            uint segmentId = _export.Publish(0, [new RsmAccessEntry(TcpNodePair.ImporterNodeId, 0x1B6)]);

            // Implicit mode (the default) needs a barrier for its generation check; every put waits for its acknowledgement.
            _acknowledged = _nodes.Importer.Connect(TcpNodePair.ExporterNodeId, segmentId, RsmPermissions.ReadWrite);
            _ = _acknowledged.InitBarrier();

            // Explicit mode: puts are pipelined, and the close barrier waits for all their acknowledgements.
            _pipelined = _nodes.Importer.Connect(TcpNodePair.ExporterNodeId, segmentId, RsmPermissions.ReadWrite);
            _pipelined.SetMode(RsmBarrierMode.Explicit);
            _barrier = _pipelined.InitBarrier();

            // The first access maps the segment implicitly; keep that, and the first use of the connection, out of the
            // measurement, and check once that the bytes arrive.
            _acknowledged.Get(0, _local.GetSpan());
            Check(_local.GetSpan(), _exported.GetSpan(), "a get");
            _local.GetSpan().Fill(0x5A);
            _acknowledged.Put(0, _local.GetSpan());
            Check(_local.GetSpan(), _exported.GetSpan(), "an acknowledged put");
            _local.GetSpan().Fill(0x3C);
            StreamPutExplicit();
            Check(_local.GetSpan(), _exported.GetSpan(), "a pipelined put stream");
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
        _raw?.Dispose();
        _raw = null;
        _acknowledged?.Disconnect();
        _acknowledged = null;
        _pipelined?.Disconnect();
        _pipelined = null;
        _export?.Destroy();
        _export = null;
        _nodes?.Dispose();
        _nodes = null;
        _exported?.Dispose();
        _exported = null;
        _local?.Dispose();
        _local = null;
    }

    [Benchmark(Baseline = true)]
    [BenchmarkCategory(GetBulk)]
    public void RawGet() => _raw!.Get(_local!.GetSpan()[..BulkSize]);

    [Benchmark]
    [BenchmarkCategory(GetBulk)]
    public void Get() => _acknowledged!.Get(0, _local!.GetSpan()[..BulkSize]);

    [Benchmark(Baseline = true)]
    [BenchmarkCategory(PutBulk)]
    public void RawPut() => _raw!.Put(_local!.GetSpan()[..BulkSize], BulkSize);

    [Benchmark]
    [BenchmarkCategory(PutBulk)]
    public void PutExplicit()
    {
        _barrier!.Open();
        _pipelined!.Put(0, _local!.GetSpan()[..BulkSize]);
        _barrier.Close();
    }

    [Benchmark]
    [BenchmarkCategory(PutBulk)]
    public void PutImplicit() => _acknowledged!.Put(0, _local!.GetSpan()[..BulkSize]);

    [Benchmark(Baseline = true)]
    [BenchmarkCategory(PutSmall)]
    public void RawRoundTrip() => _raw!.Put(_local!.GetSpan()[..SmallSize], SmallSize);

    [Benchmark]
    [BenchmarkCategory(PutSmall)]
    public void SmallPutExplicit()
    {
        _barrier!.Open();
        _pipelined!.Put(0, _local!.GetSpan()[..SmallSize]);
        _barrier.Close();
    }

    [Benchmark]
    [BenchmarkCategory(PutSmall)]
    public void SmallPutImplicit() => _acknowledged!.Put(0, _local!.GetSpan()[..SmallSize]);

    [Benchmark(Baseline = true)]
    [BenchmarkCategory(PutStream)]
    public void RawStream() => _raw!.Put(_local!.GetSpan()[..BulkSize], StreamMessageSize);

    [Benchmark]
    [BenchmarkCategory(PutStream)]
    public void StreamPutExplicit()
    {
        Span<byte> local = _local!.GetSpan();
        _barrier!.Open();
        for (int i = 0; i < StreamMessages; i++)
        {
            int offset = i * StreamMessageSize;
            _pipelined!.Put(offset, local.Slice(offset, StreamMessageSize));
        }

        _barrier.Close();
    }

    /// <summary>The importer's local buffer of <see cref="BulkSize"/> bytes, filled with 0x5A.</summary>
    internal static RsmPageMemory NewLocal()
    {
        RsmPageMemory local = RsmPageMemory.Allocate(BulkSize);
        local.GetSpan().Fill(0x5A);
        return local;
    }

    /// <summary>The memory an exporter exports: <see cref="BulkSize"/> bytes, filled with 0xA5.</summary>
    internal static RsmPageMemory NewExported()
    {
        RsmPageMemory exported = RsmPageMemory.Allocate(BulkSize);
        exported.GetSpan().Fill(0xA5);
        return exported;
    }

    /// <summary>Throws when a setup's first transfer did not move the bytes it should have.</summary>
    internal static void Check(ReadOnlySpan<byte> expected, ReadOnlySpan<byte> actual, string what)
    {
        if (!expected.SequenceEqual(actual))
        {
            throw new InvalidOperationException($"{what} did not move the bytes it should have");
        }
    }

    private void StartRaw(RawExchange exchange, int putLength)
    {
        try
        {
            _local = NewLocal();
            _raw = RawLoopbackPeer.Start(exchange, BulkSize, putLength);
            _raw.Memory.Fill(0xA5);

            // One exchange proves the peer answers and moves the bytes before anything is measured.
            if (exchange == RawExchange.Get)
            {
                RawGet();
                Check(_local.GetSpan(), _raw.Memory, "a raw get");
            }
            else
            {
                _raw.Put(_local.GetSpan()[..putLength], putLength);
                Check(_local.GetSpan()[..putLength], _raw.Memory[..putLength], "a raw put");
            }
        }
        catch
        {
            Cleanup();
            throw;
        }
    }
}
