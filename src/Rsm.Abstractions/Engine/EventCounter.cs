using Rsm.Interop;

namespace Rsm.Engine;

/// <summary>
/// A counting event (DECISIONS F8): each post adds one, each successful consume takes one, nothing coalesces.
/// On Linux it is an eventfd in semaphore mode, so it is also a real descriptor for poll.
/// </summary>
internal sealed class EventCounter : IDisposable
{
    private static readonly object s_managedSignal = new();
    private int _fd;
    private long _managedCount;

    public EventCounter()
    {
        if (OperatingSystem.IsLinux())
        {
            _fd = Libc.eventfd(0, Libc.EFD_SEMAPHORE | Libc.EFD_NONBLOCK | Libc.EFD_CLOEXEC);
            if (_fd < 0)
            {
                RsmThrow.Error(RsmError.InsufficientResources, $"eventfd failed with errno {System.Runtime.InteropServices.Marshal.GetLastPInvokeError()}");
            }
        }
        else
        {
            _fd = -1;
        }
    }

    /// <summary>The pollable descriptor, or -1 on platforms without eventfd.</summary>
    public int Descriptor => _fd;

    public unsafe void Post()
    {
        if (_fd >= 0)
        {
            ulong one = 1;
            _ = Libc.write(_fd, &one, sizeof(ulong));
            return;
        }

        lock (s_managedSignal)
        {
            _managedCount++;
            Monitor.PulseAll(s_managedSignal);
        }
    }

    public unsafe bool TryConsume()
    {
        if (_fd >= 0)
        {
            ulong value;
            return Libc.read(_fd, &value, sizeof(ulong)) == sizeof(ulong);
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

    public void Dispose()
    {
        int fd = Interlocked.Exchange(ref _fd, -1);
        if (fd >= 0)
        {
            _ = Libc.close(fd);
        }
    }
}
