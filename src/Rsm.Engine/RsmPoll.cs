using System.Runtime.InteropServices;
using Rsm.Engine;
using Rsm.Interop;

namespace Rsm;

/// <summary>Waits over several poll handles and plain descriptors (<c>rsm_intr_signal_wait_pollfd</c>).</summary>
public static class RsmPoll
{
    /// <summary>
    /// Waits until at least one entry is ready. An RSM entry that is ready consumes one event and reports
    /// <see cref="RsmPollEvents.ReadNormal"/>; if another waiter took the event first it reports nothing and does not count.
    /// Plain descriptors report what <c>poll</c> found. <c>rsm_intr_signal_wait_pollfd</c>.
    /// </summary>
    /// <param name="entries">The entries; <see cref="RsmPollEntry.ReturnedEvents"/> is set on each.</param>
    /// <param name="timeoutMilliseconds">-1 waits forever, 0 only checks.</param>
    /// <param name="cancellationToken">Cancellation interrupts the wait with Interrupted (41).</param>
    /// <returns>The number of entries that count as ready (at least 1).</returns>
    /// <exception cref="RsmException">Timeout (42) when nothing counts, even before the timeout if the events were taken by others;
    /// Interrupted (41); BadArgumentsErrors (117) when there are more entries than the process may have descriptors.</exception>
    public static int Wait(Span<RsmPollEntry> entries, int timeoutMilliseconds, CancellationToken cancellationToken = default)
    {
        for (int i = 0; i < entries.Length; i++)
        {
            entries[i].ReturnedEvents = RsmPollEvents.None;
        }

        if (cancellationToken.IsCancellationRequested)
        {
            RsmThrow.Error(RsmError.Interrupted, "the wait was cancelled before it started");
        }

        if (!OperatingSystem.IsLinux())
        {
            return WaitManaged(entries, timeoutMilliseconds, cancellationToken);
        }

        return WaitLinux(entries, timeoutMilliseconds, cancellationToken);
    }

    private static unsafe int WaitLinux(Span<RsmPollEntry> entries, int timeoutMilliseconds, CancellationToken cancellationToken)
    {
        int total = entries.Length + (cancellationToken.CanBeCanceled ? 1 : 0);

        Span<Libc.PollFd> fds = total <= 16 ? stackalloc Libc.PollFd[16] : new Libc.PollFd[total];
        fds = fds[..total];
        // The handles referenced during the wait: on the stack for up to 16 entries, so a signal wait allocates nothing.
        ReferenceBuffer buffer = default;
        Span<SafeHandle?> referenced = entries.Length <= ReferenceBuffer.Length ? ((Span<SafeHandle?>)buffer)[..entries.Length] : new SafeHandle?[entries.Length];
        try
        {
            for (int i = 0; i < entries.Length; i++)
            {
                RsmPollEntry e = entries[i];
                fds[i] = new Libc.PollFd
                {
                    Fd = e.Handle is null ? e.Descriptor : Reference(e.Handle.Source, referenced, i),
                    Events = e.Handle is null ? (short)e.Events : Libc.POLLIN,
                };
            }

            return PollAndConsume(entries, fds, timeoutMilliseconds, cancellationToken);
        }
        finally
        {
            foreach (SafeHandle? handle in referenced)
            {
                handle?.DangerousRelease();
            }
        }
    }

    /// <summary>Keeps a segment's descriptor open while it is polled; a closed one is skipped (poll ignores -1).</summary>
    private static int Reference(IRsmEventSource source, Span<SafeHandle?> referenced, int index)
    {
        SafeHandle? handle = source.DescriptorHandle;
        if (handle is null)
        {
            return source.Descriptor;
        }

        bool added = false;
        try
        {
            handle.DangerousAddRef(ref added);
        }
        catch (ObjectDisposedException)
        {
            return -1;
        }

        referenced[index] = handle;
        return handle.IsClosed ? -1 : (int)handle.DangerousGetHandle();
    }

    private static unsafe int PollAndConsume(Span<RsmPollEntry> entries, Span<Libc.PollFd> fds, int timeoutMilliseconds, CancellationToken cancellationToken)
    {
        int total = fds.Length;
        using EventCounter? cancel = cancellationToken.CanBeCanceled ? new EventCounter() : null;
        using CancellationTokenRegistration registration = cancel is null ? default : cancellationToken.Register(static c => ((EventCounter)c!).Post(), cancel);
        if (cancel is not null)
        {
            fds[total - 1] = new Libc.PollFd { Fd = cancel.Descriptor, Events = Libc.POLLIN };
        }

        long deadline = timeoutMilliseconds < 0 ? long.MaxValue : Environment.TickCount64 + timeoutMilliseconds;
        int ready;
        while (true)
        {
            int wait = timeoutMilliseconds < 0 ? -1 : (int)Math.Max(0, deadline - Environment.TickCount64);
            fixed (Libc.PollFd* p = fds)
            {
                ready = Libc.poll(p, (nuint)total, wait);
            }

            if (ready >= 0)
            {
                break;
            }

            int errno = Marshal.GetLastPInvokeError();
            if (errno == Libc.EINTR)
            {
                // The runtime's own signals interrupt poll; only cancellation counts as an interruption.
                continue;
            }

            RsmThrow.Error(errno == Libc.EAGAIN ? RsmError.InsufficientResources : RsmError.BadArgumentsErrors, $"poll failed with errno {errno}");
        }

        if (cancel is not null && fds[total - 1].REvents != 0)
        {
            RsmThrow.Error(RsmError.Interrupted, "the wait was cancelled");
        }

        if (ready == 0)
        {
            RsmThrow.Error(RsmError.Timeout, $"no event within {timeoutMilliseconds} ms");
        }

        int count = 0;
        for (int i = 0; i < entries.Length; i++)
        {
            short revents = fds[i].REvents;
            if (entries[i].Handle is { } handle)
            {
                if (revents == Libc.POLLIN && handle.Source.TryConsume())
                {
                    entries[i].ReturnedEvents = RsmPollEvents.ReadNormal;
                    count++;
                }
            }
            else if (revents != 0)
            {
                entries[i].ReturnedEvents = (RsmPollEvents)revents;
                count++;
            }
        }

        if (count == 0)
        {
            RsmThrow.Error(RsmError.Timeout, "the pending events were consumed by another waiter");
        }

        return count;
    }

    private static int WaitManaged(Span<RsmPollEntry> entries, int timeoutMilliseconds, CancellationToken cancellationToken)
    {
        RsmPollEntry[] copy = entries.ToArray();
        foreach (RsmPollEntry e in copy)
        {
            if (e.Handle is null)
            {
                throw new PlatformNotSupportedException("Waiting on plain descriptors is supported on Linux only.");
            }
        }

        int count = 0;
        bool found;
        try
        {
            found = EventCounter.WaitManaged(
                () =>
                {
                    for (int i = 0; i < copy.Length; i++)
                    {
                        if (copy[i].Handle!.Source.TryConsume())
                        {
                            copy[i].ReturnedEvents = RsmPollEvents.ReadNormal;
                            count++;
                        }
                    }

                    return count > 0;
                },
                timeoutMilliseconds,
                cancellationToken);
        }
        catch (OperationCanceledException ex)
        {
            throw RsmThrow.Create(RsmError.Interrupted, "the wait was cancelled", ex);
        }

        copy.CopyTo(entries);
        if (!found)
        {
            RsmThrow.Error(RsmError.Timeout, $"no event within {timeoutMilliseconds} ms");
        }

        return count;
    }

    /// <summary>Room for the handles of up to <see cref="Length"/> poll entries.</summary>
    [System.Runtime.CompilerServices.InlineArray(Length)]
    private struct ReferenceBuffer
    {
        public const int Length = 16;

        private SafeHandle? _element;
    }
}
