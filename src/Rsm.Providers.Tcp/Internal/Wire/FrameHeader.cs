using System.Buffers;
using System.Buffers.Binary;

namespace Rsm.Providers.Tcp.Internal.Wire;

/// <summary>
/// The fixed 24-byte header in front of every frame, little-endian on the wire:
/// <code>
/// offset  size  field
///      0     4  Magic      0x544D5352, the bytes "RSMT"
///      4     1  Version    1
///      5     1  Opcode
///      6     2  Flags      opcode-specific
///      8     4  RequestId  pairs a reply with its request
///     12     4  Status     an RsmError value, 0 for success
///     16     4  Length     payload bytes after the header
///     20     4  Reserved   0
/// </code>
/// </summary>
internal readonly struct FrameHeader
{
    /// <summary>The size of a header on the wire.</summary>
    public const int Size = 24;

    /// <summary>The first four bytes of every frame, "RSMT" when read as ASCII.</summary>
    public const uint MagicValue = 0x544D5352;

    /// <summary>The protocol version this code speaks: 2 since the acceptor answers a proven Hello with Admitted or Refused.</summary>
    public const byte CurrentVersion = 2;

    /// <summary>Creates a header of the current version for a frame whose payload is <paramref name="length"/> bytes.</summary>
    public FrameHeader(Opcode opcode, uint requestId, uint length, int status = 0, ushort flags = 0)
    {
        Magic = MagicValue;
        Version = CurrentVersion;
        Opcode = opcode;
        Flags = flags;
        RequestId = requestId;
        Status = status;
        Length = length;
        Reserved = 0;
    }

    /// <summary>Always <see cref="MagicValue"/> in a valid frame.</summary>
    public uint Magic { get; init; }

    /// <summary>Always <see cref="CurrentVersion"/> in a valid frame.</summary>
    public byte Version { get; init; }

    /// <summary>What the frame carries.</summary>
    public Opcode Opcode { get; init; }

    /// <summary>Opcode-specific bits; 0 unless the opcode defines some.</summary>
    public ushort Flags { get; init; }

    /// <summary>The id a reply copies from its request.</summary>
    public uint RequestId { get; init; }

    /// <summary>An <see cref="RsmError"/> value; 0 (success) in requests.</summary>
    public int Status { get; init; }

    /// <summary>The payload bytes after the header.</summary>
    public uint Length { get; init; }

    /// <summary>Always 0 in version 1.</summary>
    public uint Reserved { get; init; }

    /// <summary>Writes the header into the first <see cref="Size"/> bytes of <paramref name="destination"/>.</summary>
    /// <exception cref="ArgumentException"><paramref name="destination"/> is shorter than <see cref="Size"/>.</exception>
    public void Write(Span<byte> destination)
    {
        if (destination.Length < Size)
        {
            throw new ArgumentException($"A frame header needs {Size} bytes; the destination has {destination.Length}.", nameof(destination));
        }

        BinaryPrimitives.WriteUInt32LittleEndian(destination, Magic);
        destination[4] = Version;
        destination[5] = (byte)Opcode;
        BinaryPrimitives.WriteUInt16LittleEndian(destination[6..], Flags);
        BinaryPrimitives.WriteUInt32LittleEndian(destination[8..], RequestId);
        BinaryPrimitives.WriteInt32LittleEndian(destination[12..], Status);
        BinaryPrimitives.WriteUInt32LittleEndian(destination[16..], Length);
        BinaryPrimitives.WriteUInt32LittleEndian(destination[20..], Reserved);
    }

    /// <summary>Reads a header from the first <see cref="Size"/> bytes of <paramref name="source"/> without judging it (see <see cref="Validate"/>).</summary>
    /// <returns>False when <paramref name="source"/> holds fewer than <see cref="Size"/> bytes.</returns>
    public static bool TryRead(ReadOnlySpan<byte> source, out FrameHeader header)
    {
        if (source.Length < Size)
        {
            header = default;
            return false;
        }

        header = new FrameHeader
        {
            Magic = BinaryPrimitives.ReadUInt32LittleEndian(source),
            Version = source[4],
            Opcode = (Opcode)source[5],
            Flags = BinaryPrimitives.ReadUInt16LittleEndian(source[6..]),
            RequestId = BinaryPrimitives.ReadUInt32LittleEndian(source[8..]),
            Status = BinaryPrimitives.ReadInt32LittleEndian(source[12..]),
            Length = BinaryPrimitives.ReadUInt32LittleEndian(source[16..]),
            Reserved = BinaryPrimitives.ReadUInt32LittleEndian(source[20..]),
        };
        return true;
    }

    /// <summary>Reads a header from the start of <paramref name="source"/>, which may span several segments.</summary>
    /// <returns>False when <paramref name="source"/> holds fewer than <see cref="Size"/> bytes.</returns>
    public static bool TryRead(in ReadOnlySequence<byte> source, out FrameHeader header)
    {
        ReadOnlySpan<byte> first = source.FirstSpan;
        if (first.Length >= Size)
        {
            return TryRead(first, out header);
        }

        if (source.Length < Size)
        {
            header = default;
            return false;
        }

        Span<byte> copy = stackalloc byte[Size];
        source.Slice(0, Size).CopyTo(copy);
        return TryRead(copy, out header);
    }

    /// <summary>
    /// Judges a header that was read from a peer, before any of its payload is waited for: magic, version, opcode,
    /// reserved field and length against <paramref name="maxPayload"/>.
    /// </summary>
    /// <returns>The first problem found, or <see cref="FrameProblem.None"/>.</returns>
    public FrameProblem Validate(int maxPayload)
    {
        if (Magic != MagicValue)
        {
            return FrameProblem.BadMagic;
        }

        if (Version != CurrentVersion)
        {
            return FrameProblem.BadVersion;
        }

        if (!OpcodeInfo.IsDefined(Opcode))
        {
            return FrameProblem.UnknownOpcode;
        }

        if (Reserved != 0)
        {
            return FrameProblem.BadReserved;
        }

        return Length > (uint)maxPayload ? FrameProblem.TooLarge : FrameProblem.None;
    }

    /// <summary>Describes <paramref name="problem"/> in this header for a log line or an exception message.</summary>
    public string Describe(FrameProblem problem, int maxPayload) => problem switch
    {
        FrameProblem.BadMagic => $"bad magic 0x{Magic:X8} (expected 0x{MagicValue:X8})",
        FrameProblem.BadVersion => $"unsupported protocol version {Version} (this node speaks {CurrentVersion})",
        FrameProblem.UnknownOpcode => $"unknown opcode {(byte)Opcode}",
        FrameProblem.BadReserved => $"reserved header field is 0x{Reserved:X8}, not 0",
        FrameProblem.TooLarge => $"frame payload of {Length} bytes exceeds the maximum of {maxPayload}",
        _ => "no problem",
    };

    /// <inheritdoc/>
    public override string ToString() => $"{Opcode} #{RequestId} status {Status}, {Length} bytes";
}
