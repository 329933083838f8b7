using System.Runtime.InteropServices;
using Rsm.Interop;

namespace Rsm.Engine;

/// <summary>
/// Serves every asynchronous signal wait of the process from one background thread that polls the waited event
/// descriptors (Linux): an awaiting caller holds no thread. Waiters on one segment are served first come, first served.
/// </summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1001", Justification = "The reactor and its wake descriptor live as long as the process.")]
internal sealed class SignalReactor
{
    private static readonly Lazy<SignalReactor> s_instance = new(() => new SignalReactor());

    private readonly object _gate = new();
    private readonly List<Waiter> _waiters = [];
    private readonly EventCounter _wake = new();

    private SignalReactor()
    {
        var thread = new Thread(Run) { IsBackground = true, Name = "Rsm signal reactor" };
        thread.Start();
    }

    public static SignalReactor Instance => s_instance.Value;

    /// <summary>Wakes the reactor after an event descriptor was closed, so that its waiters learn it at once.</summary>
    public static void NotifyClosed()
    {
        if (s_instance.IsValueCreated)
        {
            s_instance.Value._wake.Post();
        }
    }

    public ValueTask WaitAsync(EventCounter counter, int timeoutMilliseconds, CancellationToken cancellationToken)
    {
        var waiter = new Waiter(counter, timeoutMilliseconds < 0 ? long.MaxValue : Environment.TickCount64 + timeoutMilliseconds, timeoutMilliseconds);
        lock (_gate)
        {
            _waiters.Add(waiter);
        }

        if (cancellationToken.CanBeCanceled)
        {
            waiter.Registration = cancellationToken.Register(
                static state =>
                {
                    var (reactor, w, token) = ((SignalReactor, Waiter, CancellationToken))state!;
                    if (reactor.Remove(w))
                    {
                        w.Completion.TrySetCanceled(token);
                    }
                },
                (this, waiter, cancellationToken));
        }

        _wake.Post();
        return new ValueTask(waiter.Completion.Task);
    }

    private bool Remove(Waiter waiter)
    {
        lock (_gate)
        {
            return _waiters.Remove(waiter);
        }
    }

    private unsafe void Run()
    {
        var fds = new List<Libc.PollFd>();
        var counters = new List<EventCounter>();
        var referenced = new List<SafeHandle>();
        while (true)
        {
            fds.Clear();
            counters.Clear();
            long nearest = long.MaxValue;
            fds.Add(new Libc.PollFd { Fd = _wake.Descriptor, Events = Libc.POLLIN });
            lock (_gate)
            {
                foreach (Waiter w in _waiters)
                {
                    nearest = Math.Min(nearest, w.Deadline);
                    if (counters.Contains(w.Counter) || w.Counter.Handle is not { } handle)
                    {
                        continue;
                    }

                    bool added = false;
                    try
                    {
                        handle.DangerousAddRef(ref added);
                    }
                    catch (ObjectDisposedException)
                    {
                        // The segment was destroyed or disconnected while this waiter waited.
                        w.Closed = true;
                        nearest = 0;
                        continue;
                    }

                    referenced.Add(handle);
                    counters.Add(w.Counter);
                    fds.Add(new Libc.PollFd { Fd = handle.Number, Events = Libc.POLLIN });
                }
            }

            int timeout = nearest == long.MaxValue ? -1 : (int)Math.Clamp(nearest - Environment.TickCount64, 0, int.MaxValue);
            Span<Libc.PollFd> span = CollectionsMarshal.AsSpan(fds);
            fixed (Libc.PollFd* p = span)
            {
                _ = Libc.poll(p, (nuint)span.Length, timeout);
            }

            foreach (SafeHandle handle in referenced)
            {
                handle.DangerousRelease();
            }

            referenced.Clear();
            while (_wake.TryConsume())
            {
            }

            Dispatch(counters, span);
        }
    }

    private void Dispatch(List<EventCounter> counters, ReadOnlySpan<Libc.PollFd> fds)
    {
        var completed = new List<(Waiter Waiter, RsmException? Error)>();
        long now = Environment.TickCount64;
        lock (_gate)
        {
            for (int i = 0; i < counters.Count; i++)
            {
                if (fds[i + 1].REvents == 0)
                {
                    continue;
                }

                // Oldest waiter first; each consumed event completes exactly one waiter.
                foreach (Waiter w in _waiters.Where(w => w.Counter == counters[i]).ToArray())
                {
                    if (!w.Counter.TryConsume())
                    {
                        break;
                    }

                    _waiters.Remove(w);
                    completed.Add((w, null));
                }
            }

            foreach (Waiter w in _waiters.Where(w => w.Closed || w.Deadline <= now).ToArray())
            {
                _waiters.Remove(w);
                completed.Add((w, w.Closed
                    ? RsmThrow.Create(RsmError.BadSegmentHandle, "the segment was destroyed or disconnected during the wait")
                    : RsmThrow.Create(RsmError.Timeout, $"no event within {w.TimeoutMilliseconds} ms")));
            }
        }

        foreach ((Waiter w, RsmException? error) in completed)
        {
            w.Registration.Dispose();
            if (error is null)
            {
                w.Completion.TrySetResult();
            }
            else
            {
                w.Completion.TrySetException(error);
            }
        }
    }

    private sealed class Waiter(EventCounter counter, long deadline, int timeoutMilliseconds)
    {
        public EventCounter Counter { get; } = counter;

        public long Deadline { get; } = deadline;

        public int TimeoutMilliseconds { get; } = timeoutMilliseconds;

        public TaskCompletionSource Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public CancellationTokenRegistration Registration { get; set; }

        public bool Closed { get; set; }
    }
}
