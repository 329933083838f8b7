using Rsm.Engine;

namespace Rsm.Providers.Tcp.Internal;

/// <summary>
/// The cross-host transport: every connect, also to this node, is a request to the exporting node over its
/// authenticated connection; exported memory stays where it is and importers reach it through requests and mirrors.
/// </summary>
internal sealed class TcpTransport(TcpNode node, RsmControllerAttributes attributes, string segmentIdRangeFile, string providerName = TcpProvider.ProviderName) : RsmTransport
{
    public override string ProviderName => providerName;

    public override RsmNode LocalNode => node.Node;

    public override RsmControllerAttributes Attributes { get; } = attributes;

    public override string SegmentIdRangeFile { get; } = segmentIdRangeFile;

    // On Linux the exporter's memory becomes memfd pages mapped over its own range: the node's sessions map the same
    // pages once more at an address of their own that no rebind moves, and send from and receive into them directly.
    // Elsewhere the memory stays where it is and the sessions copy under the node's lock.
    public override ISegmentBacking Bind(nint address, nuint length)
    {
        if (OperatingSystem.IsLinux())
        {
            return SharedPageBinding.Bind(address, length);
        }

        PageMemory.EnsureMapped(address, length);
        return new DirectBacking(address, length);
    }

    public override RsmNode ResolveNode(uint nodeId) =>
        nodeId == LocalNode.NodeId ? LocalNode : throw RsmThrow.Create(RsmError.RemoteNodeUnreachable, $"node {nodeId} is reached over the network, not in process");

    public override RsmTopology GetTopology() => node.GetTopology();

    public override RsmTransportHealth CheckHealth() => node.CheckHealth();

    public override bool IsRemote(uint nodeId) => true;

    public override RemoteExportLink ConnectRemote(uint nodeId, uint segmentId, RsmPermissions permission) =>
        TcpExportLink.Connect(node.GetChannel(nodeId), nodeId, segmentId, permission, GetCallerCredentials(), node.MaxBody, node.DataPlane);
}
