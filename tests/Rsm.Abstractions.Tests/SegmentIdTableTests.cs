using Rsm.Engine;

namespace Rsm.Abstractions.Tests;

[TestClass]
public sealed class SegmentIdTableTests
{
    [TestMethod]
    public void AutoId_StartsAtUserBase_AndIncrements()
    {
        using var node = new TestNode();

        Assert.AreEqual(0x80000000u, node.Publish(0));
        Assert.AreEqual(0x80000001u, node.Publish(0));
    }

    [TestMethod]
    public void AutoId_LastIdUsed_ThenInsufficientResourcesForever()
    {
        using var node = new TestNode();
        node.Node.NextAutoId = uint.MaxValue;

        Assert.AreEqual(uint.MaxValue, node.Publish(0));
        Assert.AreEqual(RsmError.InsufficientResources, node.PublishOutcome(0));
        Assert.AreEqual(RsmError.InsufficientResources, node.PublishOutcome(0));
        Assert.AreEqual(0x600000u, node.Publish(0x600000), "explicit ids stay available");
    }

    [TestMethod]
    public void AutoId_NotTakenWhenTheAccessListIsRejected()
    {
        using var node = new TestNode();
        IExportSegment first = node.Create();
        first.Publish(0x600000);
        IExportSegment second = node.Create();

        // The access list is built before the id is resolved (RSMAPI 3.2 publish, KA steps b and c).
        Assert.AreEqual(RsmError.BadAccessList, Outcome(() => second.Publish(0, [new RsmAccessEntry(65, 0)])));
        Assert.AreEqual(0x80000000u, second.Publish(0), "the access list is checked before an id is taken");
        Assert.AreEqual(RsmError.SegmentIdInUse, Outcome(() => node.Create().Publish(0x600000)));
    }

    [TestMethod]
    public void ExplicitId_InUseOnlyWhilePublished()
    {
        using var node = new TestNode();
        IExportSegment first = node.Create();
        first.Publish(0x600000);
        IExportSegment second = node.Create();

        Assert.AreEqual(RsmError.SegmentIdInUse, Outcome(() => second.Publish(0x600000)));
        first.Unpublish();
        Assert.AreEqual(0x600000u, second.Publish(0x600000));
    }

    private static RsmError Outcome(Action action)
    {
        try
        {
            action();
            return RsmError.Success;
        }
        catch (RsmException ex)
        {
            return ex.Error;
        }
    }

    private sealed class TestNode : IDisposable
    {
        private readonly List<RsmPageMemory> _memory = [];
        private readonly List<IExportSegment> _segments = [];

        public TestNode()
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
            Controller = new RsmEngineController("test", new Transport(Node, attributes));
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

        public RsmError PublishOutcome(uint id) => Outcome(() => Publish(id));

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

    private sealed class Transport(RsmNode node, RsmControllerAttributes attributes) : RsmTransport
    {
        public override string ProviderName => "Test";

        public override RsmNode LocalNode { get; } = node;

        public override RsmControllerAttributes Attributes { get; } = attributes;

        public override ISegmentBacking Bind(nint address, nuint length) => new DirectBacking(address, length);

        public override RsmNode ResolveNode(uint nodeId) => LocalNode;
    }
}
