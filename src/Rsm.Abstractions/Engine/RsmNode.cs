namespace Rsm.Engine;

/// <summary>
/// One node of the engine: its export table keyed by segment id, the auto-id counter, resource accounting, and the
/// shared connection records of its importers (RSMAPI 5.4). Controllers of one provider instance with the same node id share it.
/// </summary>
public sealed class RsmNode
{
    /// <summary>The first auto-assigned segment id (<c>RSM_USER_APP_ID_BASE</c>).</summary>
    public const uint AutoIdBase = 0x80000000;

    /// <summary>The next auto-assigned id; past 0xFFFFFFFF no ids are left (RSMAPI A30).</summary>
    internal ulong NextAutoId { get; set; } = AutoIdBase;

    /// <summary>Creates a node.</summary>
    /// <param name="nodeId">The node id.</param>
    /// <param name="limits">The limits the node enforces (segment size, quota, segment count).</param>
    public RsmNode(uint nodeId, RsmControllerAttributes limits)
    {
        ArgumentNullException.ThrowIfNull(limits);
        NodeId = nodeId;
        Limits = limits;
    }

    /// <summary>The node id.</summary>
    public uint NodeId { get; }

    /// <summary>The node's limits.</summary>
    public RsmControllerAttributes Limits { get; }

    /// <summary>The lock that serialises the control plane of every segment of the engine.</summary>
    internal static object Gate { get; } = new();

    internal Dictionary<uint, ExportSegment> Published { get; } = [];

    internal Dictionary<(uint ExporterNode, uint SegmentId), SharedConnection> SharedConnections { get; } = [];

    internal int ExportCount { get; set; }

    internal nuint ExportedBytes { get; set; }

    /// <summary>Takes the next auto id; it is consumed even when the publish fails later. After 0xFFFFFFFF there are none (31).</summary>
    internal uint? TakeAutoId()
    {
        if (NextAutoId > uint.MaxValue)
        {
            return null;
        }

        return (uint)NextAutoId++;
    }

    internal ExportSegment? FindPublished(uint segmentId) => Published.GetValueOrDefault(segmentId);
}

/// <summary>
/// The node-local record of a live connection to one exporter segment, shared by every importer on the node; republish
/// updates its granted mode, and later importers joining it are checked against that mode (RSMAPI 5.4, items 72-73).
/// </summary>
internal sealed class SharedConnection(ExportSegment export, int incarnation, uint grantedMode)
{
    public ExportSegment Export { get; } = export;

    public int Incarnation { get; } = incarnation;

    public uint GrantedMode { get; set; } = grantedMode;

    public int References { get; set; }

    public bool IsLive => Export.IsPublishedIncarnation(Incarnation);
}
