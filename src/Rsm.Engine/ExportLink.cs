namespace Rsm.Engine;

/// <summary>
/// An importer's reach to one exporter segment: the memory its views map, where its events go and how it lets go.
/// In one process it is the export segment itself; across processes a transport supplies it
/// (<see cref="RemoteExportLink"/>).
/// </summary>
public abstract class ExportLink
{
    private protected ExportLink()
    {
    }

    /// <summary>The exporter's node id.</summary>
    public abstract uint NodeId { get; }

    /// <summary>The segment length.</summary>
    public abstract nuint Length { get; }

    /// <summary>The flags the segment was created with.</summary>
    public abstract ExportFlags Flags { get; }

    /// <summary>Maps a window of the segment into the importer.</summary>
    /// <param name="offset">Page-aligned segment offset.</param>
    /// <param name="length">Window length.</param>
    /// <param name="protection">Protection of the view.</param>
    /// <param name="address">Placement address or hint.</param>
    /// <param name="fixedAddress">Whether <paramref name="address"/> is mandatory.</param>
    /// <returns>The view.</returns>
    public abstract ISegmentView MapView(long offset, nuint length, RsmPermissions protection, nint address, bool fixedAddress);

    /// <summary>Posts one event to whichever segment is published under <paramref name="segmentId"/> now; none drops it (RSMAPI 4.3).</summary>
    /// <param name="segmentId">The segment id the importer connected to.</param>
    public abstract void PostSignal(uint segmentId);

    /// <summary>
    /// Whether the importer's data accesses go through views of the segment's own pages (true), or through
    /// <see cref="Read"/>, <see cref="Write"/> and <see cref="Atomic"/> because the pages live on another host (false).
    /// </summary>
    public virtual bool IsDirect => true;

    /// <summary>Reads the exporter's current bytes at <paramref name="offset"/> (links that are not <see cref="IsDirect"/>).</summary>
    /// <param name="offset">The segment offset, already checked against the window.</param>
    /// <param name="destination">Where the bytes go.</param>
    /// <param name="accessSize">The natural width of each element (1, 2, 4 or 8), kept by the exporter's copy.</param>
    /// <remarks>
    /// When the exporter is gone, or answers that it holds the import no more, abort the import first
    /// (<see cref="IAbortableImport.Abort"/>) and return with the destination cleared: the engine then reports
    /// ConnectionAborted (40) where the barrier mode says (an Implicit access at once, Explicit mode at the close barrier,
    /// DECISIONS F3). Throwing 40 from here would report it in Explicit mode too. A link that learns of the abort on another
    /// thread (a reader of the exporter's pushes) and keeps a flag for it must, whenever an access sees the flag, call
    /// <see cref="IAbortableImport.Abort"/> itself before it returns: the other thread may have set the flag and not yet
    /// aborted the import, and the engine judges the access by the import's generation alone.
    /// </remarks>
    /// <exception cref="RsmException">BarrierFailure (38) when the exporter refused the access or did not answer in time.</exception>
    public virtual void Read(long offset, Span<byte> destination, int accessSize) => throw new NotSupportedException("the link maps the segment's pages");

    /// <summary>Writes bytes into the exporter's segment (links that are not <see cref="IsDirect"/>).</summary>
    /// <param name="offset">The segment offset, already checked against the window.</param>
    /// <param name="source">The bytes.</param>
    /// <param name="accessSize">The natural width of each element (1, 2, 4 or 8), kept by the exporter's copy.</param>
    /// <param name="acknowledged">True to wait for the exporter's acknowledgement (Implicit mode); false to leave it outstanding until the next close barrier.</param>
    /// <remarks>As for <see cref="Read"/>, a lost exporter aborts the import and the write returns; an unacknowledged write's failure is kept for the next close barrier.</remarks>
    /// <exception cref="RsmException">BarrierFailure (38) when an acknowledged write was refused.</exception>
    public virtual void Write(long offset, ReadOnlySpan<byte> source, int accessSize, bool acknowledged) => throw new NotSupportedException("the link maps the segment's pages");

    /// <summary>Runs a lock operation at the exporter (links that are not <see cref="IsDirect"/>).</summary>
    /// <param name="operation">The operation.</param>
    /// <param name="offset">The word's segment offset, already checked.</param>
    /// <param name="value">The new value or addend.</param>
    /// <param name="comparand">The comparand of a compare-and-swap.</param>
    /// <param name="size">4 or 8.</param>
    /// <returns>The word's previous value.</returns>
    public virtual ulong Atomic(AtomicOperation operation, long offset, ulong value, ulong comparand, int size) => throw new NotSupportedException("the link maps the segment's pages");

    /// <summary>An open barrier: a link whose views are local copies refreshes them from the exporter.</summary>
    /// <param name="view">The import's view, if mapped.</param>
    public virtual void OpenBarrier(ISegmentView? view)
    {
    }

    /// <summary>An order barrier: earlier writes, and stores into local copies, reach the exporter before later ones.</summary>
    /// <param name="view">The import's view, if mapped.</param>
    /// <returns>Success, or the failure of an earlier write (BarrierFailure (38), ConnectionAborted (40)).</returns>
    public virtual RsmError OrderBarrier(ISegmentView? view) => RsmError.Success;

    /// <summary>A close barrier: waits until every earlier write, and the stores into local copies, reached the exporter.</summary>
    /// <param name="view">The import's view, if mapped.</param>
    /// <returns>Success, or the first failure since the last close barrier (BarrierFailure (38), ConnectionAborted (40)).</returns>
    public virtual RsmError CloseBarrier(ISegmentView? view) => RsmError.Success;

    /// <summary>Lets go of the exporter after the importer disconnected; called without any lock held.</summary>
    /// <param name="importer">The importer that disconnected.</param>
    public abstract void Detach(IAbortableImport importer);
}

/// <summary>The lock operations a remote exporter runs for an importer (DECISIONS L1).</summary>
public enum AtomicOperation
{
    /// <summary>Compare and swap: store the value when the word equals the comparand.</summary>
    CompareExchange,

    /// <summary>Swap: store the value.</summary>
    Exchange,

    /// <summary>Fetch and add: add the value, wrapping.</summary>
    FetchAdd,
}

/// <summary>An exporter's reach to one of its importers: how it aborts, signals and updates it.</summary>
internal interface IImporterLink
{
    /// <summary>The importer's node id.</summary>
    uint ImporterNodeId { get; }

    /// <summary>
    /// The mode last granted or pushed to the importer's node. While a node holds a live connection, its later connects
    /// are judged with it instead of the access list (RSMAPI 5.4).
    /// </summary>
    uint GrantedMode { get; }

    /// <summary>Aborts the importer (unpublish, destroy) without waiting for it; called without the node's lock held.</summary>
    void ForceDisconnect();

    /// <summary>Waits, bounded by the transport's connect timeout, until the aborted importer has seen the abort; called without the node's lock held.</summary>
    void AwaitAbortSeen();

    /// <summary>Posts one event to the importer without waiting for it; called without the node's lock held. An importer that cannot take it is dropped by its transport.</summary>
    void DeliverSignal();

    /// <summary>Records the mode a republish grants the importer's node; called with the node's lock held, so it only records and queues, never waits.</summary>
    /// <param name="mode">The new mode, 0 when the node is no longer listed.</param>
    void UpdateGrantedMode(uint mode);
}

/// <summary>The in-process link: the importer works directly on the export segment's backing.</summary>
internal sealed class LocalExportLink(ExportSegment export) : ExportLink
{
    public ExportSegment Export { get; } = export;

    public override uint NodeId => Export.Node.NodeId;

    public override nuint Length => Export.Length;

    public override ExportFlags Flags => Export.Flags;

    public override ISegmentView MapView(long offset, nuint length, RsmPermissions protection, nint address, bool fixedAddress) =>
        Export.Backing.MapView(offset, length, protection, address, fixedAddress);

    public override void PostSignal(uint segmentId)
    {
        ExportSegment? target;
        lock (Export.Node.Gate)
        {
            target = Export.Node.FindPublished(segmentId);
        }

        target?.Events.Post();
    }

    public override void Detach(IAbortableImport importer)
    {
        lock (Export.Node.Gate)
        {
            Export.RemoveImporter((ImportSegment)importer);
        }
    }
}

/// <summary>
/// A link to an exporter in another process or on another host, supplied by a transport from
/// <see cref="RsmTransport.ConnectRemote"/>. The engine makes every check of the importer's side; the link moves data,
/// events and barriers to and from the exporter, and aborts the import (<see cref="IAbortableImport.Abort"/>) when the
/// exporter aborts it or goes away.
/// </summary>
public abstract class RemoteExportLink : ExportLink
{
    /// <summary>Creates a link.</summary>
    [System.Diagnostics.CodeAnalysis.SuppressMessage("ApiDesign", "RS0022:Constructor make noninheritable base class inheritable", Justification = "Transports subclass RemoteExportLink by design; ExportLink's members are the contract they implement.")]
    protected RemoteExportLink()
    {
    }

    /// <summary>The mode the exporter granted this importer's node at admission.</summary>
    public abstract uint GrantedMode { get; }

    /// <summary>The importer's event counter, whose descriptor the exporter posts to.</summary>
    public abstract EventCounter Events { get; }

    /// <summary>Binds the link to the import segment it serves: from now on aborts and pushes reach it.</summary>
    /// <param name="importer">The new import segment.</param>
    public abstract void Attach(IAbortableImport importer);

    /// <summary>An open barrier: a <see cref="MirrorView"/> is refreshed from the exporter (after its own stores were shipped).</summary>
    /// <param name="view">The import's view, if mapped.</param>
    public override void OpenBarrier(ISegmentView? view) => (view as MirrorView)?.Refresh();

    /// <summary>
    /// An order barrier: the stores into a <see cref="MirrorView"/> are shipped with <see cref="ExportLink.Write"/>. A link
    /// whose writes are not acknowledged at once also reports the failure of an earlier write here.
    /// </summary>
    /// <param name="view">The import's view, if mapped.</param>
    /// <returns>Success, or the failure of an earlier write.</returns>
    public override RsmError OrderBarrier(ISegmentView? view)
    {
        (view as MirrorView)?.ShipDirty();
        return RsmError.Success;
    }

    /// <summary>A close barrier: as <see cref="OrderBarrier"/>; a link with unacknowledged writes waits for them here.</summary>
    /// <param name="view">The import's view, if mapped.</param>
    /// <returns>Success, or the first failure since the last close barrier.</returns>
    public override RsmError CloseBarrier(ISegmentView? view)
    {
        (view as MirrorView)?.ShipDirty();
        return RsmError.Success;
    }
}

/// <summary>The import segment a <see cref="RemoteExportLink"/> serves, as the link calls it back.</summary>
public interface IAbortableImport
{
    /// <summary>
    /// Aborts the import because the exporter aborted it (unpublish, destroy, a republish that drops this node) or can no
    /// longer be reached: later accesses fail with ConnectionAborted (40) and the import's generation changes. Returns at
    /// once; safe from any thread, and more than once.
    /// </summary>
    void Abort();
}
