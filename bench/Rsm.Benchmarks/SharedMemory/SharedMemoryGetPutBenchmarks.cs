using BenchmarkDotNet.Attributes;

namespace Rsm.Benchmarks.SharedMemory;

/// <summary>
/// Get and put through a SharedMemory import segment against a raw copy of the same size. After export creation the
/// exported buffer is the segment's shared memfd pages. The import reaches the segment through its rendezvous socket and
/// maps the memfd the exporter passed, exactly as an importer in another process does; it only happens to live in this process.
/// </summary>
[SimpleJob(launchCount: 1, warmupCount: 3, iterationCount: 10)]
public class SharedMemoryGetPutBenchmarks : GetPutBenchmarks
{
    private SharedMemoryNode? _node;

    protected override IRsmController OpenController()
    {
        _node = new SharedMemoryNode(SharedMemoryNode.NewPrefix(), 0);
        return _node.Controller;
    }

    protected override void CloseProvider() => _node?.Dispose();
}
