using System.Runtime.InteropServices;

namespace Rsm.Benchmarks.SharedMemory;

/// <summary>
/// The few libc calls the raw baselines need: a memfd mapped shared, and eventfds waited on with poll. They use plain
/// descriptor numbers on purpose, so the baselines carry no handle bookkeeping.
/// </summary>
internal static unsafe partial class Native
{
    public const int ProtRead = 1;
    public const int ProtWrite = 2;
    public const int MapShared = 0x01;
    public const int EfdSemaphore = 1;
    public const int EfdNonBlock = 0x800;
    public const short PollIn = 0x001;
    private const int EAgain = 11;
    private const int EIntr = 4;
    private const string Library = "libc";

    [StructLayout(LayoutKind.Sequential)]
    private struct PollFd
    {
        public int Fd;
        public short Events;
        public short REvents;
    }

    [LibraryImport(Library, EntryPoint = "memfd_create", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int MemfdCreate(string name, uint flags);

    [LibraryImport(Library, EntryPoint = "ftruncate", SetLastError = true)]
    public static partial int Ftruncate(int fd, long length);

    [LibraryImport(Library, EntryPoint = "mmap", SetLastError = true)]
    public static partial nint Mmap(nint address, nuint length, int protection, int flags, int fd, long offset);

    [LibraryImport(Library, EntryPoint = "munmap", SetLastError = true)]
    public static partial int Munmap(nint address, nuint length);

    [LibraryImport(Library, EntryPoint = "close", SetLastError = true)]
    public static partial int Close(int fd);

    [LibraryImport(Library, EntryPoint = "eventfd", SetLastError = true)]
    public static partial int EventFd(uint initialValue, int flags);

    [LibraryImport(Library, EntryPoint = "read", SetLastError = true)]
    private static partial nint Read(int fd, void* buffer, nuint count);

    [LibraryImport(Library, EntryPoint = "write", SetLastError = true)]
    private static partial nint Write(int fd, void* buffer, nuint count);

    [LibraryImport(Library, EntryPoint = "poll", SetLastError = true)]
    private static partial int Poll(PollFd* fds, nuint count, int timeoutMilliseconds);

    /// <summary>Fails with the errno of the last call when <paramref name="result"/> is negative.</summary>
    public static long Check(long result, string what) =>
        result < 0 ? throw new InvalidOperationException($"{what} failed with errno {Marshal.GetLastPInvokeError()}") : result;

    /// <summary>Adds one to an eventfd.</summary>
    public static void Post(int fd)
    {
        ulong one = 1;
        if (Write(fd, &one, sizeof(ulong)) != sizeof(ulong))
        {
            ThrowErrno("write to the eventfd");
        }
    }

    /// <summary>
    /// Waits up to <paramref name="timeoutMilliseconds"/> for the eventfd to become readable and takes one count.
    /// Returns false when the time ran out.
    /// </summary>
    public static bool TryWait(int fd, int timeoutMilliseconds)
    {
        long deadline = Environment.TickCount64 + timeoutMilliseconds;
        var entry = new PollFd { Fd = fd, Events = PollIn };
        while (true)
        {
            int left = (int)Math.Max(0, deadline - Environment.TickCount64);
            entry.REvents = 0;
            int ready = Poll(&entry, 1, left);
            if (ready < 0)
            {
                if (Marshal.GetLastPInvokeError() == EIntr)
                {
                    continue;
                }

                ThrowErrno("poll of the eventfd");
            }

            if (ready == 0)
            {
                return false;
            }

            ulong value;
            if (Read(fd, &value, sizeof(ulong)) == sizeof(ulong))
            {
                return true;
            }

            int errno = Marshal.GetLastPInvokeError();
            if (errno != EAgain && errno != EIntr)
            {
                ThrowErrno("read of the eventfd");
            }
        }
    }

    private static void ThrowErrno(string what) =>
        throw new InvalidOperationException($"{what} failed with errno {Marshal.GetLastPInvokeError()}");
}
