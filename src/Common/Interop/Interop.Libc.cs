using System.Runtime.InteropServices;

namespace Rsm.Interop;

/// <summary>Linux libc entry points; compiled into the engine and into each built-in provider that calls libc.</summary>
internal static partial class Libc
{
    private const string Library = "libc";

    public const int PROT_NONE = 0;
    public const int PROT_READ = 1;
    public const int PROT_WRITE = 2;
    public const int MAP_SHARED = 0x01;
    public const int MAP_PRIVATE = 0x02;
    public const int MAP_FIXED = 0x10;
    public const int MAP_ANONYMOUS = 0x20;
    public const int MAP_NORESERVE = 0x4000;
    public const int MAP_POPULATE = 0x8000;
    public const int MREMAP_MAYMOVE = 1;
    public const int MREMAP_FIXED = 2;
    public const uint MFD_CLOEXEC = 1;
    public const int EFD_SEMAPHORE = 1;
    public const int EFD_CLOEXEC = 0x80000;
    public const int EFD_NONBLOCK = 0x800;
    public const int EAGAIN = 11;
    public const int EINTR = 4;
    public const int ENOMEM = 12;
    public const int EINVAL = 22;
    public const int EFAULT = 14;
    public const int EACCES = 13;
    public const int MSG_DONTWAIT = 0x40;
    public const int MSG_NOSIGNAL = 0x4000;
    public const short POLLIN = 0x001;

    public static readonly nint MAP_FAILED = -1;

    [LibraryImport(Library, SetLastError = true)]
    public static unsafe partial nint writev(nint fd, IoVector* vectors, int count);

    [LibraryImport(Library, SetLastError = true)]
    public static unsafe partial nint sendmsg(nint fd, MessageHeader* message, int flags);

    [LibraryImport(Library, SetLastError = true)]
    public static partial nint mmap(nint addr, nuint length, int prot, int flags, int fd, long offset);

    [LibraryImport(Library, EntryPoint = "mmap", SetLastError = true)]
    public static partial nint mmap(nint addr, nuint length, int prot, int flags, SafeDescriptorHandle fd, long offset);

    [LibraryImport(Library, SetLastError = true)]
    public static partial int munmap(nint addr, nuint length);

    [LibraryImport(Library, SetLastError = true)]
    public static partial nint mremap(nint oldAddress, nuint oldSize, nuint newSize, int flags, nint newAddress);

    [LibraryImport(Library, SetLastError = true)]
    public static partial int mprotect(nint addr, nuint length, int prot);

    [LibraryImport(Library, SetLastError = true)]
    public static unsafe partial int mincore(nint addr, nuint length, byte* vec);

    /// <summary>Creates a memfd; the handle is invalid on failure (errno in the last P/Invoke error).</summary>
    public static SafeDescriptorHandle memfd_create(string name, uint flags) => SafeDescriptorHandle.FromResult(memfd_create_raw(name, flags));

    [LibraryImport(Library, EntryPoint = "memfd_create", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int memfd_create_raw(string name, uint flags);

    [LibraryImport(Library, SetLastError = true)]
    public static partial int ftruncate(SafeDescriptorHandle fd, long length);

    [LibraryImport(Library, SetLastError = true)]
    public static partial nint pwrite(SafeDescriptorHandle fd, nint buffer, nuint count, long offset);

    /// <summary>Creates an eventfd; the handle is invalid on failure (errno in the last P/Invoke error).</summary>
    public static SafeDescriptorHandle eventfd(uint initval, int flags) => SafeDescriptorHandle.FromResult(eventfd_raw(initval, flags));

    [LibraryImport(Library, EntryPoint = "eventfd", SetLastError = true)]
    private static partial int eventfd_raw(uint initval, int flags);

    [LibraryImport(Library, SetLastError = true)]
    public static unsafe partial nint read(SafeDescriptorHandle fd, void* buffer, nuint count);

    [LibraryImport(Library, SetLastError = true)]
    public static unsafe partial nint write(SafeDescriptorHandle fd, void* buffer, nuint count);

    [LibraryImport(Library, SetLastError = true)]
    public static partial int close(int fd);

    [LibraryImport(Library, SetLastError = true)]
    public static unsafe partial int poll(PollFd* fds, nuint nfds, int timeout);

    [LibraryImport(Library)]
    public static partial uint getuid();

    [LibraryImport(Library)]
    public static partial uint getgid();

    [LibraryImport(Library, SetLastError = true)]
    public static unsafe partial int getgroups(int size, uint* list);

    [LibraryImport(Library)]
    public static partial int getpid();

    /// <summary><c>struct iovec</c>: one buffer of a gathered write.</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct IoVector
    {
        public nint Base;
        public nuint Length;
    }

    /// <summary><c>struct msghdr</c> (x86-64 and arm64 layout).</summary>
    [StructLayout(LayoutKind.Sequential)]
    public unsafe struct MessageHeader
    {
        public void* Name;
        public int NameLength;
        public IoVector* Vectors;
        public nuint VectorCount;
        public void* Control;
        public nuint ControlLength;
        public int Flags;
    }

    [StructLayout(LayoutKind.Sequential)]
    public struct PollFd
    {
        public int Fd;
        public short Events;
        public short REvents;
    }
}
