namespace Rsm.Engine;

/// <summary>
/// An import held by another process or host, as its exporter sees it: the transport's end of the importer (how aborts,
/// events and grants reach it) plus the state the engine keeps for it once <see cref="RsmExportService.Admit"/> admitted
/// it. Every access made through it is judged and served by <see cref="RsmExportService"/>, under the node's lock.
/// </summary>
public abstract class RsmRemoteImport : IImporterLink
{
    private readonly Lock _wireGate = new();
    private ExportSegment? _export;
    private ISegmentView? _wire;
    private int _wireUsers;
    private volatile bool _aborted;
    private bool _released;

    /// <summary>The importer's node id, as the transport proved it; set at admission.</summary>
    public uint ImporterNodeId { get; private set; }

    /// <summary>The mode granted at admission or pushed by a later republish (0 when its node is no longer listed).</summary>
    public uint GrantedMode { get; private set; }

    /// <summary>The permission the import was admitted with.</summary>
    public RsmPermissions Permission { get; private set; }

    /// <summary>Whether the import was admitted and has not ended since.</summary>
    public bool IsAdmitted => _export is not null && !_aborted;

    /// <summary>Whether the exporter aborted the import (unpublish, destroy, republish) or it ended; its accesses then fail with ConnectionAborted (40).</summary>
    public bool IsAborted => _aborted;

    internal ExportSegment Export => _export ?? throw RsmThrow.Create(RsmError.ConnectionAborted, "the import was never admitted");

    void IImporterLink.ForceDisconnect()
    {
        _aborted = true;
        OnForceDisconnect();
    }

    void IImporterLink.AwaitAbortSeen()
    {
        OnAwaitAbortSeen();

        // The abort took the import out of its segment: the pages it mapped for direct accesses go with the last of them.
        DropDirectView();
    }

    void IImporterLink.DeliverSignal() => OnDeliverSignal();

    void IImporterLink.UpdateGrantedMode(uint mode)
    {
        GrantedMode = mode;
        OnGrantedModeChanged(mode);
    }

    /// <summary>
    /// Tells the importer that the exporter aborted its import (unpublish, destroy, a republish that drops its node),
    /// without waiting for it. Called without the node's lock held.
    /// </summary>
    protected abstract void OnForceDisconnect();

    /// <summary>Waits, bounded by the transport's own timeout, until the importer has seen the abort; called without the node's lock held.</summary>
    protected abstract void OnAwaitAbortSeen();

    /// <summary>Posts one event to the importer without waiting for it; called without the node's lock held.</summary>
    protected abstract void OnDeliverSignal();

    /// <summary>
    /// A republish changed the mode granted to the importer's node. Called with the node's lock held: record or queue the
    /// change, never wait for the importer.
    /// </summary>
    /// <param name="mode">The new mode; 0 when the node is no longer listed.</param>
    protected abstract void OnGrantedModeChanged(uint mode);

    internal void Admitted(ExportSegment export, uint importerNodeId, RsmPermissions permission, uint granted)
    {
        _export = export;
        ImporterNodeId = importerNodeId;
        Permission = permission;
        GrantedMode = granted;
    }

    /// <summary>Ends the import; with the node's lock held. The last direct access after it unmaps the pages.</summary>
    internal void Ended()
    {
        _aborted = true;
        _export?.RemoveImporter(this);
        DropDirectView();
    }

    /// <summary>
    /// With the node's lock held: the segment's pages in a mapping of the import's own, which no rebind moves and which
    /// stays until the last user is gone; null when the backing has no shareable pages.
    /// </summary>
    internal nint? BeginDirectAccess()
    {
        if (Export.Backing is not SharedPageBinding backing)
        {
            return null;
        }

        lock (_wireGate)
        {
            _wire ??= backing.MapView(0, backing.Length, RsmPermissions.ReadWrite, 0, fixedAddress: false);
            _wireUsers++;
            return _wire.Address;
        }
    }

    private void DropDirectView()
    {
        lock (_wireGate)
        {
            _released = true;
            if (_wireUsers == 0)
            {
                _wire?.Dispose();
                _wire = null;
            }
        }
    }

    internal void EndDirectAccess()
    {
        lock (_wireGate)
        {
            if (--_wireUsers == 0 && _released)
            {
                _wire?.Dispose();
                _wire = null;
            }
        }
    }
}
