namespace Rsm.Benchmarks;

/// <summary>
/// The bytes of the contended benchmarks: every participant's source holds a pattern no other participant's holds, and
/// the memory written (an exported segment, or a raw receiver's memory) must hold participant <c>i</c>'s bytes in range
/// <c>i</c>. A put that did not happen, landed at the wrong offset or moved too few bytes shows as a difference.
/// </summary>
internal static class ContendedBytes
{
    /// <summary>Fills <paramref name="source"/> with participant <paramref name="participant"/>'s pattern.</summary>
    public static void Fill(Span<byte> source, int participant)
    {
        for (int i = 0; i < source.Length; i++)
        {
            source[i] = Pattern(participant, i);
        }
    }

    /// <summary>
    /// Null when every range of <paramref name="rangeSize"/> bytes of <paramref name="memory"/> equals the source of
    /// its participant; else which byte differs first.
    /// </summary>
    public static string? Check(ReadOnlySpan<byte> memory, int rangeSize, IReadOnlyList<RsmPageMemory?> sources)
    {
        for (int i = 0; i < sources.Count; i++)
        {
            ReadOnlySpan<byte> range = memory.Slice(i * rangeSize, rangeSize);
            int same = range.CommonPrefixLength(sources[i]!.GetSpan()[..rangeSize]);
            if (same < rangeSize)
            {
                return $"range {i} ({rangeSize} bytes at {i * rangeSize}) differs first at byte {same}: 0x{range[same]:x2}, expected 0x{Pattern(i, same):x2}";
            }
        }

        return null;
    }

    /// <summary>Participants 0 to 3 use disjoint byte values (0-60, 64-124, 128-188, 192-252).</summary>
    private static byte Pattern(int participant, int index) => (byte)((participant * 64) + (index % 61));
}
