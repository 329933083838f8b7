using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;

namespace Rsm.Benchmarks.Tcp;

/// <summary>
/// What frame protection costs: the same 1 MiB get and put through a Tcp import segment, between two nodes of this
/// process on 127.0.0.1, without TLS (the baseline of each category) and with TLS and node certificates, whose records
/// authenticate every byte after the handshake. With TLS a large frame is received whole before it is handled, so the
/// protected side also pays one copy per transfer besides encryption.
/// </summary>
[MemoryDiagnoser]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
[CategoriesColumn]
[SimpleJob(launchCount: 1, warmupCount: 3, iterationCount: 15)]
public class TcpTlsBenchmarks
{
    private const int BulkSize = TcpGetPutBenchmarks.BulkSize;
    private const string GetBulk = "Get 1 MiB";
    private const string PutBulk = "Put 1 MiB, Implicit";

    private BenchClusterPki? _pki;
    private TcpNodeGroup? _nodes;
    private RsmPageMemory? _local;
    private RsmPageMemory? _exported;
    private IExportSegment? _export;
    private IImportSegment? _import;

    [GlobalSetup(Targets = [nameof(Get), nameof(Put)])]
    public void SetupPlain() => Start(tls: false);

    [GlobalSetup(Targets = [nameof(GetTls), nameof(PutTls)])]
    public void SetupTls() => Start(tls: true);

    [GlobalCleanup]
    public void Cleanup()
    {
        _import?.Disconnect();
        _import = null;
        _export?.Destroy();
        _export = null;
        _nodes?.Dispose();
        _nodes = null;
        _pki?.Dispose();
        _pki = null;
        _exported?.Dispose();
        _exported = null;
        _local?.Dispose();
        _local = null;
    }

    [Benchmark(Baseline = true)]
    [BenchmarkCategory(GetBulk)]
    public void Get() => _import!.Get(0, _local!.GetSpan());

    [Benchmark]
    [BenchmarkCategory(GetBulk)]
    public void GetTls() => _import!.Get(0, _local!.GetSpan());

    [Benchmark(Baseline = true)]
    [BenchmarkCategory(PutBulk)]
    public void Put() => _import!.Put(0, _local!.GetSpan());

    [Benchmark]
    [BenchmarkCategory(PutBulk)]
    public void PutTls() => _import!.Put(0, _local!.GetSpan());

    private void Start(bool tls)
    {
        try
        {
            if (tls)
            {
                _pki = new BenchClusterPki([TcpNodeGroup.ExporterNodeId, TcpNodeGroup.ImporterNodeId(0)]);
            }

            BenchClusterPki? pki = _pki;
            _nodes = new TcpNodeGroup(1, pki is null ? null : pki.Settings);
            _local = RsmPageMemory.Allocate(BulkSize);
            _exported = RsmPageMemory.Allocate(BulkSize);
            _exported.GetSpan().Fill(0xA5);
            _export = _nodes.Exporter.CreateExportSegment(_exported.Address, _exported.Length);
            uint segmentId = _export.Publish(0, [new RsmAccessEntry(TcpNodeGroup.ImporterNodeId(0), 0x1B6)]);
            _import = _nodes.Importers[0].Connect(TcpNodeGroup.ExporterNodeId, segmentId, RsmPermissions.ReadWrite);
            _ = _import.InitBarrier();

            // The first access maps the segment and uses the connection; keep both out of the measurement, and check
            // once that the bytes arrive both ways.
            _import.Get(0, _local.GetSpan());
            TcpGetPutBenchmarks.Check(_exported.GetSpan(), _local.GetSpan(), "a get");
            _local.GetSpan().Fill(0x5A);
            _import.Put(0, _local.GetSpan());
            TcpGetPutBenchmarks.Check(_local.GetSpan(), _exported.GetSpan(), "a put");
        }
        catch
        {
            Cleanup();
            throw;
        }
    }
}
