using System.Diagnostics;

namespace Rsm.Conformance.Tests;

/// <summary>
/// A well-behaved importer that keeps working while a test injects faults elsewhere: on a thread of its own it puts a
/// new pattern into its own region of a segment, gets it back, and gets a region nobody writes, checking every byte, in
/// a loop until stopped. It records how many operations completed, the longest single operation and the longest time
/// between two completions, and the first failure, which ends the loop.
/// </summary>
internal sealed class ImporterWorker
{
    /// <summary>The bytes of one put and of each get.</summary>
    public const int Chunk = 256 * 1024;

    private readonly uint _node;
    private readonly TcpFaultRig.ExportedSegment _segment;
    private readonly long _region;
    private readonly long _fixedRegion;
    private readonly IImportSegment _import;
    private readonly Thread _thread;
    private readonly Lock _gate = new();
    private volatile bool _stopping;
    private long _lastCompletion;
    private long _operations;
    private TimeSpan _maxOperation;
    private string _maxOperationWhat = "none";
    private TimeSpan _maxGap;
    private string? _failure;

    /// <summary>Connects <paramref name="controller"/> (node <paramref name="node"/>) to <paramref name="segment"/>; <see cref="Start"/> begins the loop.</summary>
    public ImporterWorker(IRsmController controller, uint node, TcpFaultRig.ExportedSegment segment, long region, long fixedRegion)
    {
        _node = node;
        _segment = segment;
        _region = region;
        _fixedRegion = fixedRegion;
        _import = controller.Connect(TcpFaultRig.ExporterNode, segment.Id, RsmPermissions.ReadWrite);
        _ = _import.InitBarrier();
        _thread = new Thread(Loop) { IsBackground = true, Name = $"importer worker node {node}" };
    }

    public uint Node => _node;

    /// <summary>Operations completed so far.</summary>
    public long Operations => Interlocked.Read(ref _operations);

    /// <summary>The longest single operation.</summary>
    public TimeSpan MaxOperation
    {
        get
        {
            lock (_gate)
            {
                return _maxOperation;
            }
        }
    }

    /// <summary>The longest time between two completions (the start counts as one, and so does now while running).</summary>
    public TimeSpan MaxGap
    {
        get
        {
            lock (_gate)
            {
                TimeSpan open = _thread.IsAlive ? Stopwatch.GetElapsedTime(_lastCompletion) : TimeSpan.Zero;
                return open > _maxGap ? open : _maxGap;
            }
        }
    }

    /// <summary>The first failure: an RSM error, wrong bytes, or null.</summary>
    public string? Failure
    {
        get
        {
            lock (_gate)
            {
                return _failure;
            }
        }
    }

    public void Start()
    {
        _lastCompletion = Stopwatch.GetTimestamp();
        _thread.Start();
    }

    /// <summary>Ends the loop and disconnects; false when the loop did not end within <paramref name="limit"/>.</summary>
    public bool Stop(TimeSpan limit)
    {
        _stopping = true;
        if (!_thread.Join(limit))
        {
            return false;
        }

        BoundedOutcome disconnect = Bounded.Run(_import.Disconnect, limit, $"disconnect of worker node {_node}");
        if (!disconnect.Returned || disconnect.Error != RsmError.Success)
        {
            Fail($"disconnect: {disconnect}");
        }

        return true;
    }

    public override string ToString() =>
        $"node {_node}: {Operations} operations, longest {MaxOperation.TotalMilliseconds:F0} ms ({_maxOperationWhat}), longest gap {MaxGap.TotalMilliseconds:F0} ms{(Failure is null ? string.Empty : $", failed: {Failure}")}";

    private void Loop()
    {
        byte[] data = new byte[Chunk];
        byte[] back = new byte[Chunk];
        byte[] fixedBack = new byte[Chunk / 4];
        byte[] fixedExpected = _segment.Expected(_fixedRegion, fixedBack.Length);
        int round = 0;
        while (!_stopping)
        {
            round++;
            byte seed = (byte)((round * 13) + (_node * 29));
            for (int i = 0; i < data.Length; i++)
            {
                data[i] = (byte)(seed + (i * 7) + (i >> 9));
            }

            if (!Timed("put", round, () => _import.Put(_region, data))
                || !Timed("get", round, () => _import.Get(_region, back))
                || !Timed("get of the fixed region", round, () => _import.Get(_fixedRegion, fixedBack)))
            {
                return;
            }

            if (!back.AsSpan().SequenceEqual(data))
            {
                Fail($"round {round}: the get returned other bytes than the put before it wrote");
                return;
            }

            if (!fixedBack.AsSpan().SequenceEqual(fixedExpected))
            {
                Fail($"round {round}: the get of the fixed region returned other bytes than the exporter's");
                return;
            }

            // Paced, so that the two processors stay available to the connection threads under test.
            Thread.Sleep(10);
        }
    }

    private bool Timed(string what, int round, Action operation)
    {
        long started = Stopwatch.GetTimestamp();
        try
        {
            operation();
        }
        catch (RsmException ex)
        {
            TimeSpan failedAfter = Stopwatch.GetElapsedTime(started);
            lock (_gate)
            {
                if (failedAfter > _maxOperation)
                {
                    _maxOperation = failedAfter;
                    _maxOperationWhat = $"failed {what} in round {round}";
                }
            }

            Fail($"round {round}, {what} after {failedAfter.TotalMilliseconds:F0} ms: {ex.Error} ({(int)ex.Error}): {ex.Message}");
            return false;
        }

        long now = Stopwatch.GetTimestamp();
        TimeSpan took = Stopwatch.GetElapsedTime(started, now);
        lock (_gate)
        {
            TimeSpan gap = Stopwatch.GetElapsedTime(_lastCompletion, now);
            if (gap > _maxGap)
            {
                _maxGap = gap;
            }

            if (took > _maxOperation)
            {
                _maxOperation = took;
                _maxOperationWhat = $"{what} in round {round}";
            }

            _lastCompletion = now;
        }

        Interlocked.Increment(ref _operations);
        return true;
    }

    private void Fail(string failure)
    {
        lock (_gate)
        {
            _failure ??= failure;
        }
    }
}
