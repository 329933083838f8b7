namespace Rsm;

/// <summary>
/// Controller attributes (<c>rsmapi_controller_attr_t</c>) as returned by <c>rsm_get_controller_attr</c>,
/// plus the node limits the engine enforces. Every built-in provider reports real values (DECISIONS D1).
/// </summary>
public sealed record RsmControllerAttributes
{
    /// <summary><c>attr_direct_access_sizes</c>: bit mask of RSM_DAS8 (1), RSM_DAS16 (2), RSM_DAS32 (4), RSM_DAS64 (8).</summary>
    public uint DirectAccessSizes { get; init; }

    /// <summary><c>attr_atomic_sizes</c>: bit mask of the access sizes usable by lock operations (4 and 8 bytes: 0x0C).</summary>
    public uint AtomicSizes { get; init; }

    /// <summary><c>attr_page_size</c>: the unit of every alignment and page-multiple check.</summary>
    public nuint PageSize { get; init; }

    /// <summary><c>attr_max_export_segment_size</c>: the largest length an export segment may have.</summary>
    public nuint MaxExportSegmentSize { get; init; }

    /// <summary><c>attr_tot_export_segment_size</c>: the node's quota of exported bytes.</summary>
    public nuint TotalExportSegmentSize { get; init; }

    /// <summary><c>attr_max_export_segments</c>: how many export segments the node holds at once.</summary>
    public ulong MaxExportSegments { get; init; }

    /// <summary><c>attr_max_import_map_size</c>: the largest single import mapping.</summary>
    public nuint MaxImportMapSize { get; init; }

    /// <summary><c>attr_tot_import_map_size</c>: the total size of import mappings.</summary>
    public nuint TotalImportMapSize { get; init; }

    /// <summary><c>attr_max_import_segments</c>: how many import segments the node holds at once.</summary>
    public ulong MaxImportSegments { get; init; }

    /// <summary>The largest node id an access list may name (RSMAPI MAX_NODES, 64).</summary>
    public uint MaxNodes { get; init; } = 64;

    /// <summary>What the transport can do beyond the mandatory surface.</summary>
    public RsmCapabilities Capabilities { get; init; }
}
