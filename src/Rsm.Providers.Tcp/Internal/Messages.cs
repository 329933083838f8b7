using System.Buffers;
using System.Buffers.Binary;
using Rsm.Engine;

namespace Rsm.Providers.Tcp.Internal;

/// <summary>
/// The bodies of the segment frames, little-endian, fixed layouts (a frame's header carries the opcode, the request id
/// and the status). Readers check the length first; a body too short for its opcode is a protocol error.
/// </summary>
internal static class Messages
{
    /// <summary>Connect: segment id, permission, the importer's uid, gid and supplementary groups.</summary>
    public const int ConnectFixedSize = 20;

    /// <summary>Connect reply: import id, segment length, flags, granted mode, creator uid and gid.</summary>
    public const int ConnectReplySize = 28;

    /// <summary>Get: import id, offset, length, access size.</summary>
    public const int GetSize = 20;

    /// <summary>Put, before its data: import id, offset, access size.</summary>
    public const int PutFixedSize = 16;

    /// <summary>Atomic: import id, operation, size, offset, value, comparand.</summary>
    public const int AtomicSize = 36;

    /// <summary>Atomic reply: the previous value.</summary>
    public const int AtomicReplySize = 8;

    /// <summary>Abort, abort seen, disconnect, signal to an importer: the import id.</summary>
    public const int ImportIdSize = 4;

    /// <summary>Grant: import id and mode.</summary>
    public const int GrantSize = 8;

    /// <summary>The import id at the start of a body, which may be split across buffers; the caller checked the length.</summary>
    public static uint ReadImportId(in ReadOnlySequence<byte> body)
    {
        Span<byte> id = stackalloc byte[ImportIdSize];
        body.Slice(0, ImportIdSize).CopyTo(id);
        return BinaryPrimitives.ReadUInt32LittleEndian(id);
    }

    /// <summary>A small body as one span: itself when it lies in one buffer, else a copy.</summary>
    public static ReadOnlySpan<byte> Contiguous(in ReadOnlySequence<byte> body) => body.IsSingleSegment ? body.FirstSpan : body.ToArray();

    public static int WriteConnect(Span<byte> body, uint segmentId, RsmPermissions permission, RsmCredentials importer)
    {
        BinaryPrimitives.WriteUInt32LittleEndian(body, segmentId);
        BinaryPrimitives.WriteUInt32LittleEndian(body[4..], (uint)permission);
        BinaryPrimitives.WriteUInt32LittleEndian(body[8..], importer.Uid);
        BinaryPrimitives.WriteUInt32LittleEndian(body[12..], importer.Gid);
        int groups = Math.Min(importer.Groups.Count, (body.Length - ConnectFixedSize) / 4);
        BinaryPrimitives.WriteUInt32LittleEndian(body[16..], (uint)groups);
        for (int i = 0; i < groups; i++)
        {
            BinaryPrimitives.WriteUInt32LittleEndian(body[(ConnectFixedSize + (4 * i))..], importer.Groups[i]);
        }

        return ConnectFixedSize + (4 * groups);
    }

    public static bool TryReadConnect(ReadOnlySpan<byte> body, out uint segmentId, out RsmPermissions permission, out uint uid, out uint gid, out uint[] groups)
    {
        segmentId = uid = gid = 0;
        permission = RsmPermissions.None;
        groups = [];
        if (body.Length < ConnectFixedSize)
        {
            return false;
        }

        uint count = BinaryPrimitives.ReadUInt32LittleEndian(body[16..]);
        if (count > 1024 || body.Length < ConnectFixedSize + (4 * (int)count))
        {
            return false;
        }

        // A data-plane request may follow the groups; anything else after them is malformed.
        if (body.Length != ConnectFixedSize + (4 * (int)count) && !TryReadPlaneRequest(body[(ConnectFixedSize + (4 * (int)count))..], out _, out _))
        {
            return false;
        }

        segmentId = BinaryPrimitives.ReadUInt32LittleEndian(body);
        permission = (RsmPermissions)BinaryPrimitives.ReadUInt32LittleEndian(body[4..]);
        uid = BinaryPrimitives.ReadUInt32LittleEndian(body[8..]);
        gid = BinaryPrimitives.ReadUInt32LittleEndian(body[12..]);
        groups = new uint[count];
        for (int i = 0; i < groups.Length; i++)
        {
            groups[i] = BinaryPrimitives.ReadUInt32LittleEndian(body[(ConnectFixedSize + (4 * i))..]);
        }

        return true;
    }

    /// <summary>The data-plane request that may follow a connect's groups: the plane's name and the importer's address on it, each with a 16-bit length.</summary>
    public static int WritePlaneRequest(Span<byte> body, string name, ReadOnlySpan<byte> address)
    {
        int nameLength = System.Text.Encoding.UTF8.GetBytes(name, body[2..]);
        BinaryPrimitives.WriteUInt16LittleEndian(body, (ushort)nameLength);
        BinaryPrimitives.WriteUInt16LittleEndian(body[(2 + nameLength)..], (ushort)address.Length);
        address.CopyTo(body[(4 + nameLength)..]);
        return 4 + nameLength + address.Length;
    }

    /// <summary>The size of a data-plane request.</summary>
    public static int PlaneRequestSize(string name, int addressLength) => 4 + System.Text.Encoding.UTF8.GetByteCount(name) + addressLength;

    /// <summary>Reads a data-plane request that is the whole of <paramref name="body"/>.</summary>
    public static bool TryReadPlaneRequest(ReadOnlySpan<byte> body, out string name, out byte[] address)
    {
        name = string.Empty;
        address = [];
        if (body.Length < 4)
        {
            return false;
        }

        int nameLength = BinaryPrimitives.ReadUInt16LittleEndian(body);
        if (body.Length < 4 + nameLength)
        {
            return false;
        }

        int addressLength = BinaryPrimitives.ReadUInt16LittleEndian(body[(2 + nameLength)..]);
        if (body.Length != 4 + nameLength + addressLength)
        {
            return false;
        }

        name = System.Text.Encoding.UTF8.GetString(body.Slice(2, nameLength));
        address = body.Slice(4 + nameLength, addressLength).ToArray();
        return true;
    }

    /// <summary>The data-plane request of a connect body that <see cref="TryReadConnect"/> accepted, or false when it has none.</summary>
    public static bool TryReadConnectPlane(ReadOnlySpan<byte> body, out string name, out byte[] address)
    {
        int groups = (int)BinaryPrimitives.ReadUInt32LittleEndian(body[16..]);
        ReadOnlySpan<byte> rest = body[(ConnectFixedSize + (4 * groups))..];
        if (rest.IsEmpty)
        {
            name = string.Empty;
            address = [];
            return false;
        }

        return TryReadPlaneRequest(rest, out name, out address);
    }

    public static void WriteConnectReply(Span<byte> body, uint importId, ulong length, ExportFlags flags, uint granted, uint creatorUid, uint creatorGid)
    {
        BinaryPrimitives.WriteUInt32LittleEndian(body, importId);
        BinaryPrimitives.WriteUInt64LittleEndian(body[4..], length);
        BinaryPrimitives.WriteUInt32LittleEndian(body[12..], (uint)flags);
        BinaryPrimitives.WriteUInt32LittleEndian(body[16..], granted);
        BinaryPrimitives.WriteUInt32LittleEndian(body[20..], creatorUid);
        BinaryPrimitives.WriteUInt32LittleEndian(body[24..], creatorGid);
    }

    public static void ReadConnectReply(ReadOnlySpan<byte> body, out uint importId, out ulong length, out ExportFlags flags, out uint granted)
    {
        importId = BinaryPrimitives.ReadUInt32LittleEndian(body);
        length = BinaryPrimitives.ReadUInt64LittleEndian(body[4..]);
        flags = (ExportFlags)BinaryPrimitives.ReadUInt32LittleEndian(body[12..]);
        granted = BinaryPrimitives.ReadUInt32LittleEndian(body[16..]);
    }

    public static void WriteGet(Span<byte> body, uint importId, long offset, int length, int accessSize)
    {
        BinaryPrimitives.WriteUInt32LittleEndian(body, importId);
        BinaryPrimitives.WriteInt64LittleEndian(body[4..], offset);
        BinaryPrimitives.WriteInt32LittleEndian(body[12..], length);
        BinaryPrimitives.WriteInt32LittleEndian(body[16..], accessSize);
    }

    public static void ReadGet(ReadOnlySpan<byte> body, out uint importId, out long offset, out int length, out int accessSize)
    {
        importId = BinaryPrimitives.ReadUInt32LittleEndian(body);
        offset = BinaryPrimitives.ReadInt64LittleEndian(body[4..]);
        length = BinaryPrimitives.ReadInt32LittleEndian(body[12..]);
        accessSize = BinaryPrimitives.ReadInt32LittleEndian(body[16..]);
    }

    public static void WritePut(Span<byte> body, uint importId, long offset, int accessSize)
    {
        BinaryPrimitives.WriteUInt32LittleEndian(body, importId);
        BinaryPrimitives.WriteInt64LittleEndian(body[4..], offset);
        BinaryPrimitives.WriteInt32LittleEndian(body[12..], accessSize);
    }

    public static void ReadPut(ReadOnlySpan<byte> body, out uint importId, out long offset, out int accessSize)
    {
        importId = BinaryPrimitives.ReadUInt32LittleEndian(body);
        offset = BinaryPrimitives.ReadInt64LittleEndian(body[4..]);
        accessSize = BinaryPrimitives.ReadInt32LittleEndian(body[12..]);
    }

    public static void WriteAtomic(Span<byte> body, uint importId, AtomicOperation operation, int size, long offset, ulong value, ulong comparand)
    {
        BinaryPrimitives.WriteUInt32LittleEndian(body, importId);
        BinaryPrimitives.WriteInt32LittleEndian(body[4..], (int)operation);
        BinaryPrimitives.WriteInt32LittleEndian(body[8..], size);
        BinaryPrimitives.WriteInt64LittleEndian(body[12..], offset);
        BinaryPrimitives.WriteUInt64LittleEndian(body[20..], value);
        BinaryPrimitives.WriteUInt64LittleEndian(body[28..], comparand);
    }

    public static void ReadAtomic(ReadOnlySpan<byte> body, out uint importId, out AtomicOperation operation, out int size, out long offset, out ulong value, out ulong comparand)
    {
        importId = BinaryPrimitives.ReadUInt32LittleEndian(body);
        operation = (AtomicOperation)BinaryPrimitives.ReadInt32LittleEndian(body[4..]);
        size = BinaryPrimitives.ReadInt32LittleEndian(body[8..]);
        offset = BinaryPrimitives.ReadInt64LittleEndian(body[12..]);
        value = BinaryPrimitives.ReadUInt64LittleEndian(body[20..]);
        comparand = BinaryPrimitives.ReadUInt64LittleEndian(body[28..]);
    }

    public static void WriteUInt32Pair(Span<byte> body, uint first, uint second)
    {
        BinaryPrimitives.WriteUInt32LittleEndian(body, first);
        BinaryPrimitives.WriteUInt32LittleEndian(body[4..], second);
    }
}
