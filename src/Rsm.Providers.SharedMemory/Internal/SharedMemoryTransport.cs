using System.Globalization;
using Rsm.Engine;

namespace Rsm.Providers.SharedMemory.Internal;

/// <summary>
/// The same-host transport: exported ranges become memfd pages under the exporter's own addresses, and every connect,
/// even one within this process, goes through the segment's rendezvous socket, where the exporter judges the importer by
/// the credentials the kernel recorded for that socket (<c>SO_PEERCRED</c>, <c>SO_PEERGROUPS</c>), and refuses it when they
/// cannot be read.
/// </summary>
internal sealed class SharedMemoryTransport(SharedMemoryProvider provider, RsmNode node, RsmControllerAttributes attributes, SharedMemoryProviderOptions options) : RsmTransport
{
    private const string ControllerName = "shm0";
    private const uint ConnectionActive = 3;

    public override string ProviderName => SharedMemoryProvider.ProviderName;

    public override RsmNode LocalNode { get; } = node;

    public override RsmControllerAttributes Attributes { get; } = attributes;

    public override string SegmentIdRangeFile { get; } = options.SegmentIdRangeFile;

    public TimeSpan ConnectTimeout { get; } = options.ConnectTimeout;

    public SocketReactor Reactor => provider.Reactor;

    /// <summary>How the exporter learns who connected to a rendezvous socket.</summary>
    public PeerCredentialReader PeerCredentials => provider.PeerCredentials;

    public string SegmentName(uint nodeId, uint segmentId) => Rendezvous.Name(options.RendezvousPrefix, nodeId, segmentId);

    public override ISegmentBacking Bind(nint address, nuint length) => SharedPageBinding.Bind(address, length);

    public override RsmNode ResolveNode(uint nodeId) =>
        nodeId == LocalNode.NodeId ? LocalNode : throw RsmThrow.Create(RsmError.RemoteNodeUnreachable, $"node {nodeId} is reached through its rendezvous sockets, not in process");

    /// <summary>
    /// The host is the interconnect: one controller, <c>shm0</c>, that reaches every other node of the same rendezvous
    /// prefix that publishes a segment now (found through its listening sockets in <c>/proc/net/unix</c>), all active.
    /// </summary>
    public override RsmTopology GetTopology()
    {
        string marker = "@" + options.RendezvousPrefix + "/node";
        var nodes = new SortedSet<uint>();
        foreach (string line in File.ReadLines("/proc/net/unix"))
        {
            int at = line.IndexOf(marker, StringComparison.Ordinal);
            if (at < 0)
            {
                continue;
            }

            ReadOnlySpan<char> rest = line.AsSpan(at + marker.Length);
            int slash = rest.IndexOf('/');
            if (slash > 0 && uint.TryParse(rest[..slash], NumberStyles.None, CultureInfo.InvariantCulture, out uint node) && node != LocalNode.NodeId)
            {
                nodes.Add(node);
            }
        }

        RsmRemoteController[] remotes = [.. nodes.Select(static n => new RsmRemoteController(n, ControllerName, 0, ConnectionActive))];
        return new RsmTopology(LocalNode.NodeId, [new RsmControllerConnections(ControllerName, 0, remotes)]);
    }

    /// <summary>Healthy while the rendezvous reactor serves the node's sockets; Unhealthy once it has stopped.</summary>
    public override RsmTransportHealth CheckHealth()
    {
        var data = new Dictionary<string, object>(StringComparer.Ordinal) { ["rendezvous"] = "@" + options.RendezvousPrefix };
        return Reactor.IsRunning
            ? new RsmTransportHealth(RsmHealthStatus.Healthy, $"serving rendezvous @{options.RendezvousPrefix}", data)
            : new RsmTransportHealth(RsmHealthStatus.Unhealthy, "the rendezvous reactor has stopped: no importer can connect to this node", data);
    }

    public override bool IsRemote(uint nodeId) => true;

    public override RemoteExportLink ConnectRemote(uint nodeId, uint segmentId, RsmPermissions permission) =>
        SharedMemoryExportLink.Connect(this, nodeId, segmentId, permission);

    public override IDisposable? ClaimSegmentId(uint segmentId) => SegmentListener.TryClaim(this, segmentId);
}
