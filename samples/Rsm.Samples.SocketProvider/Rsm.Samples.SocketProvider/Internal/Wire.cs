using System.Buffers.Binary;
using System.Net.Sockets;

namespace Rsm.Samples.Sockets.Internal;

/// <summary>The messages of the protocol; each is one SOCK_SEQPACKET record: a <see cref="Frame"/> header, then its payload.</summary>
internal enum Opcode : byte
{
    /// <summary>Importer: admit me (Arg = my node id, A = permission). Answered by <see cref="Admit"/>.</summary>
    Connect = 1,

    /// <summary>Exporter: the admission (Status; Arg = granted mode, A = length, B = flags, C = exporter node id).</summary>
    Admit,

    /// <summary>Importer: read Arg bytes at A with access width Width. Answered by <see cref="GetReply"/> with the bytes.</summary>
    Get,

    /// <summary>Exporter: the bytes of a <see cref="Get"/>.</summary>
    GetReply,

    /// <summary>Importer: write the payload at A with access width Width. Answered by <see cref="PutAck"/>.</summary>
    Put,

    /// <summary>Exporter: the outcome of a <see cref="Put"/>; the <see cref="FrameFlags.Unawaited"/> flag of the put is echoed.</summary>
    PutAck,

    /// <summary>Importer: lock operation Arg on the Width-byte word at A (B = value, C = comparand). Answered by <see cref="AtomicReply"/>.</summary>
    Atomic,

    /// <summary>Exporter: the word's previous value in A.</summary>
    AtomicReply,

    /// <summary>Importer: post one event to the segment published under this socket's name now. Answered by <see cref="SignalAck"/>.</summary>
    Signal,

    /// <summary>Exporter: the event was posted, or dropped because nothing is published under the name.</summary>
    SignalAck,

    /// <summary>Importer: I disconnect. Answered by <see cref="DisconnectAck"/> once the import has left the segment.</summary>
    Disconnect,

    /// <summary>Exporter: the import was released.</summary>
    DisconnectAck,

    /// <summary>Exporter push: the import was aborted (unpublish, destroy, a republish that drops the node). Answered by <see cref="AbortSeen"/>.</summary>
    Abort,

    /// <summary>Importer: the abort has been applied.</summary>
    AbortSeen,

    /// <summary>Exporter push: a republish granted the importer's node mode Arg.</summary>
    Grant,

    /// <summary>Exporter push: one event for the importer.</summary>
    Event,
}

/// <summary>Flags of a frame.</summary>
[Flags]
internal enum FrameFlags : byte
{
    /// <summary>None.</summary>
    None = 0,

    /// <summary>A put nobody waits for: its acknowledgement only counts down what the next close barrier waits for.</summary>
    Unawaited = 1,

    /// <summary>A refused admission: the importer's credentials could not be read from the socket.</summary>
    CredentialsUnavailable = 2,
}

/// <summary>
/// The fixed 40-byte header of every message, little endian: opcode, width, flags, one reserved byte, request id,
/// status, a 32-bit argument and three 64-bit ones. Replies carry the request id of their request; pushes carry 0.
/// </summary>
internal struct Frame
{
    /// <summary>The header size.</summary>
    public const int Size = 40;

    /// <summary>The largest payload of one message: gets and puts are split into chunks of this size.</summary>
    public const int MaxPayload = 64 * 1024;

    /// <summary>The largest message.</summary>
    public const int MaxMessage = Size + MaxPayload;

    public Opcode Op;
    public byte Width;
    public FrameFlags Flags;
    public uint RequestId;
    public int Status;
    public uint Arg;
    public ulong A;
    public ulong B;
    public ulong C;

    public Frame(Opcode op, uint requestId = 0)
    {
        Op = op;
        RequestId = requestId;
    }

    public readonly void Write(Span<byte> destination)
    {
        destination[0] = (byte)Op;
        destination[1] = Width;
        destination[2] = (byte)Flags;
        destination[3] = 0;
        BinaryPrimitives.WriteUInt32LittleEndian(destination[4..], RequestId);
        BinaryPrimitives.WriteInt32LittleEndian(destination[8..], Status);
        BinaryPrimitives.WriteUInt32LittleEndian(destination[12..], Arg);
        BinaryPrimitives.WriteUInt64LittleEndian(destination[16..], A);
        BinaryPrimitives.WriteUInt64LittleEndian(destination[24..], B);
        BinaryPrimitives.WriteUInt64LittleEndian(destination[32..], C);
    }

    /// <summary>Reads a header; false when the message is shorter than one.</summary>
    public static bool TryRead(ReadOnlySpan<byte> message, out Frame frame)
    {
        frame = default;
        if (message.Length < Size)
        {
            return false;
        }

        frame.Op = (Opcode)message[0];
        frame.Width = message[1];
        frame.Flags = (FrameFlags)message[2];
        frame.RequestId = BinaryPrimitives.ReadUInt32LittleEndian(message[4..]);
        frame.Status = BinaryPrimitives.ReadInt32LittleEndian(message[8..]);
        frame.Arg = BinaryPrimitives.ReadUInt32LittleEndian(message[12..]);
        frame.A = BinaryPrimitives.ReadUInt64LittleEndian(message[16..]);
        frame.B = BinaryPrimitives.ReadUInt64LittleEndian(message[24..]);
        frame.C = BinaryPrimitives.ReadUInt64LittleEndian(message[32..]);
        return true;
    }
}

/// <summary>Socket helpers shared by both ends.</summary>
internal static class Wire
{
    /// <summary>A Unix domain socket that keeps message boundaries (SOCK_SEQPACKET), with room to send the largest message.</summary>
    public static Socket NewSocket()
    {
        var socket = new Socket(AddressFamily.Unix, SocketType.Seqpacket, ProtocolType.Unspecified);

        // A record must fit the send buffer whole. The default (net.core.wmem_default) is far larger; this only guards
        // hosts that lowered it, and the kernel caps the request at net.core.wmem_max without failing.
        if (socket.SendBufferSize < 2 * Frame.MaxMessage)
        {
            socket.SendBufferSize = 2 * Frame.MaxMessage;
        }

        return socket;
    }

    /// <summary>Sends one message and waits, bounded by the socket's send timeout, until the kernel took it whole.</summary>
    /// <exception cref="SocketException">The connection is gone or the peer did not take the message in time.</exception>
    /// <exception cref="ObjectDisposedException">The socket was closed.</exception>
    public static void Send(Socket socket, in Frame frame, ReadOnlySpan<byte> payload, byte[] buffer)
    {
        int length = Frame.Size + payload.Length;
        frame.Write(buffer);
        payload.CopyTo(buffer.AsSpan(Frame.Size));
        if (socket.Send(buffer, 0, length, SocketFlags.None) != length)
        {
            throw new SocketException((int)SocketError.MessageSize);
        }
    }

    /// <summary>Receives one message into <paramref name="buffer"/> (<see cref="Frame.MaxMessage"/> + 1 bytes, so an oversized one shows).</summary>
    /// <returns>The header and payload; false at the end of the stream or for a malformed message.</returns>
    public static bool TryReceive(Socket socket, byte[] buffer, out Frame frame, out int payloadLength)
    {
        int received = socket.Receive(buffer, SocketFlags.None);
        payloadLength = received - Frame.Size;
        return Frame.TryRead(buffer.AsSpan(0, received), out frame) && received <= Frame.MaxMessage;
    }
}
