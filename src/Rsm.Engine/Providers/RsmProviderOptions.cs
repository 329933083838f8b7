namespace Rsm.Engine;

/// <summary>
/// The options every engine-based provider has: the node id and the limits the node enforces. A provider's options class
/// derives from it and adds its own; each controller's configuration section binds over the registered defaults.
/// </summary>
public abstract class RsmProviderOptions
{
    /// <summary>The local node id. Default 0. At most <see cref="MaxNodes"/>.</summary>
    public uint NodeId { get; set; }

    /// <summary>The largest export segment in bytes, a page multiple. Default: the memory available to the process, rounded down to pages.</summary>
    public ulong MaxExportSegmentSize { get; set; } = PageMemory.DefaultMemoryLimit();

    /// <summary>The node's exported-bytes quota. Default: the memory available to the process, rounded down to pages.</summary>
    public ulong TotalExportSegmentSize { get; set; } = PageMemory.DefaultMemoryLimit();

    /// <summary>How many export segments the node holds at once. Default 65535 (the shipped <c>rsm.conf</c> value).</summary>
    public ulong MaxExportSegments { get; set; } = 65535;

    /// <summary>How many import segments the node holds at once. Default 65535.</summary>
    public ulong MaxImportSegments { get; set; } = 65535;

    /// <summary>The largest node id an access list may name. Default 64.</summary>
    public uint MaxNodes { get; set; } = 64;

    /// <summary>The segment-id range file. Default <c>/etc/rsm/rsm.segmentid</c>.</summary>
    public string SegmentIdRangeFile { get; set; } = "/etc/rsm/rsm.segmentid";

    /// <summary>The configuration path of the controller whose named options these are, once <c>AddRsm</c>'s options setup has bound them.</summary>
    internal string? ControllerPath { get; set; }

    /// <summary>The limits these options set, which the engine checks and turns into controller attributes.</summary>
    /// <returns>The limits.</returns>
    public EngineLimits ToLimits() =>
        new(NodeId, MaxExportSegmentSize, TotalExportSegmentSize, MaxExportSegments, MaxImportSegments, MaxNodes, SegmentIdRangeFile);
}
