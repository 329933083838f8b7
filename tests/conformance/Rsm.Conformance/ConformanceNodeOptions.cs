namespace Rsm.Conformance;

/// <summary>Settings the suite asks a provider to apply to one node's controller. Null means the provider's default.</summary>
public sealed record ConformanceNodeOptions
{
    /// <summary>The node id.</summary>
    public uint NodeId { get; init; } = 1;

    /// <summary>The largest export segment.</summary>
    public nuint? MaxExportSegmentSize { get; init; }

    /// <summary>The node's exported-bytes quota.</summary>
    public nuint? TotalExportSegmentSize { get; init; }

    /// <summary>The number of export segments the node holds at once.</summary>
    public ulong? MaxExportSegments { get; init; }

    /// <summary>The segment-id range file.</summary>
    public string? SegmentIdRangeFile { get; init; }
}
