using System.Runtime.InteropServices;
using Rsm.Interop;

namespace Rsm.Providers.SharedMemory.Interop;

/// <summary>The socket calls of the rendezvous: Unix sequenced-packet sockets, descriptor passing and peer credentials.</summary>
internal static unsafe partial class Sockets
{
    private const string Library = "libc";

    public const int AF_UNIX = 1;
    public const int SOCK_SEQPACKET = 5;
    public const int SOCK_NONBLOCK = 0x800;
    public const int SOCK_CLOEXEC = 0x80000;
    public const int SOL_SOCKET = 1;
    public const int SO_PEERCRED = 17;
    public const int SO_PEERGROUPS = 59;
    public const int SO_RCVTIMEO = 20;
    public const int SO_SNDTIMEO = 21;
    public const int SCM_RIGHTS = 1;
    public const int MSG_CTRUNC = 0x08;
    public const int MSG_TRUNC = 0x20;
    public const int MSG_DONTWAIT = 0x40;
    public const int MSG_NOSIGNAL = 0x4000;
    public const int MSG_CMSG_CLOEXEC = 0x40000000;
    public const int SHUT_RDWR = 2;
    public const int O_RDONLY = 0;
    public const int O_CLOEXEC = 0x80000;
    public const int EADDRINUSE = 98;
    public const int ECONNREFUSED = 111;
    public const int ENOENT = 2;
    public const int EWOULDBLOCK = 11;
    public const int EINTR = 4;
    public const int ERANGE = 34;

    /// <summary>The most descriptors one message carries.</summary>
    public const int MaxDescriptors = 2;

    public static SafeDescriptorHandle socket(int domain, int type, int protocol) => SafeDescriptorHandle.FromResult(socket_raw(domain, type, protocol));

    public static SafeDescriptorHandle accept4(SafeDescriptorHandle fd, int flags) => SafeDescriptorHandle.FromResult(accept4_raw(fd, 0, 0, flags));

    public static SafeDescriptorHandle open(string path, int flags) => SafeDescriptorHandle.FromResult(open_raw(path, flags));

    [LibraryImport(Library, EntryPoint = "socket", SetLastError = true)]
    private static partial int socket_raw(int domain, int type, int protocol);

    [LibraryImport(Library, SetLastError = true)]
    public static partial int bind(SafeDescriptorHandle fd, SockAddrUnix* address, int length);

    [LibraryImport(Library, SetLastError = true)]
    public static partial int listen(SafeDescriptorHandle fd, int backlog);

    [LibraryImport(Library, EntryPoint = "accept4", SetLastError = true)]
    private static partial int accept4_raw(SafeDescriptorHandle fd, nint address, nint length, int flags);

    [LibraryImport(Library, SetLastError = true)]
    public static partial int connect(SafeDescriptorHandle fd, SockAddrUnix* address, int length);

    [LibraryImport(Library, SetLastError = true)]
    public static partial nint sendmsg(SafeDescriptorHandle fd, Libc.MessageHeader* message, int flags);

    [LibraryImport(Library, SetLastError = true)]
    public static partial nint recvmsg(SafeDescriptorHandle fd, Libc.MessageHeader* message, int flags);

    [LibraryImport(Library, SetLastError = true)]
    public static partial int getsockopt(SafeDescriptorHandle fd, int level, int name, void* value, int* length);

    /// <summary>
    /// <c>getsockopt(fd, SOL_SOCKET, name, value, &amp;length)</c> for an option about the socket's peer: 0, or the errno.
    /// <paramref name="length"/> is the length the kernel wrote back, also on ERANGE, where it is the length needed.
    /// </summary>
    public static int GetPeerOption(SafeDescriptorHandle fd, int name, Span<byte> value, out int length)
    {
        int written = value.Length;
        int result;
        fixed (byte* p = value)
        {
            result = getsockopt(fd, SOL_SOCKET, name, p, &written);
        }

        int errno = result == 0 ? 0 : Marshal.GetLastPInvokeError();
        length = written;
        return errno;
    }

    [LibraryImport(Library, SetLastError = true)]
    public static partial int setsockopt(SafeDescriptorHandle fd, int level, int name, void* value, int length);

    [LibraryImport(Library, SetLastError = true)]
    public static partial int shutdown(SafeDescriptorHandle fd, int how);

    [LibraryImport(Library, EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int open_raw(string path, int flags);

    /// <summary><c>struct sockaddr_un</c>.</summary>
    public struct SockAddrUnix
    {
        public ushort Family;
        public fixed byte Path[108];
    }

    /// <summary><c>struct cmsghdr</c> followed by room for <see cref="MaxDescriptors"/> descriptors.</summary>
    public struct RightsControl
    {
        public nuint Length;
        public int Level;
        public int Type;
        public fixed int Descriptors[MaxDescriptors];
    }

    /// <summary><c>struct ucred</c>.</summary>
    public struct PeerCredentials
    {
        public int ProcessId;
        public uint Uid;
        public uint Gid;
    }

    /// <summary><c>struct timeval</c>.</summary>
    public struct TimeValue
    {
        public long Seconds;
        public long Microseconds;
    }
}
