using System.Runtime.InteropServices;
using Rsm.Interop;

namespace Rsm.Engine;

/// <summary>
/// A counting event (DECISIONS F8): each post adds one, each successful consume takes one, nothing coalesces.
/// On Linux it is an eventfd in semaphore mode, so it is also a real descriptor for poll.
/// </summary>
public sealed class EventCounter : IRsmEventSource, IDisposable
{
    private static readonly object s_managedSignal = new();
    private readonly SafeDescriptorHandle? _eventfd;
    private long _managedCount;
    private bool _disposed;

    /// <summary>Creates a counter with no event pending.</summary>
    /// <exception cref="RsmException">InsufficientResources (31) when the eventfd cannot be created.</exception>
    public EventCounter()
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        _eventfd = Libc.eventfd(0, Libc.EFD_SEMAPHORE | Libc.EFD_NONBLOCK | Libc.EFD_CLOEXEC);
        if (_eventfd.IsInvalid)
        {
            int errno = Marshal.GetLastPInvokeError();
            _eventfd.Dispose();
            RsmThrow.Error(RsmError.InsufficientResources, $"eventfd failed with errno {errno}");
        }
    }

    /// <summary>The pollable descriptor, or -1 on platforms without eventfd or after disposal.</summary>
    public int Descriptor => _eventfd is { IsClosed: false } e ? e.Number : -1;

    /// <summary>The descriptor's owner, which <see cref="RsmPoll"/> references while it polls.</summary>
    public SafeDescriptorHandle? Handle => _eventfd;

    /// <inheritdoc/>
    SafeHandle? IRsmEventSource.DescriptorHandle => _eventfd;

    /// <summary>Adds one event; after disposal the event is dropped.</summary>
    public unsafe void Post()
    {
        if (_eventfd is not null)
        {
            ulong one = 1;
            try
            {
                _ = Libc.write(_eventfd, &one, sizeof(ulong));
            }
            catch (ObjectDisposedException)
            {
            }

            return;
        }

        lock (s_managedSignal)
        {
            if (!_disposed)
            {
                _managedCount++;
                Monitor.PulseAll(s_managedSignal);
            }
        }
    }

    /// <summary>Adds one event to a counter another process owns, through the eventfd it passed; a closed counter drops it.</summary>
    /// <param name="eventfd">The other process's eventfd.</param>
    public static unsafe void Post(SafeDescriptorHandle eventfd)
    {
        ulong one = 1;
        try
        {
            _ = Libc.write(eventfd, &one, sizeof(ulong));
        }
        catch (ObjectDisposedException)
        {
        }
    }

    /// <summary>Consumes one event if one is pending.</summary>
    public unsafe bool TryConsume()
    {
        if (_eventfd is not null)
        {
            ulong value;
            try
            {
                return Libc.read(_eventfd, &value, sizeof(ulong)) == sizeof(ulong);
            }
            catch (ObjectDisposedException)
            {
                return false;
            }
        }

        lock (s_managedSignal)
        {
            if (_managedCount == 0)
            {
                return false;
            }

            _managedCount--;
            return true;
        }
    }

    /// <summary>Blocks until some managed counter is posted or the deadline passes (non-Linux fallback of <see cref="RsmPoll"/>).</summary>
    internal static bool WaitManaged(Func<bool> ready, int timeoutMilliseconds, CancellationToken cancellationToken)
    {
        long deadline = timeoutMilliseconds < 0 ? long.MaxValue : Environment.TickCount64 + timeoutMilliseconds;
        using CancellationTokenRegistration registration = cancellationToken.Register(static () =>
        {
            lock (s_managedSignal)
            {
                Monitor.PulseAll(s_managedSignal);
            }
        });
        lock (s_managedSignal)
        {
            while (true)
            {
                if (ready())
                {
                    return true;
                }

                cancellationToken.ThrowIfCancellationRequested();
                long left = deadline - Environment.TickCount64;
                if (left <= 0)
                {
                    return false;
                }

                Monitor.Wait(s_managedSignal, (int)Math.Min(left, int.MaxValue));
            }
        }
    }

    /// <summary>Closes the descriptor; later posts are dropped and waits on it end.</summary>
    public void Dispose()
    {
        lock (s_managedSignal)
        {
            _disposed = true;
        }

        if (_eventfd is not null)
        {
            _eventfd.Dispose();
            SignalReactor.NotifyClosed();
        }
    }
}
