using Rsm.Engine;

namespace Rsm.Conformance;

/// <summary>
/// Conformance area Import: <c>rsm_memseg_import_connect</c>, the permission model of RSMAPI section 5 and
/// <c>rsm_memseg_import_disconnect</c> (RSMAPI section 9, items 75-91). The other-uid parts of items 81-83 are listed in
/// <see cref="ConformanceCatalogue.ItemsNeedingPeer"/>.
/// </summary>
public abstract class ImportConformanceTests : ConformanceTestBase
{
    [ConformanceTest]
    public void Spec075_Connect_ReleasedController_BadControllerHandle()
    {
        DefaultFixture f = CreateDefaultFixture();
        IRsmController released = NewController(f.C.LocalNodeId);
        released.Release();

        AssertOutcome(RsmError.BadControllerHandle, () => released.Connect(f.C.LocalNodeId, Id, RsmPermissions.ReadWrite).Dispose());
    }

    [ConformanceTest]
    public void Spec076_Connect_PermissionBitsOutside0600_PermissionDenied()
    {
        DefaultFixture f = CreateDefaultFixture();

        // 0644, 0100 and 01000: the library reports PERM_DENIED, never BAD_PERMS (RSMAPI A7).
        foreach (uint perm in new uint[] { 0x1A4, 0x40, 0x200 })
        {
            AssertOutcome(RsmError.PermissionDenied, () => f.C.Connect(f.C.LocalNodeId, Id, (RsmPermissions)perm).Dispose(), $"perm 0{Convert.ToString(perm, 8)}");
        }
    }

    [ConformanceTest]
    public void Spec076_Connect_PermissionBitsOutside0600Unpublished_PermissionDenied()
    {
        IRsmController c = NewController();

        // The permission bits are checked before the exporter is asked.
        AssertOutcome(RsmError.PermissionDenied, () => c.Connect(c.LocalNodeId, Id, (RsmPermissions)0x1A4).Dispose());
    }

    [ConformanceTest]
    public void Spec077_Connect_PermissionNone_Succeeds()
    {
        DefaultFixture f = CreateDefaultFixture();

        IImportSegment i = NewImport(f.C, f.C.LocalNodeId, Id, RsmPermissions.None);

        Assert.AreEqual(RsmPermissions.None, i.Permission);
        Assert.AreEqual(L, i.Length);
    }

    [ConformanceTest]
    public void Spec078_Connect_UnknownId_SegmentNotPublished()
    {
        DefaultFixture f = CreateDefaultFixture();

        AssertOutcome(RsmError.SegmentNotPublished, () => f.C.Connect(f.C.LocalNodeId, Id + 1, RsmPermissions.ReadWrite).Dispose());
    }

    [ConformanceTest]
    public void Spec079_Connect_NodeNotInAccessList_SegmentNotPublishedToNode()
    {
        Require(ConformanceCapabilities.SecondNode, "a loopback access list must name the local node, so only another node can be left out");
        IRsmController exporter = NewController(1);
        IRsmController importer = NewController(2);
        RsmPageMemory b = NewBuffer();
        IExportSegment e = NewExport(exporter, b.Address, L);
        e.Publish(Id, [new RsmAccessEntry(exporter.LocalNodeId, Mode0666)]);

        AssertOutcome(RsmError.SegmentNotPublishedToNode, () => importer.Connect(exporter.LocalNodeId, Id, RsmPermissions.ReadWrite).Dispose());
    }

    [ConformanceTest]
    public void Spec080_Connect_LoopbackForeignNode_ControllerNotPresent()
    {
        DefaultFixture f = CreateDefaultFixture();
        if (!string.Equals(f.C.ProviderName, "Loopback", StringComparison.OrdinalIgnoreCase))
        {
            Assert.Inconclusive($"{f.C.ProviderName} is not the loopback provider, which reaches only its own node");
        }

        AssertOutcome(RsmError.ControllerNotPresent, () => f.C.Connect(f.C.LocalNodeId + 1, Id, RsmPermissions.ReadWrite).Dispose());
    }

    [ConformanceTest]
    public void Spec081_Connect_Entry0624SameUidReadWrite_Succeeds()
    {
        // A privileged importer would pass whatever digit the check picked, so only an unprivileged one shows the owner digit is used.
        RequireUnprivilegedImporter();
        IRsmController c = NewController();
        RsmPageMemory b = NewBuffer();
        IExportSegment e = NewExport(c, b.Address, L);
        e.Publish(Id, [new RsmAccessEntry(c.LocalNodeId, Mode0624)]);

        IImportSegment i = NewImport(c, c.LocalNodeId, Id, RsmPermissions.ReadWrite);

        Assert.AreEqual(RsmPermissions.ReadWrite, i.Permission);
    }

    [ConformanceTest]
    public void Spec081_Connect_Entry0624SameUidPermissionNone_Succeeds()
    {
        IRsmController c = NewController();
        RsmPageMemory b = NewBuffer();
        IExportSegment e = NewExport(c, b.Address, L);
        e.Publish(Id, [new RsmAccessEntry(c.LocalNodeId, Mode0624)]);

        AssertOutcome(RsmError.Success, () => c.Connect(c.LocalNodeId, Id, RsmPermissions.None).Dispose());
    }

    [ConformanceTest]
    public void Spec081_Connect_SameUidOwnerDigitWriteOnly_ReadDeniedWriteAllowed()
    {
        RequireUnprivilegedImporter();
        IRsmController c = NewController();
        RsmPageMemory b = NewBuffer();
        IExportSegment e = NewExport(c, b.Address, L);
        e.Publish(Id, [new RsmAccessEntry(c.LocalNodeId, Mode0246)]);

        // The same uid is judged by the owner digit only, even when group and other would allow more (RSMAPI 5.3).
        AssertOutcome(RsmError.PermissionDenied, () => c.Connect(c.LocalNodeId, Id, RsmPermissions.Read).Dispose(), "read");
        AssertOutcome(RsmError.PermissionDenied, () => c.Connect(c.LocalNodeId, Id, RsmPermissions.ReadWrite).Dispose(), "read+write");
        AssertOutcome(RsmError.Success, () => c.Connect(c.LocalNodeId, Id, RsmPermissions.Write).Dispose(), "write");
    }

    [ConformanceTest]
    public void Spec082_Connect_NoAccessListSameUidReadWrite_FollowsCreatorUmask()
    {
        // A privileged importer connects whatever the default mode is, so the umask could not be observed.
        RequireUnprivilegedImporter();
        IRsmController c = NewController();
        RsmPageMemory b = NewBuffer();
        IExportSegment e = NewExport(c, b.Address, L);
        e.Publish(Id);
        RsmCredentials me = RsmCredentials.ReadCurrent();

        // No access list: the owner digit of 0777 & ~umask decides; with umask 022 that is 6 (RSMAPI 5.1).
        bool ownerReadWrite = ((Mode0777 & ~me.Umask & Mode0666) >> 6) == 6;
        RsmError expected = ownerReadWrite ? RsmError.Success : RsmError.PermissionDenied;

        AssertOutcome(expected, () => c.Connect(c.LocalNodeId, Id, RsmPermissions.ReadWrite).Dispose(), $"umask {Convert.ToString(me.Umask, 8)}");
    }

    [ConformanceTest]
    public void Spec084_Connect_PrivilegedImporterClassDigitZero_Succeeds()
    {
        RequirePrivilegedImporter();
        IRsmController c = NewController();
        RsmPageMemory b = NewBuffer();
        IExportSegment e = NewExport(c, b.Address, L);
        e.Publish(Id, [new RsmAccessEntry(c.LocalNodeId, 0)]);

        IImportSegment i = NewImport(c, c.LocalNodeId, Id, RsmPermissions.ReadWrite);

        Assert.AreEqual(RsmPermissions.ReadWrite, i.Permission);
    }

    [ConformanceTest]
    public void Spec085_GetMode_AfterConnect_Implicit()
    {
        DefaultFixture f = CreateDefaultFixture();
        IImportSegment i = NewImport(f.C, f.C.LocalNodeId, Id, RsmPermissions.ReadWrite);

        Assert.AreEqual(RsmBarrierMode.Implicit, i.GetMode());
    }

    [ConformanceTest]
    public void Spec086_Connect_TwiceSameProcess_IndependentHandles()
    {
        DefaultFixture f = CreateDefaultFixture();
        IImportSegment second = NewImport(f.C, f.C.LocalNodeId, Id, RsmPermissions.ReadWrite);
        second.InitBarrier(RsmBarrierType.Segment, new RsmBarrier());
        Assert.AreNotSame(f.I, second);
        f.I.Get(0, new byte[8]);

        f.I.Disconnect();

        AssertOutcome(RsmError.BadSegmentHandle, () => f.I.Get(0, new byte[8]), "the disconnected handle (DECISIONS D7)");
        f.B.GetSpan()[2] = 0x62;
        var read = new byte[8];
        AssertOutcome(RsmError.Success, () => second.Get(0, read), "the other handle");
        Assert.AreEqual((byte)0x62, read[2]);
        AssertOutcome(RsmError.Success, () => second.Put(16, new byte[] { 0x63 }), "put through the other handle");
        Assert.AreEqual((byte)0x63, f.B.GetSpan()[16]);
    }

    [ConformanceTest]
    public void Spec087_Disconnect_DisconnectedImport_BadSegmentHandle()
    {
        DefaultFixture f = CreateDefaultFixture();
        AssertOutcome(RsmError.Success, f.I.Disconnect);

        // A disconnected import is the .NET form of a NULL import handle (DECISIONS D7).
        AssertOutcome(RsmError.BadSegmentHandle, f.I.Disconnect);
    }

    [ConformanceTest]
    public void Spec088_Disconnect_ExplicitlyMapped_SegmentStillMappedThenSucceedsAfterUnmap()
    {
        Require(ConformanceCapabilities.Mapping, "the check maps an import segment");
        DefaultFixture f = CreateDefaultFixture();
        _ = f.I.Map(RsmPermissions.ReadWrite, 0, L);

        AssertOutcome(RsmError.SegmentStillMapped, f.I.Disconnect);

        AssertOutcome(RsmError.Success, f.I.Unmap, "unmap");
        AssertOutcome(RsmError.Success, f.I.Disconnect, "disconnect after unmap");
    }

    [ConformanceTest]
    public void Spec089_Disconnect_ImplicitlyMapped_Succeeds()
    {
        DefaultFixture f = CreateDefaultFixture();
        f.I.Get(0, new byte[8]);

        AssertOutcome(RsmError.Success, f.I.Disconnect);
    }

    [ConformanceTest]
    public void Spec090_Disconnect_PollHandleHeld_PollDescriptorInUseImplicitMappingRemoved()
    {
        DefaultFixture f = CreateDefaultFixture();
        f.I.Get(0, new byte[8]);
        _ = f.I.GetPollHandle();

        AssertOutcome(RsmError.PollDescriptorInUse, f.I.Disconnect);

        // The implicit mapping was removed before the poll reference check (RSMAPI 3.3 disconnect, steps 2-3).
        AssertOutcome(RsmError.SegmentNotMapped, f.I.Unmap, "unmap after the failed disconnect");
        f.I.ReleasePollHandle();
        AssertOutcome(RsmError.Success, f.I.Disconnect, "disconnect after release");
    }

    [ConformanceTest]
    public void Spec090_Disconnect_PollHandleHeld_ImportStillUsable()
    {
        DefaultFixture f = CreateDefaultFixture();
        _ = f.I.GetPollHandle();

        AssertOutcome(RsmError.PollDescriptorInUse, f.I.Disconnect);

        AssertOutcome(RsmError.Success, () => f.I.Get(0, new byte[8]), "the import is still connected");
        f.I.ReleasePollHandle();
        AssertOutcome(RsmError.Success, f.I.Disconnect, "disconnect after release");
    }

    [ConformanceTest]
    public void Spec091_Disconnect_AfterExporterDestroyed_Succeeds()
    {
        DefaultFixture f = CreateDefaultFixture();
        f.I.Get(0, new byte[8]);
        f.E.Destroy();

        AssertOutcome(RsmError.Success, f.I.Disconnect);
    }

    [ConformanceTest]
    public void Spec216_ConnectAsync_PublishedSegment_Connects()
    {
        DefaultFixture f = CreateDefaultFixture();
        Task<IImportSegment> connect = f.C.ConnectAsync(f.C.LocalNodeId, Id, RsmPermissions.ReadWrite).AsTask();

        AwaitBounded(connect);
        IImportSegment i = connect.Result;
        Defer(i.Disconnect);

        Assert.AreEqual(Id, i.SegmentId);
        Assert.AreEqual(L, i.Length);
        Assert.AreEqual(RsmBarrierMode.Implicit, i.GetMode());
    }

    [ConformanceTest]
    public void Spec217_ConnectAsync_Errors_SameAsConnect()
    {
        DefaultFixture f = CreateDefaultFixture();

        AssertOutcome(RsmError.SegmentNotPublished, () => AwaitBounded(f.C.ConnectAsync(f.C.LocalNodeId, Id + 1, RsmPermissions.Read).AsTask()));
        AssertOutcome(RsmError.PermissionDenied, () => AwaitBounded(f.C.ConnectAsync(f.C.LocalNodeId, Id, (RsmPermissions)0x1A4).AsTask()));
    }

    [ConformanceTest]
    public void Spec218_ConnectAsync_CancelledToken_CancelledWithoutConnecting()
    {
        DefaultFixture f = CreateDefaultFixture();
        using var cancellation = new CancellationTokenSource();
        cancellation.Cancel();

        ValueTask<IImportSegment> connect = f.C.ConnectAsync(f.C.LocalNodeId, Id, RsmPermissions.ReadWrite, cancellation.Token);

        Assert.IsTrue(connect.IsCanceled);
        f.E.Unpublish();
        AssertOutcome(RsmError.ConnectionAborted, () => f.I.Get(0, new byte[1]), "only the fixture's importer was aborted");
    }
}
