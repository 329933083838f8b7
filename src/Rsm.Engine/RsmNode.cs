namespace Rsm.Engine;

/// <summary>
/// One node of the engine: its export table keyed by segment id, the auto-id counter and resource accounting. Controllers
/// of one provider instance with the same node id share it.
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
        Exports = new RsmExportService(this);
    }

    /// <summary>The node id.</summary>
    public uint NodeId { get; }

    /// <summary>The node's limits.</summary>
    public RsmControllerAttributes Limits { get; }

    /// <summary>The exporter's side of every import of this node's segments: admission and the accesses of remote importers.</summary>
    public RsmExportService Exports { get; }

    /// <summary>
    /// The node's lock, for a transport thread that must not wait for it: it may try to take it with
    /// <see cref="Monitor.TryEnter(object)"/> and call <see cref="Exports"/> inside (the lock is re-entrant), and come back
    /// later when it is busy. A holder never waits for a peer.
    /// </summary>
    public object SyncRoot => Gate;

    /// <summary>
    /// The lock that guards this node's export table, its accounting and the state of its export segments (their
    /// importer lists, access lists and backings). It is held only for state changes: never across network I/O, a wait
    /// for a peer, or any call that can block on another process.
    /// </summary>
    internal object Gate { get; } = new();

    internal Dictionary<uint, ExportSegment> Published { get; } = [];

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
