using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using Rsm.Engine;
using Rsm.Interop;
using Rsm.Providers.SharedMemory.Interop;

namespace Rsm.Providers.SharedMemory.Internal;

/// <summary>The kinds of rendezvous message.</summary>
internal enum Opcode : uint
{
    /// <summary>Importer to exporter: admit me with this permission (carries the importer's eventfd).</summary>
    Connect = 1,

    /// <summary>Exporter to importer: the answer (on success carries the memfd and the exporter's eventfd).</summary>
    Admit = 2,

    /// <summary>Exporter to importer: you are force-disconnected.</summary>
    Abort = 3,

    /// <summary>Importer to exporter: the abort has taken effect.</summary>
    AbortSeen = 4,

    /// <summary>Exporter to importer: a republish granted your node this mode.</summary>
    Grant = 5,

    /// <summary>Importer to exporter: post one event to the segment published under the id now.</summary>
    Post = 6,
}

/// <summary>Why an exporter refused a connect, beyond its status code (0 in every other message).</summary>
internal enum Refusal : uint
{
    /// <summary>The status says it all.</summary>
    None = 0,

    /// <summary>The importer's credentials could not be read from the socket, so it was not judged (DECISIONS F5).</summary>
    CredentialsUnavailable = 1,
}

/// <summary>One rendezvous message: a fixed 48-byte record, one per sequenced packet.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct RendezvousMessage
{
    /// <summary>"RSM1": protocol and version.</summary>
    public const uint CurrentMagic = 0x314D5352;

    public uint Magic;
    public Opcode Op;
    public int Status;
    public uint Flags;
    public ulong Length;
    public uint Node;
    public uint Permission;
    public uint Mode;
    public uint Uid;
    public uint Gid;
    public Refusal Reason;

    public static RendezvousMessage Create(Opcode op) => new() { Magic = CurrentMagic, Op = op };
}

/// <summary>The socket side of the rendezvous: names in the abstract namespace, sequenced packets with descriptors.</summary>
internal static unsafe class Rendezvous
{
    /// <summary>The abstract socket name of segment <paramref name="segmentId"/> of node <paramref name="nodeId"/>.</summary>
    public static string Name(string prefix, uint nodeId, uint segmentId) =>
        string.Create(CultureInfo.InvariantCulture, $"{prefix}/node{nodeId}/segment{segmentId:x8}");

    /// <summary>Binds and listens on <paramref name="name"/>; null when another socket holds the name.</summary>
    public static SafeDescriptorHandle? Listen(string name)
    {
        SafeDescriptorHandle socket = Open(Sockets.SOCK_NONBLOCK);
        Sockets.SockAddrUnix address = Address(name, out int length);
        if (Sockets.bind(socket, &address, length) != 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            socket.Dispose();
            if (errno == Sockets.EADDRINUSE)
            {
                return null;
            }

            throw RsmThrow.Create(RsmError.InsufficientResources, $"binding the rendezvous socket '{name}' failed with errno {errno}");
        }

        if (Sockets.listen(socket, 128) != 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            socket.Dispose();
            throw RsmThrow.Create(RsmError.InsufficientResources, $"listening on the rendezvous socket '{name}' failed with errno {errno}");
        }

        return socket;
    }

    /// <summary>Connects to <paramref name="name"/> with send and receive timeouts; null when nothing listens there.</summary>
    public static SafeDescriptorHandle? Connect(string name, TimeSpan timeout)
    {
        SafeDescriptorHandle socket = Open(0);
        var time = new Sockets.TimeValue { Seconds = (long)timeout.TotalSeconds, Microseconds = timeout.Microseconds + (timeout.Milliseconds * 1000) };
        _ = Sockets.setsockopt(socket, Sockets.SOL_SOCKET, Sockets.SO_RCVTIMEO, &time, sizeof(Sockets.TimeValue));
        _ = Sockets.setsockopt(socket, Sockets.SOL_SOCKET, Sockets.SO_SNDTIMEO, &time, sizeof(Sockets.TimeValue));
        Sockets.SockAddrUnix address = Address(name, out int length);
        while (Sockets.connect(socket, &address, length) != 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            if (errno == Sockets.EINTR)
            {
                continue;
            }

            socket.Dispose();
            if (errno is Sockets.ECONNREFUSED or Sockets.ENOENT)
            {
                return null;
            }

            throw RsmThrow.Create(errno == Sockets.EWOULDBLOCK ? RsmError.RemoteNodeUnreachable : RsmError.InsufficientResources, $"connecting to the rendezvous socket '{name}' failed with errno {errno}");
        }

        return socket;
    }

    /// <summary>Accepts one pending connection without blocking; null when none is pending.</summary>
    public static SafeDescriptorHandle? Accept(SafeDescriptorHandle listener)
    {
        SafeDescriptorHandle socket = Sockets.accept4(listener, Sockets.SOCK_CLOEXEC);
        if (socket.IsInvalid)
        {
            socket.Dispose();
            return null;
        }

        return socket;
    }

    /// <summary>Sends one message with up to two descriptors; false when the peer is gone or the socket is full.</summary>
    public static bool Send(SafeDescriptorHandle socket, in RendezvousMessage message, SafeDescriptorHandle? first = null, SafeDescriptorHandle? second = null)
    {
        bool addedFirst = false;
        bool addedSecond = false;
        try
        {
            first?.DangerousAddRef(ref addedFirst);
            second?.DangerousAddRef(ref addedSecond);
            RendezvousMessage copy = message;
            var vector = new Libc.IoVector { Base = (nint)(&copy), Length = (nuint)sizeof(RendezvousMessage) };
            var control = default(Sockets.RightsControl);
            var header = new Libc.MessageHeader { Vectors = &vector, VectorCount = 1 };
            int count = (first is null ? 0 : 1) + (second is null ? 0 : 1);
            if (count > 0)
            {
                control.Level = Sockets.SOL_SOCKET;
                control.Type = Sockets.SCM_RIGHTS;
                control.Length = (nuint)(16 + (4 * count));
                int slot = 0;
                if (first is not null)
                {
                    control.Descriptors[slot++] = (int)first.DangerousGetHandle();
                }

                if (second is not null)
                {
                    control.Descriptors[slot] = (int)second.DangerousGetHandle();
                }

                header.Control = &control;
                header.ControlLength = (nuint)sizeof(Sockets.RightsControl);
            }

            while (true)
            {
                nint sent = Sockets.sendmsg(socket, &header, Sockets.MSG_NOSIGNAL | Sockets.MSG_DONTWAIT);
                if (sent == sizeof(RendezvousMessage))
                {
                    return true;
                }

                if (sent < 0 && Marshal.GetLastPInvokeError() == Sockets.EINTR)
                {
                    continue;
                }

                return false;
            }
        }
        catch (ObjectDisposedException)
        {
            return false;
        }
        finally
        {
            if (addedFirst)
            {
                first!.DangerousRelease();
            }

            if (addedSecond)
            {
                second!.DangerousRelease();
            }
        }
    }

    /// <summary>Receives one message and the descriptors it carries.</summary>
    /// <returns>1 for a message, 0 at end of stream or on a malformed packet, -1 when nothing is pending (non-blocking) or the wait timed out.</returns>
    public static int Receive(SafeDescriptorHandle socket, bool dontWait, out RendezvousMessage message, out SafeDescriptorHandle? first, out SafeDescriptorHandle? second)
    {
        RendezvousMessage received = default;
        first = null;
        second = null;
        var vector = new Libc.IoVector { Base = (nint)(&received), Length = (nuint)sizeof(RendezvousMessage) };
        var control = default(Sockets.RightsControl);
        var header = new Libc.MessageHeader { Vectors = &vector, VectorCount = 1, Control = &control, ControlLength = (nuint)sizeof(Sockets.RightsControl) };
        nint n;
        try
        {
            do
            {
                n = Sockets.recvmsg(socket, &header, Sockets.MSG_CMSG_CLOEXEC | (dontWait ? Sockets.MSG_DONTWAIT : 0));
            }
            while (n < 0 && Marshal.GetLastPInvokeError() == Sockets.EINTR);
        }
        catch (ObjectDisposedException)
        {
            message = default;
            return 0;
        }

        int errno = n < 0 ? Marshal.GetLastPInvokeError() : 0;
        if (header.ControlLength >= 16 && control.Level == Sockets.SOL_SOCKET && control.Type == Sockets.SCM_RIGHTS)
        {
            int count = (int)((control.Length - 16) / 4);
            first = count > 0 ? Adopt(control.Descriptors[0]) : null;
            second = count > 1 ? Adopt(control.Descriptors[1]) : null;
        }

        message = received;
        if (n < 0)
        {
            return errno == Sockets.EWOULDBLOCK ? -1 : 0;
        }

        if (n != sizeof(RendezvousMessage) || (header.Flags & (Sockets.MSG_TRUNC | Sockets.MSG_CTRUNC)) != 0 || received.Magic != RendezvousMessage.CurrentMagic)
        {
            first?.Dispose();
            second?.Dispose();
            first = second = null;
            return 0;
        }

        return 1;
    }

    /// <summary>A read-only descriptor of the same memfd, for importers granted no write access (DECISIONS D3).</summary>
    public static SafeDescriptorHandle ReopenReadOnly(SafeDescriptorHandle memfd)
    {
        string path = string.Create(CultureInfo.InvariantCulture, $"/proc/self/fd/{(int)memfd.DangerousGetHandle()}");
        SafeDescriptorHandle readOnly = Sockets.open(path, Sockets.O_RDONLY | Sockets.O_CLOEXEC);
        if (readOnly.IsInvalid)
        {
            int errno = Marshal.GetLastPInvokeError();
            readOnly.Dispose();
            throw RsmThrow.Create(RsmError.InsufficientResources, $"reopening the segment read-only failed with errno {errno}");
        }

        return readOnly;
    }

    private static SafeDescriptorHandle Adopt(int descriptor) => SafeDescriptorHandle.FromResult(descriptor);

    private static SafeDescriptorHandle Open(int extraFlags)
    {
        SafeDescriptorHandle socket = Sockets.socket(Sockets.AF_UNIX, Sockets.SOCK_SEQPACKET | Sockets.SOCK_CLOEXEC | extraFlags, 0);
        if (socket.IsInvalid)
        {
            int errno = Marshal.GetLastPInvokeError();
            socket.Dispose();
            throw RsmThrow.Create(RsmError.InsufficientResources, $"creating a rendezvous socket failed with errno {errno}");
        }

        return socket;
    }

    private static Sockets.SockAddrUnix Address(string name, out int length)
    {
        // The abstract namespace: a leading NUL, no file, and the name vanishes with the last descriptor.
        var address = new Sockets.SockAddrUnix { Family = Sockets.AF_UNIX };
        byte[] bytes = Encoding.UTF8.GetBytes(name);
        if (bytes.Length > 106)
        {
            throw RsmThrow.Create(RsmError.BadAddress, $"the rendezvous name '{name}' is longer than 106 bytes; use a shorter RendezvousPrefix");
        }

        for (int i = 0; i < bytes.Length; i++)
        {
            address.Path[i + 1] = bytes[i];
        }

        length = sizeof(ushort) + 1 + bytes.Length;
        return address;
    }
}
