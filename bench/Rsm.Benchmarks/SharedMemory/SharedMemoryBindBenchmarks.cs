using BenchmarkDotNet.Attributes;

namespace Rsm.Benchmarks.SharedMemory;

/// <summary>
/// The cost of turning private memory into a SharedMemory export segment and back. Bind is
/// <c>CreateExportSegment</c> (the range's contents are written into a new memfd that is then mapped shared and fixed
/// over the range); unbind is <c>Destroy</c> of the unpublished segment (the contents are copied into freshly populated
/// private pages that are moved over the range, and the memfd is closed). The baseline is one plain copy of the same
/// number of bytes, so each ratio reads as "this many full copies".
/// </summary>
/// <remarks>
/// A bind needs an unbound range and an unbind a bound one, so every iteration works on <see cref="Ranges"/> separate
/// ranges, one per invocation, prepared (or undone) outside the measured time. The invocation count of a derived class
/// must equal its <see cref="Ranges"/>.
/// </remarks>
public abstract unsafe class SharedMemoryBindBenchmarksBase
{
    private IExportSegment?[] _exports = [];
    private SharedMemoryNode? _node;
    private RsmPageMemory[] _ranges = [];
    private RsmPageMemory? _copyTarget;
    private int _next;

    /// <summary>Bytes per range.</summary>
    [ParamsSource(nameof(Sizes))]
    public int Size { get; set; }

    /// <summary>The values of <see cref="Size"/>.</summary>
    public abstract IEnumerable<int> Sizes { get; }

    /// <summary>Ranges per iteration, one per invocation.</summary>
    protected abstract int Ranges { get; }

    [GlobalSetup]
    public void Setup()
    {
        _node = new SharedMemoryNode(SharedMemoryNode.NewPrefix(), 0);
        _exports = new IExportSegment?[Ranges];
        _ranges = new RsmPageMemory[Ranges];
        for (int i = 0; i < Ranges; i++)
        {
            _ranges[i] = RsmPageMemory.Allocate((nuint)Size);
            _ranges[i].GetSpan().Fill((byte)(i + 1));
        }

        _copyTarget = RsmPageMemory.Allocate((nuint)Size);
        _copyTarget.GetSpan().Clear();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        UnbindAll();
        _node?.Dispose();
        foreach (RsmPageMemory range in _ranges)
        {
            range.Dispose();
        }

        _copyTarget?.Dispose();
    }

    [IterationSetup(Targets = [nameof(Copy), nameof(Bind)])]
    public void Restart() => _next = 0;

    [IterationSetup(Target = nameof(Unbind))]
    public void BindAll()
    {
        _next = 0;
        for (int i = 0; i < _ranges.Length; i++)
        {
            _exports[i] = _node!.Controller.CreateExportSegment(_ranges[i].Address, _ranges[i].Length);
        }
    }

    [IterationCleanup(Target = nameof(Bind))]
    public void UnbindAll()
    {
        for (int i = 0; i < _exports.Length; i++)
        {
            _exports[i]?.Destroy();
            _exports[i] = null;
        }
    }

    [Benchmark(Baseline = true)]
    public void Copy()
    {
        RsmPageMemory source = _ranges[Next()];
        Buffer.MemoryCopy((void*)source.Address, (void*)_copyTarget!.Address, _copyTarget.Length, source.Length);
    }

    [Benchmark]
    public void Bind()
    {
        int i = Next();
        _exports[i] = _node!.Controller.CreateExportSegment(_ranges[i].Address, _ranges[i].Length);
    }

    [Benchmark]
    public void Unbind()
    {
        int i = Next();
        _exports[i]!.Destroy();
        _exports[i] = null;
    }

    private int Next() =>
        _next < _ranges.Length ? _next++ : throw new InvalidOperationException($"more than {_ranges.Length} invocations in one iteration; the invocation count must match the prepared ranges");
}

/// <summary>Bind and unbind of 64 KiB and 1 MiB, 256 ranges per iteration.</summary>
[MemoryDiagnoser]
[SimpleJob(launchCount: 1, warmupCount: 2, iterationCount: 20)]
[InvocationCount(RangeCount, 1)]
public class SharedMemoryBindBenchmarks : SharedMemoryBindBenchmarksBase
{
    private const int RangeCount = 256;

    public override IEnumerable<int> Sizes => [65536, 1048576];

    protected override int Ranges => RangeCount;
}

/// <summary>Bind and unbind of 64 MiB, 16 ranges per iteration (1 GiB in all).</summary>
[MemoryDiagnoser]
[SimpleJob(launchCount: 1, warmupCount: 2, iterationCount: 15)]
[InvocationCount(RangeCount, 1)]
public class SharedMemoryBindLargeBenchmarks : SharedMemoryBindBenchmarksBase
{
    private const int RangeCount = 16;

    public override IEnumerable<int> Sizes => [67108864];

    protected override int Ranges => RangeCount;
}
