using System.Globalization;
using BenchmarkDotNet.Attributes;

namespace Rsm.Benchmarks.SharedMemory;

/// <summary>
/// Cross-process signal round trips. This process exports and publishes a segment; a child process (this assembly
/// again, see <see cref="EchoChild"/>) connects to it as node 1 and answers every signal with one back. One operation is
/// <c>SignalPost</c> on the export followed by <c>SignalWait</c> for the child's answer. The baseline is the same
/// ping-pong on two raw eventfds the child inherits: write one, poll and read the other.
/// </summary>
[MemoryDiagnoser]
[SimpleJob(launchCount: 1, warmupCount: 3, iterationCount: 10)]
public class SharedMemorySignalRoundTripBenchmarks
{
    /// <summary>The longest one side waits for the other's answer before the run fails.</summary>
    private const int TimeoutMilliseconds = 5000;

    private SharedMemoryNode? _node;
    private RsmPageMemory? _memory;
    private IExportSegment? _export;
    private EchoChild? _child;
    private int _toChild = -1;
    private int _toParent = -1;

    [GlobalSetup(Target = nameof(EventfdRoundTrip))]
    public void SetupEventfd()
    {
        try
        {
            // Without EFD_CLOEXEC the child inherits both descriptors under the same numbers.
            _toChild = (int)Native.Check(Native.EventFd(0, Native.EfdSemaphore | Native.EfdNonBlock), "eventfd");
            _toParent = (int)Native.Check(Native.EventFd(0, Native.EfdSemaphore | Native.EfdNonBlock), "eventfd");
            _child = EchoChild.Start("eventfd", Text(_toChild), Text(_toParent));

            // One round trip proves the child answers before anything is measured.
            EventfdRoundTrip();
        }
        catch
        {
            Cleanup();
            throw;
        }
    }

    [GlobalSetup(Target = nameof(SignalRoundTrip))]
    public void SetupSignal()
    {
        try
        {
            string prefix = SharedMemoryNode.NewPrefix();
            _node = new SharedMemoryNode(prefix, 0);
            _memory = RsmPageMemory.Allocate(RsmPageMemory.PageSize);
            _export = _node.Controller.CreateExportSegment(_memory.Address, _memory.Length);
            uint segmentId = _export.Publish(0, [new RsmAccessEntry(1, 0x1B6)]);
            _child = EchoChild.Start("signal", prefix, Text(0), Text(segmentId), Text(1));

            // The child's first signal says it is admitted; from then on each post reaches it.
            _export.SignalWait(TimeoutMilliseconds);
            SignalRoundTrip();
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
        // The child goes first (it stops on end of input, or is killed), then the segment it was connected to.
        _child?.Dispose();
        _child = null;
        _export?.Destroy();
        _export = null;
        _node?.Dispose();
        _node = null;
        _memory?.Dispose();
        _memory = null;
        foreach (int fd in new[] { _toChild, _toParent })
        {
            if (fd >= 0)
            {
                _ = Native.Close(fd);
            }
        }

        _toChild = -1;
        _toParent = -1;
    }

    [Benchmark(Baseline = true)]
    public void EventfdRoundTrip()
    {
        Native.Post(_toChild);
        if (!Native.TryWait(_toParent, TimeoutMilliseconds))
        {
            throw new TimeoutException($"the echo child did not answer within {TimeoutMilliseconds} ms. {_child?.Errors}");
        }
    }

    [Benchmark]
    public void SignalRoundTrip()
    {
        _export!.SignalPost();
        _export.SignalWait(TimeoutMilliseconds);
    }

    private static string Text(uint value) => value.ToString(CultureInfo.InvariantCulture);

    private static string Text(int value) => value.ToString(CultureInfo.InvariantCulture);
}
