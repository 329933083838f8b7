namespace Rsm.Abstractions.Tests;

/// <summary>Error messages that say what to change.</summary>
[TestClass]
public sealed class DiagnosticMessageTests
{
    [TestMethod]
    public void Create_MisalignedAddress_MessageNamesTheAddress()
    {
        using var node = new TestNode();
        using RsmPageMemory memory = RsmPageMemory.Allocate(2 * RsmPageMemory.PageSize);

        RsmException ex = Assert.ThrowsExactly<RsmException>(() => node.Controller.CreateExportSegment(memory.Address + 16, RsmPageMemory.PageSize));

        Assert.AreEqual(RsmError.BadMemoryAlignment, ex.Error);
        Assert.Contains($"the address 0x{memory.Address + 16:x} is 16 bytes past a page boundary", ex.Message);
        Assert.DoesNotContain("the length", ex.Message);
    }

    [TestMethod]
    public void Create_LengthNotAPageMultiple_MessageNamesTheLengthAndTheNextMultiple()
    {
        using var node = new TestNode();
        using RsmPageMemory memory = RsmPageMemory.Allocate(2 * RsmPageMemory.PageSize);

        RsmException ex = Assert.ThrowsExactly<RsmException>(() => node.Controller.CreateExportSegment(memory.Address, RsmPageMemory.PageSize + 1));

        Assert.AreEqual(RsmError.BadMemoryAlignment, ex.Error);
        Assert.Contains($"the length {RsmPageMemory.PageSize + 1} is not a page multiple (the next one is {2 * RsmPageMemory.PageSize})", ex.Message);
        Assert.DoesNotContain("the address", ex.Message);
    }

    [TestMethod]
    public void Get64_MisalignedOffset_MessageNamesTheOffsetOnly()
    {
        using var node = new TestNode();
        uint id = node.Publish(0x10000063);
        using IImportSegment import = node.Controller.Connect(node.Controller.LocalNodeId, id, RsmPermissions.ReadWrite);
        _ = import.InitBarrier();

        RsmException ex = Assert.ThrowsExactly<RsmException>(() => import.Get64(4, new ulong[1]));

        Assert.AreEqual(RsmError.BadMemoryAlignment, ex.Error);
        Assert.Contains("the segment offset 4 is not aligned to the 8-byte access size", ex.Message);
    }

    [TestMethod]
    public void Put_ImplicitModeWithoutBarrier_MessageSaysWhatToCall()
    {
        using var node = new TestNode();
        uint id = node.Publish(0x10000064);
        using IImportSegment import = node.Controller.Connect(node.Controller.LocalNodeId, id, RsmPermissions.ReadWrite);

        RsmException ex = Assert.ThrowsExactly<RsmException>(() => import.Put(0, "hello"u8));

        Assert.AreEqual(RsmError.BarrierUninitialized, ex.Error);
        Assert.Contains("call InitBarrier() once after connect, or SetMode(RsmBarrierMode.Explicit)", ex.Message);
    }
}
