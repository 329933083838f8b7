namespace Rsm;

/// <summary>
/// An import segment (<c>rsm_memseg_import_handle_t</c>): a connection to a published export segment.
/// Disposing it disconnects it. Data calls are synchronous and allocation-free.
/// </summary>
/// <remarks>
/// Data calls may run on several threads at once, also while the exporter unpublishes or destroys the segment (they then
/// see scratch memory and report ConnectionAborted in Implicit mode). As with the C library, the caller must not unmap or
/// disconnect a segment while another thread still uses it or a span from its mapping.
/// </remarks>
public partial interface IImportSegment : IRsmSegment
{
    /// <summary>The exporter's node.</summary>
    uint NodeId { get; }

    /// <summary>The segment length in bytes, as the exporter reported it at connect.</summary>
    nuint Length { get; }

    /// <summary>The permission requested at connect and granted.</summary>
    RsmPermissions Permission { get; }

    /// <summary>The current explicit mapping, or <see langword="null"/>.</summary>
    IRsmMapping? Mapping { get; }

    /// <summary>The barrier mode. <c>rsm_memseg_import_get_mode</c>.</summary>
    /// <returns>The current mode.</returns>
    /// <exception cref="RsmException">BadSegmentHandle (5).</exception>
    RsmBarrierMode GetMode();

    /// <summary>Sets the barrier mode. <c>rsm_memseg_import_set_mode</c>.</summary>
    /// <param name="mode">Explicit (0) or Implicit (1).</param>
    /// <exception cref="RsmException">BadSegmentHandle (5); BadMode (25).</exception>
    void SetMode(RsmBarrierMode mode);

    /// <summary>Disconnects. <c>rsm_memseg_import_disconnect</c>. An implicit mapping is removed first.</summary>
    /// <exception cref="RsmException">BadSegmentHandle (5); SegmentStillMapped (10) with an explicit mapping; PollDescriptorInUse (34).</exception>
    void Disconnect();
}
