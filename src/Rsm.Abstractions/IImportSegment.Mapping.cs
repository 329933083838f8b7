namespace Rsm;

public partial interface IImportSegment
{
    /// <summary>Maps a window of the segment into this process. <c>rsm_memseg_import_map</c>.</summary>
    /// <param name="permission">Protection: None (inaccessible), Read, Write or ReadWrite; values above 0600 fail.</param>
    /// <param name="offset">Page-aligned offset in the segment.</param>
    /// <param name="length">Non-zero length; need not be a page multiple.</param>
    /// <param name="attributes"><see cref="RsmMapAttributes.Fixed"/> maps exactly at <paramref name="address"/>.</param>
    /// <param name="address">Placement address (a hint unless Fixed).</param>
    /// <returns>The mapping.</returns>
    /// <exception cref="RsmException">In this order: BadSegmentHandle (5); SegmentAlreadyMapped (9) explicit or implicit mapping exists;
    /// BadPermissions (26) above 0600; BadLength (20) zero or past the end; BadMemoryAlignment (17) offset or fixed address misaligned;
    /// ConnectionAborted (40) after a forced disconnect; BadPermissions (26) more than the importer's class digit allows; MapFailed (33).</exception>
    IRsmMapping Map(RsmPermissions permission, long offset, nuint length, RsmMapAttributes attributes = RsmMapAttributes.None, nint address = 0);

    /// <summary>Removes the mapping, explicit or implicit. <c>rsm_memseg_import_unmap</c>.</summary>
    /// <exception cref="RsmException">BadSegmentHandle (5); SegmentNotMapped (11).</exception>
    void Unmap();

    /// <summary>Initialises <paramref name="barrier"/> on this segment and makes it the barrier of Implicit-mode accesses.
    /// <c>rsm_memseg_import_init_barrier</c>. The barrier's generation snapshot is not touched.</summary>
    /// <param name="type">Any value; it is not validated.</param>
    /// <param name="barrier">A barrier object, typically new (zero-filled).</param>
    /// <exception cref="RsmException">BadSegmentHandle (5); BadBarrierPointer (13) null barrier.</exception>
    void InitBarrier(RsmBarrierType type, RsmBarrier? barrier);

    /// <summary>Creates a barrier and initialises it on this segment. <c>rsm_memseg_import_init_barrier</c>.</summary>
    /// <param name="type">Any value.</param>
    /// <returns>The initialised barrier.</returns>
    /// <exception cref="RsmException">BadSegmentHandle (5).</exception>
    [System.Diagnostics.CodeAnalysis.SuppressMessage("ApiDesign", "RS0027:API with optional parameter(s) should have the most parameters amongst its public overloads", Justification = "The two overloads are the C call (caller's barrier) and its .NET convenience (a new barrier); neither will gain parameters.")]
    RsmBarrier InitBarrier(RsmBarrierType type = RsmBarrierType.Segment);
}
