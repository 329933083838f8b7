using Rsm.Engine;

namespace Rsm.Providers.SharedMemory.Internal;

/// <summary>
/// The same-host transport: exported ranges become memfd pages under the exporter's own addresses, and every connect,
/// even one within this process, goes through the segment's rendezvous socket, where the exporter judges the importer's
/// kernel-reported credentials.
/// </summary>
internal sealed class SharedMemoryTransport(SharedMemoryProvider provider, RsmNode node, RsmControllerAttributes attributes, SharedMemoryProviderOptions options) : RsmTransport
{
    public override string ProviderName => SharedMemoryProvider.ProviderName;

    public override RsmNode LocalNode { get; } = node;

    public override RsmControllerAttributes Attributes { get; } = attributes;

    public override string SegmentIdRangeFile { get; } = options.SegmentIdRangeFile;

    public TimeSpan ConnectTimeout { get; } = options.ConnectTimeout;

    public SocketReactor Reactor => provider.Reactor;

    public string SegmentName(uint nodeId, uint segmentId) => Rendezvous.Name(options.RendezvousPrefix, nodeId, segmentId);

    public override ISegmentBacking Bind(nint address, nuint length) => SharedPageBinding.Bind(address, length);

    public override RsmNode ResolveNode(uint nodeId) =>
        nodeId == LocalNode.NodeId ? LocalNode : throw RsmThrow.Create(RsmError.RemoteNodeUnreachable, $"node {nodeId} is reached through its rendezvous sockets, not in process");

    internal override bool IsRemote(uint nodeId) => true;

    internal override RemoteExportLink ConnectRemote(uint nodeId, uint segmentId, RsmPermissions permission) =>
        SharedMemoryExportLink.Connect(this, nodeId, segmentId, permission);

    internal override IDisposable? ClaimSegmentId(ExportSegment export, uint segmentId) => SegmentListener.TryClaim(this, export, segmentId);
}
