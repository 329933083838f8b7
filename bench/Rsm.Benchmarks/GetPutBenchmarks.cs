using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;

namespace Rsm.Benchmarks;

/// <summary>
/// Get and put through an import segment in Explicit mode, each against a raw <c>Span.CopyTo</c> of the same size between
/// the same two page-aligned buffers, measured in the same run (the ratio is the figure that matters). The exported buffer
/// is the segment's memory; the local buffer is private. A provider's class supplies the controller.
/// </summary>
[MemoryDiagnoser]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
[CategoriesColumn]
public abstract class GetPutBenchmarks
{
    private IRsmController? _controller;
    private RsmPageMemory? _exported;
    private RsmPageMemory? _local;
    private IExportSegment? _export;
    private IImportSegment? _import;

    /// <summary>Bytes per call.</summary>
    [Params(8, 4096, 1048576)]
    public int Size { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _controller = OpenController();
        _exported = RsmPageMemory.Allocate((nuint)Size);
        _local = RsmPageMemory.Allocate((nuint)Size);
        _exported.GetSpan().Fill(0xA5);
        _local.GetSpan().Fill(0x5A);

        _export = _controller.CreateExportSegment(_exported.Address, _exported.Length);
        uint segmentId = _export.Publish(0, [new RsmAccessEntry(_controller.LocalNodeId, 0x1B6)]);
        _import = _controller.Connect(_controller.LocalNodeId, segmentId, RsmPermissions.ReadWrite);
        _import.SetMode(RsmBarrierMode.Explicit);

        // The first access maps the segment implicitly; keep that out of the measurement.
        _import.Get(0, _local.GetSpan()[..Size]);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _import?.Disconnect();
        _export?.Destroy();
        CloseProvider();
        _exported?.Dispose();
        _local?.Dispose();
    }

    [Benchmark(Baseline = true, Description = "CopyBaseline")]
    [BenchmarkCategory("Get")]
    public void CopyBaseline() => _exported!.GetSpan()[..Size].CopyTo(_local!.GetSpan());

    [Benchmark]
    [BenchmarkCategory("Get")]
    public void Get() => _import!.Get(0, _local!.GetSpan()[..Size]);

    [Benchmark(Baseline = true, Description = "CopyBaseline")]
    [BenchmarkCategory("Put")]
    public void CopyBaselinePut() => _local!.GetSpan()[..Size].CopyTo(_exported!.GetSpan());

    [Benchmark]
    [BenchmarkCategory("Put")]
    public void Put() => _import!.Put(0, _local!.GetSpan()[..Size]);

    /// <summary>Opens the controller whose importer and exporter the benchmark uses.</summary>
    /// <returns>A controller, released by <see cref="CloseProvider"/>.</returns>
    protected abstract IRsmController OpenController();

    /// <summary>Releases the controller and what <see cref="OpenController"/> created with it.</summary>
    protected abstract void CloseProvider();
}
