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

    /// <summary>The interconnect topology seen from this node.</summary>
    /// <returns>The topology; loopback controllers are never listed (RSMAPI A32).</returns>
    public virtual RsmTopology GetTopology() => new(LocalNode.NodeId, []);

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
