namespace Rsm.Providers.Tcp.Internal;

/// <summary>
/// One request an importer waits for: the reply's status, the value of an atomic, the body of a connect reply, and for
/// a get the caller's destination (pinned by the caller until the request completes).
/// </summary>
internal sealed class PendingRequest
{
    private readonly object _gate = new();

    // 1 until the reply arrived (or the request failed), then 0.
    private int _waiting = 1;

    /// <summary>Where a get's data goes, or 0.</summary>
    public nint Destination { get; init; }

    /// <summary>How many bytes a get expects.</summary>
    public int Expected { get; init; }

    public int Status { get; private set; }

    public ulong Value { get; set; }

    public byte[]? Body { get; set; }

    public void Complete(int status)
    {
        lock (_gate)
        {
            if (_waiting == 0)
            {
                return;
            }

            Status = status;
            Volatile.Write(ref _waiting, 0);
            Monitor.PulseAll(_gate);
        }
    }

    /// <summary>
    /// Waits for the reply: a brief spin (see <see cref="BriefSpin"/>), then a plain blocking wait that does not spin
    /// again, so a long transfer's waiter leaves the processors to the threads moving the data.
    /// </summary>
    /// <param name="timeout">The longest wait.</param>
    /// <param name="spin">False to sleep at once: the request moves <see cref="BriefSpin.NoSpinBytes"/> or more.</param>
    /// <returns>False on timeout.</returns>
    public bool Wait(TimeSpan timeout, bool spin = true)
    {
        if (spin && BriefSpin.UntilZero(ref _waiting))
        {
            return true;
        }

        long deadline = timeout == Timeout.InfiniteTimeSpan ? long.MaxValue : Environment.TickCount64 + (long)timeout.TotalMilliseconds;
        lock (_gate)
        {
            while (_waiting != 0)
            {
                long left = deadline - Environment.TickCount64;
                if (left <= 0 || !Monitor.Wait(_gate, (int)Math.Min(left, int.MaxValue)))
                {
                    return _waiting == 0;
                }
            }

            return true;
        }
    }
}
