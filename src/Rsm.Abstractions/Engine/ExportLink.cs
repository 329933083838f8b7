namespace Rsm.Engine;

/// <summary>
/// An importer's reach to one exporter segment: the memory its views map, where its events go and how it lets go.
/// In one process it is the export segment itself; across processes a transport supplies it.
/// </summary>
internal abstract class ExportLink
{
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

    /// <summary>Lets go of the exporter after the importer disconnected; called without the engine lock held.</summary>
    /// <param name="importer">The importer that disconnected.</param>
    public abstract void Detach(ImportSegment importer);
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

    /// <summary>Aborts the importer (unpublish, destroy); called with the engine lock held.</summary>
    void ForceDisconnect();

    /// <summary>Waits, bounded, until the aborted importer has seen the abort; called with the engine lock held.</summary>
    void AwaitAbortSeen();

    /// <summary>Posts one event to the importer.</summary>
    void DeliverSignal();

    /// <summary>Records the mode a republish grants the importer's node.</summary>
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
        lock (RsmNode.Gate)
        {
            target = Export.Node.FindPublished(segmentId);
        }

        target?.Events.Post();
    }

    public override void Detach(ImportSegment importer)
    {
        lock (RsmNode.Gate)
        {
            Export.RemoveImporter(importer);
        }
    }
}

/// <summary>A link to an exporter in another process or on another host, supplied by a transport.</summary>
internal abstract class RemoteExportLink : ExportLink
{
    /// <summary>The mode the exporter granted this importer's node at admission.</summary>
    public abstract uint GrantedMode { get; }

    /// <summary>The importer's event counter, whose descriptor the exporter posts to.</summary>
    public abstract EventCounter Events { get; }

    /// <summary>Binds the link to the import segment it serves: from now on aborts and pushes reach it.</summary>
    /// <param name="importer">The new import segment.</param>
    public abstract void Attach(ImportSegment importer);
}
