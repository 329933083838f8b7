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
        Assert.AreEqual(RsmError.InsufficientResources, Outcome(() => node.Publish(0)));
        Assert.AreEqual(RsmError.InsufficientResources, Outcome(() => node.Publish(0)));
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
}
