using System.Buffers;

namespace Rsm.Engine;

/// <summary>
/// The natural-width copies and lock operations of the engine, written once for the in-process paths and for the
/// exporter's side of remote importers: elements of 2, 4 and 8 bytes are moved with one access each, never byte swapped
/// (RSMAPI 3.4 step 11, DECISIONS F11).
/// </summary>
internal static unsafe class NaturalCopy
{
    /// <summary>Copies <paramref name="length"/> bytes as elements of <paramref name="accessSize"/> bytes.</summary>
    public static void Copy(byte* from, byte* to, int length, int accessSize)
    {
        switch (accessSize)
        {
            case 2:
                for (int i = 0; i < length; i += 2)
                {
                    *(ushort*)(to + i) = *(ushort*)(from + i);
                }

                break;
            case 4:
                for (int i = 0; i < length; i += 4)
                {
                    *(uint*)(to + i) = *(uint*)(from + i);
                }

                break;
            case 8:
                for (int i = 0; i < length; i += 8)
                {
                    *(ulong*)(to + i) = *(ulong*)(from + i);
                }

                break;
            default:
                Buffer.MemoryCopy(from, to, length, length);
                break;
        }
    }

    /// <summary>Copies data split across buffers; an element that straddles two is assembled first, then stored whole.</summary>
    public static void Copy(in ReadOnlySequence<byte> data, byte* target, int accessSize)
    {
        Span<byte> straddling = stackalloc byte[sizeof(ulong)];
        int pending = 0;
        foreach (ReadOnlyMemory<byte> segment in data)
        {
            ReadOnlySpan<byte> span = segment.Span;
            if (pending > 0)
            {
                int take = Math.Min(accessSize - pending, span.Length);
                span[..take].CopyTo(straddling[pending..]);
                pending += take;
                span = span[take..];
                if (pending < accessSize)
                {
                    continue;
                }

                fixed (byte* element = straddling)
                {
                    Copy(element, target, accessSize, accessSize);
                }

                target += accessSize;
                pending = 0;
            }

            int whole = span.Length & ~(accessSize - 1);
            fixed (byte* source = span)
            {
                Copy(source, target, whole, accessSize);
            }

            target += whole;
            pending = span.Length - whole;
            span[whole..].CopyTo(straddling);
        }
    }

    /// <summary>Runs a lock operation on the 4- or 8-byte word at <paramref name="word"/> and returns its previous value.</summary>
    public static ulong RunAtomic(byte* word, AtomicOperation operation, int size, ulong value, ulong comparand)
    {
        if (size == 4)
        {
            ref uint w = ref *(uint*)word;
            return operation switch
            {
                AtomicOperation.CompareExchange => Interlocked.CompareExchange(ref w, (uint)value, (uint)comparand),
                AtomicOperation.Exchange => Interlocked.Exchange(ref w, (uint)value),
                _ => Interlocked.Add(ref w, (uint)value) - (uint)value,
            };
        }

        ref ulong w8 = ref *(ulong*)word;
        return operation switch
        {
            AtomicOperation.CompareExchange => Interlocked.CompareExchange(ref w8, value, comparand),
            AtomicOperation.Exchange => Interlocked.Exchange(ref w8, value),
            _ => Interlocked.Add(ref w8, value) - value,
        };
    }
}
