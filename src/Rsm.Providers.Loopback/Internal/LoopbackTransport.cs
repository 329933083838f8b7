using Rsm.Engine;

namespace Rsm.Providers.Loopback.Internal;

/// <summary>The in-process transport: one node, memory shared by aliasing pages (memfd on Linux).</summary>
internal sealed class LoopbackTransport(RsmNode node, RsmControllerAttributes attributes, string segmentIdRangeFile) : RsmTransport
{
    public override string ProviderName => LoopbackProvider.ProviderName;

    public override RsmNode LocalNode { get; } = node;

    public override RsmControllerAttributes Attributes { get; } = attributes;

    public override bool LocalNodeAccessListOnly => true;

    public override string SegmentIdRangeFile { get; } = segmentIdRangeFile;

    public override ISegmentBacking Bind(nint address, nuint length)
    {
        if (OperatingSystem.IsLinux())
        {
            return SharedPageBinding.Bind(address, length);
        }

        return new DirectBacking(address, length);
    }

    public override RsmNode ResolveNode(uint nodeId)
    {
        if (nodeId != LocalNode.NodeId)
        {
            RsmThrow.Error(RsmError.ControllerNotPresent, $"the loopback controller reaches only its own node {LocalNode.NodeId}, not node {nodeId}");
        }

        return LocalNode;
    }
}
