using System.Globalization;
using Rsm.Engine;

namespace Rsm.Samples.Sockets.Internal;

/// <summary>
/// The transport of one Socket controller. Exported memory stays where it is (<see cref="DirectBacking"/>); publishing
/// listens on the segment's abstract socket name, which claims the id host-wide; every connect, also one to a node of
/// this process, goes through that socket, where the exporter judges the importer by the credentials the kernel
/// recorded for the connection.
/// </summary>
internal sealed class SocketTransport(SocketProvider provider, RsmNode node, RsmControllerAttributes attributes, SocketProviderOptions options) : RsmTransport
{
    public override string ProviderName => SocketProvider.ProviderName;

    public override RsmNode LocalNode { get; } = node;

    public override RsmControllerAttributes Attributes { get; } = attributes;

    public override string SegmentIdRangeFile { get; } = options.SegmentIdRangeFile;

    public SocketProvider Provider { get; } = provider;

    /// <summary>The bound of every wait for a peer, in milliseconds.</summary>
    public int TimeoutMilliseconds { get; } = (int)Math.Ceiling(options.RequestTimeout.TotalMilliseconds);

    /// <summary>The abstract socket name of a segment: <c>@{prefix}/node{N}/segment{id:x8}</c> (the leading NUL is the @).</summary>
    public string SegmentName(uint nodeId, uint segmentId) =>
        string.Create(CultureInfo.InvariantCulture, $"\0{options.SocketPrefix}/node{nodeId}/segment{segmentId:x8}");

    public override ISegmentBacking Bind(nint address, nuint length)
    {
        PageMemory.EnsureMapped(address, length);
        return new DirectBacking(address, length);
    }

    public override RsmNode ResolveNode(uint nodeId) =>
        nodeId == LocalNode.NodeId ? LocalNode : throw RsmThrow.Create(RsmError.RemoteNodeUnreachable, $"node {nodeId} is reached through its segments' sockets, not in process");

    public override bool IsRemote(uint nodeId) => true;

    public override RemoteExportLink ConnectRemote(uint nodeId, uint segmentId, RsmPermissions permission) =>
        SocketExportLink.Connect(this, nodeId, segmentId, permission);

    public override IDisposable? ClaimSegmentId(uint segmentId) => SegmentListener.TryListen(this, segmentId);
}
