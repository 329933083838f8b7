namespace Rsm;

/// <summary>An export segment (<c>rsm_memseg_export_handle_t</c>). Disposing it destroys it.</summary>
public interface IExportSegment : IRsmSegment
{
    /// <summary>The current start of the exported memory.</summary>
    nint Address { get; }

    /// <summary>The segment length in bytes.</summary>
    nuint Length { get; }

    /// <summary>The creation flags.</summary>
    ExportFlags Flags { get; }

    /// <summary>Whether the segment is published.</summary>
    bool IsPublished { get; }

    /// <summary>Publishes the segment under <paramref name="segmentId"/>. <c>rsm_memseg_export_publish</c>.</summary>
    /// <param name="segmentId">0 asks the node to assign an id from 0x80000000 upward; otherwise an id outside the reserved ranges.</param>
    /// <param name="accessList">Up to 64 entries; empty publishes to every node with the creator's default mode <c>0777 &amp; ~umask</c>.</param>
    /// <returns>The segment id actually used.</returns>
    /// <exception cref="RsmException">In this order: BadSegmentHandle (5) destroyed; SegmentAlreadyPublished (6); ReservedSegmentId (23);
    /// NotCreator (12); BadAccessList (21); InsufficientResources (31) auto ids exhausted; SegmentIdInUse (24).</exception>
    uint Publish(uint segmentId, ReadOnlySpan<RsmAccessEntry> accessList = default);

    /// <summary>Withdraws the segment and force-disconnects every importer. <c>rsm_memseg_export_unpublish</c>.</summary>
    /// <exception cref="RsmException">BadSegmentHandle (5); SegmentNotPublished (7); NotCreator (12).</exception>
    void Unpublish();

    /// <summary>Replaces the access list; existing connections keep what they have. <c>rsm_memseg_export_republish</c>.</summary>
    /// <param name="accessList">The new list; empty means public with the default mode.</param>
    /// <exception cref="RsmException">BadSegmentHandle (5); SegmentNotPublished (7); NotCreator (12); BadAccessList (21).</exception>
    void Republish(ReadOnlySpan<RsmAccessEntry> accessList);

    /// <summary>Moves the segment to other memory of the same length; importers see the new memory (DECISIONS D4). <c>rsm_memseg_export_rebind</c>.</summary>
    /// <param name="address">The new page-aligned memory.</param>
    /// <param name="length">Must equal <see cref="Length"/>.</param>
    /// <param name="offset">Unused, as in C; any value is accepted.</param>
    /// <exception cref="RsmException">In this order: BadSegmentHandle (5); BadAddress (16) null; RebindNotAllowed (30); NotCreator (12);
    /// BadLength (20) length differs; BadAddress (16) misaligned or unmapped; InsufficientMemory (32).</exception>
    void Rebind(nint address, nuint length, long offset = 0);

    /// <summary>Destroys the segment, unpublishing it first (importers are aborted). <c>rsm_memseg_export_destroy</c>.
    /// The caller's memory stays valid and keeps its contents.</summary>
    /// <exception cref="RsmException">BadSegmentHandle (5) already destroyed; PollDescriptorInUse (34).</exception>
    void Destroy();
}
