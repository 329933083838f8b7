namespace Rsm.Benchmarks;

/// <summary>
/// Runs one piece of work on <see cref="Count"/> threads at once, for the contended benchmarks: <see cref="Run"/>
/// releases all of them together through a <see cref="Barrier"/> and returns when the last one is done, so one call is
/// one benchmark operation. The calling thread (BenchmarkDotNet's) is participant 0 and does its share itself; the others
/// are threads of their own that live as long as this object. The baseline and the measured cases of a class run on the
/// same kind of instance, so releasing and joining the participants costs both the same and the ratio is the work's.
/// </summary>
/// <remarks>
/// The work is an <see cref="Action{T}"/> taking the participant's index; callers keep it in a field so that an
/// operation allocates nothing. A failure of any participant fails the operation after all have finished theirs, and
/// every wait of the calling thread is bounded, so a broken run fails instead of hanging.
/// </remarks>
internal sealed class ContendedWorkers : IDisposable
{
    /// <summary>The longest the calling thread waits for the others to start or to finish.</summary>
    private const int TimeoutMilliseconds = 10000;

    /// <summary>The slice in which an idle worker waits before it checks whether it should stop.</summary>
    private const int SliceMilliseconds = 250;

    private readonly Barrier _barrier;
    private readonly Thread[] _threads;
    private Action<int>? _work;
    private Exception? _failure;
    private volatile bool _stopping;
    private volatile bool _abandoned;
    private bool _disposed;

    /// <summary>Starts <paramref name="count"/> - 1 worker threads; the caller of <see cref="Run"/> is the last participant.</summary>
    public ContendedWorkers(int count)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        Count = count;
        _barrier = new Barrier(count);
        _threads = new Thread[count - 1];
        for (int i = 0; i < _threads.Length; i++)
        {
            int index = i + 1;
            _threads[i] = new Thread(() => Work(index)) { IsBackground = true, Name = $"contended worker {index}" };
            _threads[i].Start();
        }
    }

    /// <summary>The participants, the calling thread included.</summary>
    public int Count { get; }

    /// <summary>Runs <paramref name="work"/> once on every participant, all released together; returns when all are done.</summary>
    public void Run(Action<int> work)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);

        // The barrier's phase change orders this write before the workers read it.
        _work = work;
        Phase("start");
        try
        {
            work(0);
        }
        catch (Exception ex)
        {
            _ = Interlocked.CompareExchange(ref _failure, ex, null);
        }

        Phase("finish");
        if (Interlocked.Exchange(ref _failure, null) is { } failure)
        {
            throw new InvalidOperationException($"a contended participant failed: {failure.Message}", failure);
        }
    }

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        _stopping = true;
        try
        {
            // The workers wait for a start; this one lets them see that they should stop.
            Phase("stop");
        }
        catch (TimeoutException ex)
        {
            // A participant is gone; the others stop waiting for a start that can no longer come.
            _abandoned = true;
            Console.Error.WriteLine($"// {ex.Message}");
        }

        foreach (Thread thread in _threads)
        {
            if (!thread.Join(TimeoutMilliseconds))
            {
                Console.Error.WriteLine($"// {thread.Name} did not stop in time");
            }
        }

        _barrier.Dispose();
    }

    private void Phase(string what)
    {
        if (!_barrier.SignalAndWait(TimeoutMilliseconds))
        {
            throw new TimeoutException($"the {Count} contended participants did not {what} within {TimeoutMilliseconds} ms");
        }
    }

    private void Work(int index)
    {
        while (true)
        {
            // Between operations (and between BenchmarkDotNet's iterations) a worker may wait long; it waits in slices.
            while (!_barrier.SignalAndWait(SliceMilliseconds))
            {
                if (_abandoned)
                {
                    return;
                }
            }

            if (_stopping)
            {
                return;
            }

            try
            {
                _work!(index);
            }
            catch (Exception ex)
            {
                _ = Interlocked.CompareExchange(ref _failure, ex, null);
            }

            if (!_barrier.SignalAndWait(TimeoutMilliseconds))
            {
                // The calling thread fails the operation with its own timeout; nothing is left to do here.
                return;
            }
        }
    }
}
