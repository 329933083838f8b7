using System.Runtime.InteropServices;

namespace Rsm.Conformance;

/// <summary>
/// The transfers and data patterns of the Concurrency checks, shared with the peer program so that what a peer
/// writes can be checked in the test process and the other way round.
/// </summary>
internal static class ConformanceTransfer
{
    /// <summary>The name of <paramref name="form"/> in peer requests.</summary>
    /// <param name="form">The form.</param>
    /// <returns>The name.</returns>
    public static string Name(ConformanceTransferForm form) => form switch
    {
        ConformanceTransferForm.Bytes => "put",
        ConformanceTransferForm.Sized8 => "8",
        ConformanceTransferForm.Sized16 => "16",
        ConformanceTransferForm.Sized32 => "32",
        ConformanceTransferForm.Sized64 => "64",
        ConformanceTransferForm.Vector => "v",
        _ => throw new ArgumentOutOfRangeException(nameof(form), form, "unknown transfer form"),
    };

    /// <summary>The form named <paramref name="name"/> in a peer request.</summary>
    /// <param name="name">The name.</param>
    /// <returns>The form.</returns>
    public static ConformanceTransferForm Parse(string name) => name switch
    {
        "put" => ConformanceTransferForm.Bytes,
        "8" => ConformanceTransferForm.Sized8,
        "16" => ConformanceTransferForm.Sized16,
        "32" => ConformanceTransferForm.Sized32,
        "64" => ConformanceTransferForm.Sized64,
        "v" => ConformanceTransferForm.Vector,
        _ => throw new FormatException($"unknown transfer form '{name}'"),
    };

    /// <summary>
    /// Writes the first <paramref name="count"/> bytes of <paramref name="local"/> to the segment at <paramref name="offset"/>
    /// with <paramref name="form"/>.
    /// </summary>
    /// <param name="import">The import.</param>
    /// <param name="form">The form.</param>
    /// <param name="offset">The segment offset, a multiple of 8.</param>
    /// <param name="local">Page-aligned source memory.</param>
    /// <param name="count">The number of bytes.</param>
    /// <param name="handle">A local memory handle over <paramref name="local"/> for one element of a putv, or null.</param>
    public static void Put(IImportSegment import, ConformanceTransferForm form, long offset, RsmPageMemory local, int count, RsmLocalMemoryHandle? handle) =>
        Move(import, form, offset, local, count, handle, write: true);

    /// <summary>Reads <paramref name="count"/> bytes of the segment at <paramref name="offset"/> into <paramref name="local"/> with <paramref name="form"/>.</summary>
    /// <param name="import">The import.</param>
    /// <param name="form">The form.</param>
    /// <param name="offset">The segment offset, a multiple of 8.</param>
    /// <param name="local">Page-aligned destination memory.</param>
    /// <param name="count">The number of bytes.</param>
    /// <param name="handle">A local memory handle over <paramref name="local"/> for one element of a getv, or null.</param>
    public static void Get(IImportSegment import, ConformanceTransferForm form, long offset, RsmPageMemory local, int count, RsmLocalMemoryHandle? handle) =>
        Move(import, form, offset, local, count, handle, write: false);

    /// <summary>A put (<paramref name="write"/>) or get of the first <paramref name="count"/> bytes of <paramref name="local"/> with <paramref name="form"/>.</summary>
    private static void Move(IImportSegment import, ConformanceTransferForm form, long offset, RsmPageMemory local, int count, RsmLocalMemoryHandle? handle, bool write)
    {
        ArgumentNullException.ThrowIfNull(import);
        ArgumentNullException.ThrowIfNull(local);
        Span<byte> bytes = local.GetSpan()[..count];

        // The sized forms move whole elements; the bytes beyond the last whole one go with the 8-bit form.
        int whole = count & ~(ElementSize(form) - 1);
        Span<byte> elements = bytes[..whole];
        switch (form)
        {
            case ConformanceTransferForm.Bytes when write:
                import.Put(offset, bytes);
                return;
            case ConformanceTransferForm.Bytes:
                import.Get(offset, bytes);
                return;
            case ConformanceTransferForm.Vector:
            {
                RsmScatterGather request = Request(local, offset, count, handle);
                if (write)
                {
                    import.PutV(request);
                }
                else
                {
                    import.GetV(request);
                }

                CheckResidual(request, write ? "putv" : "getv");
                return;
            }

            case ConformanceTransferForm.Sized8 when write:
                import.Put8(offset, elements);
                break;
            case ConformanceTransferForm.Sized8:
                import.Get8(offset, elements);
                break;
            case ConformanceTransferForm.Sized16 when write:
                import.Put16(offset, MemoryMarshal.Cast<byte, ushort>(elements));
                break;
            case ConformanceTransferForm.Sized16:
                import.Get16(offset, MemoryMarshal.Cast<byte, ushort>(elements));
                break;
            case ConformanceTransferForm.Sized32 when write:
                import.Put32(offset, MemoryMarshal.Cast<byte, uint>(elements));
                break;
            case ConformanceTransferForm.Sized32:
                import.Get32(offset, MemoryMarshal.Cast<byte, uint>(elements));
                break;
            case ConformanceTransferForm.Sized64 when write:
                import.Put64(offset, MemoryMarshal.Cast<byte, ulong>(elements));
                break;
            case ConformanceTransferForm.Sized64:
                import.Get64(offset, MemoryMarshal.Cast<byte, ulong>(elements));
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(form), form, "unknown transfer form");
        }

        if (whole < count && write)
        {
            import.Put8(offset + whole, bytes[whole..]);
        }
        else if (whole < count)
        {
            import.Get8(offset + whole, bytes[whole..]);
        }
    }

    private static int ElementSize(ConformanceTransferForm form) => form switch
    {
        ConformanceTransferForm.Sized16 => 2,
        ConformanceTransferForm.Sized32 => 4,
        ConformanceTransferForm.Sized64 => 8,
        _ => 1,
    };

    /// <summary>
    /// Fills <paramref name="destination"/> with the bytes of pattern <paramref name="seed"/> that belong at segment offset
    /// <paramref name="offset"/>. Each byte depends on its segment offset and the seed, so a byte that lands at another
    /// offset, or comes from another writer or round, differs (but for chance, 1 in 256 per byte).
    /// </summary>
    /// <param name="destination">The bytes to fill.</param>
    /// <param name="offset">The segment offset of the first byte.</param>
    /// <param name="seed">The pattern.</param>
    public static void FillPattern(Span<byte> destination, long offset, uint seed)
    {
        // Bytes up to the first 8-byte boundary of the segment, then whole words, then the rest.
        int head = Math.Min(destination.Length, (int)((8 - (offset & 7)) & 7));
        for (int i = 0; i < head; i++)
        {
            destination[i] = PatternByte(offset + i, seed);
        }

        Span<byte> body = destination[head..];
        int whole = body.Length / 8;
        Span<ulong> words = MemoryMarshal.Cast<byte, ulong>(body[..(whole * 8)]);
        ulong first = (ulong)((offset + head) >> 3);
        for (int j = 0; j < words.Length; j++)
        {
            words[j] = LittleEndian(Mix(first + (ulong)j, seed));
        }

        for (int i = head + (whole * 8); i < destination.Length; i++)
        {
            destination[i] = PatternByte(offset + i, seed);
        }
    }

    /// <summary>The index of the first byte of <paramref name="actual"/> that is not pattern <paramref name="seed"/> at <paramref name="offset"/>, or -1.</summary>
    /// <param name="actual">The bytes read.</param>
    /// <param name="offset">The segment offset of the first byte.</param>
    /// <param name="seed">The pattern.</param>
    /// <returns>The index, or -1 when every byte matches.</returns>
    public static int FirstMismatch(ReadOnlySpan<byte> actual, long offset, uint seed)
    {
        int head = Math.Min(actual.Length, (int)((8 - (offset & 7)) & 7));
        for (int i = 0; i < head; i++)
        {
            if (actual[i] != PatternByte(offset + i, seed))
            {
                return i;
            }
        }

        ReadOnlySpan<byte> body = actual[head..];
        int whole = body.Length / 8;
        ReadOnlySpan<ulong> words = MemoryMarshal.Cast<byte, ulong>(body[..(whole * 8)]);
        ulong first = (ulong)((offset + head) >> 3);
        for (int j = 0; j < words.Length; j++)
        {
            if (words[j] != LittleEndian(Mix(first + (ulong)j, seed)))
            {
                for (int i = head + (j * 8); ; i++)
                {
                    if (actual[i] != PatternByte(offset + i, seed))
                    {
                        return i;
                    }
                }
            }
        }

        for (int i = head + (whole * 8); i < actual.Length; i++)
        {
            if (actual[i] != PatternByte(offset + i, seed))
            {
                return i;
            }
        }

        return -1;
    }

    /// <summary>The byte of pattern <paramref name="seed"/> at segment offset <paramref name="offset"/>.</summary>
    /// <param name="offset">The segment offset.</param>
    /// <param name="seed">The pattern.</param>
    /// <returns>The byte.</returns>
    public static byte PatternByte(long offset, uint seed) => (byte)(Mix((ulong)(offset >> 3), seed) >> (int)(8 * (offset & 7)));

    /// <summary>
    /// The 8-byte word that writer <paramref name="writer"/> stores at word index <paramref name="wordIndex"/> of the
    /// overlapping-writes check. Each byte of it differs from the same byte of every other writer's word at that index, so a
    /// word that mixes the bytes of several writers matches no writer.
    /// </summary>
    /// <param name="writer">The writer, 0 to 254.</param>
    /// <param name="wordIndex">The word index in the segment (offset / 8).</param>
    /// <returns>The word.</returns>
    public static ulong Word(int writer, long wordIndex)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(writer);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(writer, 254);
        return Mix((ulong)wordIndex, 0x5EEDu) ^ (0x0101010101010101UL * (ulong)(writer + 1));
    }

    /// <summary>The writer whose <see cref="Word"/> <paramref name="value"/> is at <paramref name="wordIndex"/>, or -1 when it is no writer's.</summary>
    /// <param name="value">The word found.</param>
    /// <param name="wordIndex">Its word index.</param>
    /// <returns>The writer, or -1.</returns>
    public static int WriterOf(ulong value, long wordIndex)
    {
        ulong mark = value ^ Mix((ulong)wordIndex, 0x5EEDu);
        ulong writer = mark & 0xFF;
        return writer is >= 1 and <= 255 && mark == 0x0101010101010101UL * writer ? (int)writer - 1 : -1;
    }

    /// <summary>Fills <paramref name="destination"/> with writer <paramref name="writer"/>'s words from word index <paramref name="firstWord"/> on.</summary>
    /// <param name="destination">The words to fill.</param>
    /// <param name="firstWord">The word index of the first one.</param>
    /// <param name="writer">The writer.</param>
    public static void FillWords(Span<ulong> destination, long firstWord, int writer)
    {
        for (int j = 0; j < destination.Length; j++)
        {
            destination[j] = Word(writer, firstWord + j);
        }
    }

    /// <summary>Up to three elements over [offset, offset + count): address, local memory handle (where given), address.</summary>
    private static RsmScatterGather Request(RsmPageMemory local, long offset, int count, RsmLocalMemoryHandle? handle)
    {
        var request = new RsmScatterGather();
        if (count < 3)
        {
            request.Vectors.Add(RsmIoVector.FromAddress(local.Address, (nuint)offset, (nuint)count));
            request.ResidualCount = 1;
            return request;
        }

        int first = count / 3;
        int second = count / 3;
        int third = count - first - second;
        request.Vectors.Add(RsmIoVector.FromAddress(local.Address, (nuint)offset, (nuint)first));
        request.Vectors.Add(handle is null
            ? RsmIoVector.FromAddress(local.Address + first, (nuint)(offset + first), (nuint)second)
            : RsmIoVector.FromHandle(handle, (nuint)first, (nuint)(offset + first), (nuint)second));
        request.Vectors.Add(RsmIoVector.FromAddress(local.Address + first + second, (nuint)(offset + first + second), (nuint)third));
        request.ResidualCount = request.Vectors.Count;
        return request;
    }

    private static void CheckResidual(RsmScatterGather request, string operation)
    {
        if (request.ResidualCount != 0)
        {
            throw new InvalidOperationException($"{operation} succeeded with io_residual_count {request.ResidualCount}, not 0");
        }
    }

    /// <summary>The little-endian memory image of <paramref name="word"/>: byte k of a pattern word is bits 8k to 8k + 7.</summary>
    private static ulong LittleEndian(ulong word) => BitConverter.IsLittleEndian ? word : System.Buffers.Binary.BinaryPrimitives.ReverseEndianness(word);

    /// <summary>SplitMix64 of <paramref name="x"/> in the stream of <paramref name="seed"/>.</summary>
    private static ulong Mix(ulong x, uint seed)
    {
        ulong z = x + ((seed + 1UL) * 0x9E3779B97F4A7C15UL);
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
