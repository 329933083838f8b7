namespace Rsm;

/// <summary>
/// A controller handle (<c>rsmapi_controller_handle_t</c>): the entry point to one transport on one node.
/// Disposing it releases one reference (<c>rsm_release_controller</c>).
/// </summary>
public interface IRsmController : IDisposable
{
    /// <summary>The controller's configured name.</summary>
    string Name { get; }

    /// <summary>The name of the provider behind it (Loopback, SharedMemory, Tcp, ...).</summary>
    string ProviderName { get; }

    /// <summary>The local node id of this controller.</summary>
    uint LocalNodeId { get; }

    /// <summary>The controller's attributes. <c>rsm_get_controller_attr</c>.</summary>
    /// <exception cref="RsmException">BadControllerHandle (3) once the last reference has been released (DECISIONS D7).</exception>
    RsmControllerAttributes GetAttributes();

    /// <summary>Releases one reference; the last release closes the controller. <c>rsm_release_controller</c>.</summary>
    /// <exception cref="RsmException">BadControllerHandle (3) when no reference is left.</exception>
    void Release();

    /// <summary>
    /// Exports <paramref name="length"/> bytes at <paramref name="address"/> as a segment. <c>rsm_memseg_export_create</c>.
    /// The caller keeps owning the memory and must keep it alive until the segment is destroyed.
    /// </summary>
    /// <param name="address">Page-aligned start of the memory.</param>
    /// <param name="length">A non-zero multiple of the page size, at most <see cref="RsmControllerAttributes.MaxExportSegmentSize"/>.</param>
    /// <param name="flags">Creation flags; unknown bits are ignored.</param>
    /// <returns>The export segment, in the bound (unpublished) state.</returns>
    /// <exception cref="RsmException">In this order: BadControllerHandle (3) released controller; BadAddress (16) null address;
    /// BadLength (20) zero length; BadMemoryAlignment (17) address or length not a page multiple; BadLength (20) above the limit;
    /// InsufficientResources (31) segment table full; InsufficientMemory (32) quota exceeded; BadAddress (16) range not mapped.</exception>
    IExportSegment CreateExportSegment(nint address, nuint length, ExportFlags flags = ExportFlags.None);

    /// <summary>Connects to a published segment. <c>rsm_memseg_import_connect</c>.</summary>
    /// <param name="nodeId">The exporter's node.</param>
    /// <param name="segmentId">The segment id it was published under.</param>
    /// <param name="permission"><see cref="RsmPermissions.None"/>, Read, Write or ReadWrite.</param>
    /// <returns>The import segment, in Implicit barrier mode.</returns>
    /// <exception cref="RsmException">BadControllerHandle (3); PermissionDenied (27) for bits outside 0600; ControllerNotPresent (4) unreachable node;
    /// SegmentNotPublished (7); SegmentNotPublishedToNode (8); PermissionDenied (27) by the owner/group/other check;
    /// RemoteNodeUnreachable (39); Interrupted (41).</exception>
    IImportSegment Connect(uint nodeId, uint segmentId, RsmPermissions permission);

    /// <summary>Connects to a published segment without blocking the caller. <c>rsm_memseg_import_connect</c>.</summary>
    /// <param name="nodeId">The exporter's node.</param>
    /// <param name="segmentId">The segment id.</param>
    /// <param name="permission">The requested permission.</param>
    /// <param name="cancellationToken">Cancels the wait for the exporter.</param>
    /// <returns>The import segment.</returns>
    /// <exception cref="RsmException">As <see cref="Connect"/>.</exception>
    ValueTask<IImportSegment> ConnectAsync(uint nodeId, uint segmentId, RsmPermissions permission, CancellationToken cancellationToken = default);

    /// <summary>Creates a local memory handle for scatter/gather. <c>rsm_create_localmemory_handle</c>.</summary>
    /// <param name="address">Page-aligned start.</param>
    /// <param name="length">Non-zero length.</param>
    /// <returns>The handle.</returns>
    /// <exception cref="RsmException">BadAddress (16) misaligned address (checked before the controller); BadControllerHandle (3); BadLength (20).</exception>
    RsmLocalMemoryHandle CreateLocalMemoryHandle(nint address, nuint length);

    /// <summary>Frees a local memory handle. <c>rsm_free_localmemory_handle</c>.</summary>
    /// <param name="handle">The handle.</param>
    /// <exception cref="RsmException">BadControllerHandle (3); BadLocalMemoryHandle (15) for a null or freed handle.</exception>
    void FreeLocalMemoryHandle(RsmLocalMemoryHandle? handle);

    /// <summary>Describes the interconnect as seen from this node. <c>rsm_get_interconnect_topology</c>;
    /// the result is an immutable managed object, so <c>rsm_free_interconnect_topology</c> has nothing to do.</summary>
    /// <returns>The topology.</returns>
    /// <exception cref="RsmException">BadControllerHandle (3).</exception>
    RsmTopology GetInterconnectTopology();

    /// <summary>Looks up the segment-id range reserved for an application in the segment-id range file. <c>rsm_get_segmentid_range</c>.</summary>
    /// <param name="appId">The application id (matched case-insensitively).</param>
    /// <returns>The base id and the number of ids.</returns>
    /// <exception cref="RsmException">BadAddress (16) null id; BadConfiguration (44) missing or malformed file; BadAppId (43) no matching line.</exception>
    RsmSegmentIdRange GetSegmentIdRange(string? appId);
}
