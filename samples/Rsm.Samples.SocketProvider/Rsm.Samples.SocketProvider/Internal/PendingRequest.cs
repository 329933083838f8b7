namespace Rsm.Samples.Sockets.Internal;

/// <summary>
/// A request waiting for its answer. The connection's reader completes it, copying a get's bytes straight into the
/// caller's pinned memory; a caller that gives up abandons it first, after which nothing touches that memory.
/// </summary>
/// <param name="destination">Where a get's bytes go (pinned by the caller while it waits), or 0.</param>
/// <param name="expected">How many bytes the answer must carry.</param>
internal sealed unsafe class PendingRequest(nint destination = 0, int expected = 0)
{
    private readonly object _gate = new();
    private bool _done;
    private bool _abandoned;

    /// <summary>The exporter's status (an <see cref="RsmError"/> value), 0 for success.</summary>
    public int Status { get; private set; }

    /// <summary>The value of a lock operation's answer.</summary>
    public ulong Value { get; private set; }

    /// <summary>Completes the request, once; an answer after an abandonment or the first completion is dropped.</summary>
    public void Complete(int status, ulong value, ReadOnlySpan<byte> data)
    {
        lock (_gate)
        {
            if (_done || _abandoned)
            {
                return;
            }

            if (status == 0 && destination != 0)
            {
                if (data.Length == expected)
                {
                    data.CopyTo(new Span<byte>((void*)destination, expected));
                }
                else
                {
                    status = (int)RsmError.BarrierFailure;
                }
            }

            Status = status;
            Value = value;
            _done = true;
            Monitor.PulseAll(_gate);
        }
    }

    /// <summary>Waits until the request is complete or <paramref name="deadline"/> (<see cref="Environment.TickCount64"/>) passes.</summary>
    public bool Wait(long deadline)
    {
        lock (_gate)
        {
            while (!_done)
            {
                long left = deadline - Environment.TickCount64;
                if (left <= 0)
                {
                    return false;
                }

                _ = Monitor.Wait(_gate, (int)Math.Min(left, int.MaxValue));
            }

            return true;
        }
    }

    /// <summary>From now on the caller's memory is its own again; returns whether the request had completed meanwhile.</summary>
    public bool Abandon()
    {
        lock (_gate)
        {
            _abandoned = true;
            return _done;
        }
    }
}
