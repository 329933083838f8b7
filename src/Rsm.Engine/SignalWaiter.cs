namespace Rsm.Engine;

/// <summary><c>rsm_intr_signal_wait</c>: a poll wait over the one descriptor of a segment.</summary>
internal static class SignalWaiter
{
    public static void Wait(RsmPollHandle handle, int timeoutMilliseconds, CancellationToken cancellationToken)
    {
        Span<RsmPollEntry> entries = [RsmPollEntry.ForHandle(handle)];
        RsmPoll.Wait(entries, timeoutMilliseconds, cancellationToken);
    }

    public static ValueTask WaitAsync(RsmPollHandle handle, int timeoutMilliseconds, CancellationToken cancellationToken)
    {
        if (cancellationToken.IsCancellationRequested)
        {
            return ValueTask.FromCanceled(cancellationToken);
        }

        if (handle.Source.TryConsume())
        {
            return ValueTask.CompletedTask;
        }

        if (timeoutMilliseconds == 0)
        {
            return ValueTask.FromException(RsmThrow.Create(RsmError.Timeout, "no event is pending"));
        }

        if (handle.Source is EventCounter { Handle: not null } counter)
        {
            return SignalReactor.Instance.WaitAsync(counter, timeoutMilliseconds, cancellationToken);
        }

        return new ValueTask(Task.Factory.StartNew(
            () =>
            {
                try
                {
                    Wait(handle, timeoutMilliseconds, cancellationToken);
                }
                catch (RsmException ex) when (ex.Error == RsmError.Interrupted && cancellationToken.IsCancellationRequested)
                {
                    throw new OperationCanceledException(ex.Message, ex, cancellationToken);
                }
            },
            cancellationToken,
            TaskCreationOptions.LongRunning,
            TaskScheduler.Default));
    }
}
