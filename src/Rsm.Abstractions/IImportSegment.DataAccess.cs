namespace Rsm;

public partial interface IImportSegment
{
    /// <summary>Copies <c>destination.Length</c> bytes from the segment at <paramref name="offset"/>. <c>rsm_memseg_import_get</c>.</summary>
    /// <param name="offset">Byte offset in the segment.</param>
    /// <param name="destination">Where the bytes go; its length is the byte count.</param>
    /// <exception cref="RsmException">In this order: BadSegmentHandle (5); BadAddress (16) null buffer with a non-zero length;
    /// BadMemoryAlignment (17) buffer or offset not aligned to the access size; ConnectionAborted (40) or BadPermissions (26) from the implicit map;
    /// PermissionDenied (27) no Read permission, or the segment is mapped without Read (DECISIONS D10: never a fault); BadOffset (18) outside the mapped window; BarrierUninitialized (35) Implicit mode without a barrier;
    /// ConnectionAborted (40) a forced disconnect since connect (Implicit mode).</exception>
    void Get(long offset, Span<byte> destination);

    /// <summary>Reads <c>destination.Length</c> bytes one at a time. <c>rsm_memseg_import_get8</c>; the span length is the repeat count.</summary>
    /// <param name="offset">Byte offset.</param>
    /// <param name="destination">Destination elements.</param>
    /// <exception cref="RsmException">As <see cref="Get"/>.</exception>
    void Get8(long offset, Span<byte> destination);

    /// <summary>Reads 16-bit elements with 16-bit accesses, no byte swapping. <c>rsm_memseg_import_get16</c>.</summary>
    /// <param name="offset">Byte offset, a multiple of 2.</param>
    /// <param name="destination">Destination elements, 2-byte aligned; the span length is the repeat count.</param>
    /// <exception cref="RsmException">As <see cref="Get"/>.</exception>
    void Get16(long offset, Span<ushort> destination);

    /// <summary>Reads 32-bit elements. <c>rsm_memseg_import_get32</c>.</summary>
    /// <param name="offset">Byte offset, a multiple of 4.</param>
    /// <param name="destination">Destination elements, 4-byte aligned.</param>
    /// <exception cref="RsmException">As <see cref="Get"/>.</exception>
    void Get32(long offset, Span<uint> destination);

    /// <summary>Reads 64-bit elements. <c>rsm_memseg_import_get64</c>.</summary>
    /// <param name="offset">Byte offset, a multiple of 8.</param>
    /// <param name="destination">Destination elements, 8-byte aligned.</param>
    /// <exception cref="RsmException">As <see cref="Get"/>.</exception>
    void Get64(long offset, Span<ulong> destination);

    /// <summary>Copies <c>source.Length</c> bytes into the segment at <paramref name="offset"/>. <c>rsm_memseg_import_put</c>.</summary>
    /// <param name="offset">Byte offset.</param>
    /// <param name="source">The bytes to write.</param>
    /// <exception cref="RsmException">As <see cref="Get"/>, with Write required: PermissionDenied (27) without Write permission, or through a mapping made without Write (DECISIONS D10), and then nothing is written.</exception>
    void Put(long offset, ReadOnlySpan<byte> source);

    /// <summary>Writes bytes one at a time. <c>rsm_memseg_import_put8</c>.</summary>
    /// <param name="offset">Byte offset.</param>
    /// <param name="source">Source elements; the span length is the repeat count.</param>
    /// <exception cref="RsmException">As <see cref="Put"/>.</exception>
    void Put8(long offset, ReadOnlySpan<byte> source);

    /// <summary>Writes 16-bit elements. <c>rsm_memseg_import_put16</c>.</summary>
    /// <param name="offset">Byte offset, a multiple of 2.</param>
    /// <param name="source">Source elements, 2-byte aligned.</param>
    /// <exception cref="RsmException">As <see cref="Put"/>.</exception>
    void Put16(long offset, ReadOnlySpan<ushort> source);

    /// <summary>Writes 32-bit elements. <c>rsm_memseg_import_put32</c>.</summary>
    /// <param name="offset">Byte offset, a multiple of 4.</param>
    /// <param name="source">Source elements, 4-byte aligned.</param>
    /// <exception cref="RsmException">As <see cref="Put"/>.</exception>
    void Put32(long offset, ReadOnlySpan<uint> source);

    /// <summary>Writes 64-bit elements. <c>rsm_memseg_import_put64</c>.</summary>
    /// <param name="offset">Byte offset, a multiple of 8.</param>
    /// <param name="source">Source elements, 8-byte aligned.</param>
    /// <exception cref="RsmException">As <see cref="Put"/>.</exception>
    void Put64(long offset, ReadOnlySpan<ulong> source);

    /// <summary>Gathers from the segment into local memory. <c>rsm_memseg_import_getv</c>. Barrier mode does not apply.</summary>
    /// <param name="request">The request; <see cref="RsmScatterGather.Flags"/> is left as the caller set it.</param>
    /// <exception cref="RsmException">BadScatterGather (14) null request or count not 1..16; BadSegmentHandle (5);
    /// ConnectionAborted (40) from the implicit map; PermissionDenied (27) without the permission, or through a mapping without the access (DECISIONS D10); BadOffset (18) outside the segment or local region;
    /// BadLocalMemoryHandle (15) freed handle.</exception>
    void GetV(RsmScatterGather? request);

    /// <summary>Scatters local memory into the segment. <c>rsm_memseg_import_putv</c>.</summary>
    /// <param name="request">The request.</param>
    /// <exception cref="RsmException">As <see cref="GetV"/>, with Write permission required.</exception>
    void PutV(RsmScatterGather? request);
}
