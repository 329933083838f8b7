namespace Rsm.Engine;

/// <summary>
/// Transport SPI: what a provider supplies to the engine. The engine does every argument check, state change and
/// access decision; the transport binds memory, reaches nodes and reports its attributes.
/// </summary>
public abstract class RsmTransport : IDisposable
{
    /// <summary>The provider name (Loopback, SharedMemory, Tcp).</summary>
    public abstract string ProviderName { get; }

    /// <summary>The node this transport serves.</summary>
    public abstract RsmNode LocalNode { get; }

    /// <summary>The controller attributes (DECISIONS D1: real values).</summary>
    public abstract RsmControllerAttributes Attributes { get; }

    /// <summary>Whether an access list may hold at most one entry, naming the local node (the loopback rule of RSMAPI 6.1).</summary>
    public virtual bool LocalNodeAccessListOnly => false;

    /// <summary>The path of the segment-id range file (DECISIONS F12).</summary>
    public virtual string SegmentIdRangeFile => "/etc/rsm/rsm.segmentid";

    /// <summary>The credentials of the calling process, used as the exporter's owner and an importer's identity.</summary>
    /// <returns>The current credentials.</returns>
    public virtual RsmCredentials GetCallerCredentials() => RsmCredentials.ReadCurrent();

    /// <summary>Binds (page-locks and shares) exported memory.</summary>
    /// <param name="address">Page-aligned start.</param>
    /// <param name="length">Page-multiple length.</param>
    /// <returns>The backing.</returns>
    /// <exception cref="RsmException">BadAddress (16) unmapped range; PermissionDenied (27); InsufficientMemory (32).</exception>
    public abstract ISegmentBacking Bind(nint address, nuint length);

    /// <summary>Finds the node that exports under <paramref name="nodeId"/>.</summary>
    /// <param name="nodeId">The exporter's node id.</param>
    /// <returns>The node.</returns>
    /// <exception cref="RsmException">ControllerNotPresent (4) when this transport cannot reach it; RemoteNodeUnreachable (39).</exception>
    public abstract RsmNode ResolveNode(uint nodeId);

    /// <summary>
    /// Claims <paramref name="segmentId"/> for a segment being published on <see cref="LocalNode"/>, beyond this process
    /// where the transport reaches further (for example a name on the host that importers connect to). The engine has
    /// already checked the node's own table; it calls this with the node's lock held, so the claim must not wait for a peer.
    /// </summary>
    /// <param name="segmentId">The id to claim.</param>
    /// <returns>The claim, disposed at unpublish or destroy; null when another process already holds the id (SegmentIdInUse).</returns>
    public virtual IDisposable? ClaimSegmentId(uint segmentId) => NoClaim.Instance;

    /// <summary>Whether a connect to <paramref name="nodeId"/> goes through <see cref="ConnectRemote"/> instead of an in-process node.</summary>
    /// <param name="nodeId">The exporter's node id.</param>
    /// <returns><see langword="true"/> when the exporter is reached through the transport.</returns>
    public virtual bool IsRemote(uint nodeId) => false;

    /// <summary>
    /// Asks the exporter to admit an importer of this process; the exporter applies its access list and the
    /// owner/group/other check with <see cref="RsmExportService.Admit"/>. The engine has checked the permission bits and
    /// holds no lock; the call may wait for the exporter, bounded by the transport's own timeout.
    /// </summary>
    /// <param name="nodeId">The exporter's node id.</param>
    /// <param name="segmentId">The segment id.</param>
    /// <param name="permission">The requested permission.</param>
    /// <returns>The link to the admitted segment.</returns>
    /// <exception cref="RsmException">The exporter's refusal (7, 8, 27) or a transport failure.</exception>
    public virtual RemoteExportLink ConnectRemote(uint nodeId, uint segmentId, RsmPermissions permission) =>
        throw RsmThrow.Create(RsmError.ControllerNotPresent, $"provider {ProviderName} has no remote nodes");

    /// <summary>The interconnect topology seen from this node.</summary>
    /// <returns>The topology; loopback controllers are never listed (RSMAPI A32).</returns>
    public virtual RsmTopology GetTopology() => new(LocalNode.NodeId, []);

    /// <summary>
    /// How well the transport serves now, for the controller's health check (<c>AddRsmHealthChecks</c>): Healthy when it
    /// serves, Degraded when part of what it reaches does not answer, Unhealthy when its listener or its transport failed.
    /// It is called from any thread while the transport is in use, must return promptly, must not wait for a peer, and
    /// must not throw. The default reports Healthy.
    /// </summary>
    /// <returns>The report.</returns>
    public virtual RsmTransportHealth CheckHealth() => RsmTransportHealth.Serving;

    /// <summary>Releases the transport.</summary>
    public void Dispose()
    {
        Dispose(true);
        GC.SuppressFinalize(this);
    }

    /// <summary>Releases the transport.</summary>
    /// <param name="disposing">True from <see cref="Dispose()"/>.</param>
    protected virtual void Dispose(bool disposing)
    {
    }
}

/// <summary>A claim that holds nothing beyond the node's own export table.</summary>
internal sealed class NoClaim : IDisposable
{
    public static NoClaim Instance { get; } = new();

    public void Dispose()
    {
    }
}
