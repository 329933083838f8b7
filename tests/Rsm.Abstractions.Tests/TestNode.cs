using System.Diagnostics.Metrics;
using Rsm.Diagnostics;
using Rsm.Engine;

namespace Rsm.Abstractions.Tests;

/// <summary>One engine node over a minimal in-process transport, for tests of the engine itself.</summary>
internal sealed class TestNode : IDisposable
{
    private readonly List<RsmPageMemory> _memory = [];
    private readonly List<IExportSegment> _segments = [];

    public TestNode(string controllerName = "test", bool sharedPages = false, Meter? meter = null)
    {
        var attributes = new RsmControllerAttributes
        {
            PageSize = RsmPageMemory.PageSize,
            MaxExportSegmentSize = 1 << 20,
            TotalExportSegmentSize = 1 << 24,
            MaxExportSegments = 64,
            MaxNodes = 64,
            Capabilities = RsmCapabilities.Mapping,
        };
        Node = new RsmNode(1, attributes);
        var transport = new Transport(Node, attributes, sharedPages);
        Controller = meter is null
            ? new RsmEngineController(controllerName, transport)
            : new RsmEngineController(controllerName, transport, logger: null, RsmMetrics.For(meter));
    }

    public RsmNode Node { get; }

    public RsmEngineController Controller { get; }

    public IExportSegment Create()
    {
        RsmPageMemory memory = RsmPageMemory.Allocate(RsmPageMemory.PageSize);
        _memory.Add(memory);
        IExportSegment segment = Controller.CreateExportSegment(memory.Address, memory.Length);
        _segments.Add(segment);
        return segment;
    }

    public uint Publish(uint id) => Create().Publish(id);


    public void Dispose()
    {
        foreach (IExportSegment segment in _segments)
        {
            segment.Dispose();
        }

        foreach (RsmPageMemory memory in _memory)
        {
            memory.Dispose();
        }
    }
}

internal sealed class Transport(RsmNode node, RsmControllerAttributes attributes, bool sharedPages = false) : RsmTransport
{
    public override string ProviderName => "Test";

    public override RsmNode LocalNode { get; } = node;

    public override RsmControllerAttributes Attributes { get; } = attributes;

    public override ISegmentBacking Bind(nint address, nuint length) =>
        sharedPages ? SharedPageBinding.Bind(address, length) : new DirectBacking(address, length);

    public override RsmNode ResolveNode(uint nodeId) => LocalNode;
}
