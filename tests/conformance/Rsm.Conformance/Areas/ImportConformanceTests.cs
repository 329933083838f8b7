using Rsm.Engine;

namespace Rsm.Conformance;

/// <summary>
/// Conformance area Import: <c>rsm_memseg_import_connect</c>, the permission model of RSMAPI section 5 and
/// <c>rsm_memseg_import_disconnect</c> (RSMAPI section 9, items 75-91). The other-uid parts of items 81-83 are listed in
/// <see cref="ConformanceCatalogue.ItemsNeedingPeer"/>.
/// </summary>
public abstract class ImportConformanceTests : ConformanceTestBase
{
    /// <summary>
    /// Checklist item 75 (RSMAPI section 9): connect(NULL, node, ID, 0600, &amp;i) → 3.
    /// </summary>
    [ConformanceTest]
    public void Spec075_Connect_ReleasedController_BadControllerHandle()
    {
        DefaultFixture f = CreateDefaultFixture();
        IRsmController released = NewController(f.C.LocalNodeId);
        released.Release();

        AssertOutcome(RsmError.BadControllerHandle, () => released.Connect(f.C.LocalNodeId, Id, RsmPermissions.ReadWrite).Dispose());
    }

    /// <summary>
    /// Checklist item 76 (RSMAPI section 9): perm 0644, 0100, 01000 → PERM_DENIED (27) (never BAD_PERMS).
    /// </summary>
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

    /// <summary>
    /// Checklist item 76 (RSMAPI section 9): perm 0644, 0100, 01000 → PERM_DENIED (27) (never BAD_PERMS).
    /// </summary>
    [ConformanceTest]
    public void Spec076_Connect_PermissionBitsOutside0600Unpublished_PermissionDenied()
    {
        IRsmController c = NewController();

        // The permission bits are checked before the exporter is asked.
        AssertOutcome(RsmError.PermissionDenied, () => c.Connect(c.LocalNodeId, Id, (RsmPermissions)0x1A4).Dispose());
    }

    /// <summary>
    /// Checklist item 77 (RSMAPI section 9): perm 0 → 0.
    /// </summary>
    [ConformanceTest]
    public void Spec077_Connect_PermissionNone_Succeeds()
    {
        DefaultFixture f = CreateDefaultFixture();

        IImportSegment i = NewImport(f.C, f.C.LocalNodeId, Id, RsmPermissions.None);

        Assert.AreEqual(RsmPermissions.None, i.Permission);
        Assert.AreEqual(L, i.Length);
    }

    /// <summary>
    /// Checklist item 78 (RSMAPI section 9): Unknown id → SEG_NOT_PUBLISHED (7).
    /// </summary>
    [ConformanceTest]
    public void Spec078_Connect_UnknownId_SegmentNotPublished()
    {
        DefaultFixture f = CreateDefaultFixture();

        AssertOutcome(RsmError.SegmentNotPublished, () => f.C.Connect(f.C.LocalNodeId, Id + 1, RsmPermissions.ReadWrite).Dispose());
    }

    /// <summary>
    /// Checklist item 79 (RSMAPI section 9): ACL present without the importing node → SEG_NOT_PUBLISHED_TO_NODE (8).
    /// </summary>
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

    /// <summary>
    /// Checklist item 80 (RSMAPI section 9): Loopback controller, node id ≠ local node → CTLR_NOT_PRESENT (4).
    /// </summary>
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

    /// <summary>
    /// Checklist item 81 (RSMAPI section 9): ACL {local, 0624}: same uid RDWR → 0; group member (different uid) WRITE →
    /// 0, READ → 27; other READ → 0, WRITE → 27.
    /// </summary>
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

    /// <summary>
    /// Checklist item 81 (RSMAPI section 9): ACL {local, 0624}: same uid RDWR → 0; group member (different uid) WRITE →
    /// 0, READ → 27; other READ → 0, WRITE → 27.
    /// </summary>
    [ConformanceTest]
    public void Spec081_Connect_Entry0624SameUidPermissionNone_Succeeds()
    {
        IRsmController c = NewController();
        RsmPageMemory b = NewBuffer();
        IExportSegment e = NewExport(c, b.Address, L);
        e.Publish(Id, [new RsmAccessEntry(c.LocalNodeId, Mode0624)]);

        AssertOutcome(RsmError.Success, () => c.Connect(c.LocalNodeId, Id, RsmPermissions.None).Dispose());
    }

    /// <summary>
    /// Checklist item 81 (RSMAPI section 9): ACL {local, 0624}: same uid RDWR → 0; group member (different uid) WRITE →
    /// 0, READ → 27; other READ → 0, WRITE → 27.
    /// </summary>
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

    /// <summary>
    /// Checklist item 82 (RSMAPI section 9): No ACL, creator umask 022: different-uid non-member READ → 0, WRITE → 27;
    /// same uid RDWR → 0.
    /// </summary>
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

    /// <summary>
    /// Checklist item 84 (RSMAPI section 9): Privileged importer (IPC DAC read+write) requesting RDWR where the class
    /// digit is 0 → 0.
    /// </summary>
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

    /// <summary>
    /// Checklist item 85 (RSMAPI section 9): After connect, <c>get_mode</c> returns RSM_BARRIER_MODE_IMPLICIT (1).
    /// </summary>
    [ConformanceTest]
    public void Spec085_GetMode_AfterConnect_Implicit()
    {
        DefaultFixture f = CreateDefaultFixture();
        IImportSegment i = NewImport(f.C, f.C.LocalNodeId, Id, RsmPermissions.ReadWrite);

        Assert.AreEqual(RsmBarrierMode.Implicit, i.GetMode());
    }

    /// <summary>
    /// Checklist item 86 (RSMAPI section 9): Two connects to the same segment from one process → two independent
    /// handles; disconnecting one leaves the other working.
    /// </summary>
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

    /// <summary>
    /// Checklist item 87 (RSMAPI section 9): disconnect(NULL) → 5.
    /// </summary>
    [ConformanceTest]
    public void Spec087_Disconnect_DisconnectedImport_BadSegmentHandle()
    {
        DefaultFixture f = CreateDefaultFixture();
        AssertOutcome(RsmError.Success, f.I.Disconnect);

        // A disconnected import is the .NET form of a NULL import handle (DECISIONS D7).
        AssertOutcome(RsmError.BadSegmentHandle, f.I.Disconnect);
    }

    /// <summary>
    /// Checklist item 88 (RSMAPI section 9): After an explicit map: disconnect → SEG_STILL_MAPPED (10); after unmap →
    /// 0.
    /// </summary>
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

    /// <summary>
    /// Checklist item 89 (RSMAPI section 9): After only an implicit map (a get): disconnect → 0.
    /// </summary>
    [ConformanceTest]
    public void Spec089_Disconnect_ImplicitlyMapped_Succeeds()
    {
        DefaultFixture f = CreateDefaultFixture();
        f.I.Get(0, new byte[8]);

        AssertOutcome(RsmError.Success, f.I.Disconnect);
    }

    /// <summary>
    /// Checklist item 90 (RSMAPI section 9): With a pollfd reference: disconnect → POLLFD_IN_USE (34); the implicit
    /// mapping (if any) has been removed; after release, disconnect → 0.
    /// </summary>
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

    /// <summary>
    /// Checklist item 90 (RSMAPI section 9): With a pollfd reference: disconnect → POLLFD_IN_USE (34); the implicit
    /// mapping (if any) has been removed; after release, disconnect → 0.
    /// </summary>
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

    /// <summary>
    /// Checklist item 91 (RSMAPI section 9): Disconnect after the exporter destroyed the segment → 0.
    /// </summary>
    [ConformanceTest]
    public void Spec091_Disconnect_AfterExporterDestroyed_Succeeds()
    {
        DefaultFixture f = CreateDefaultFixture();
        f.I.Get(0, new byte[8]);
        f.E.Destroy();

        AssertOutcome(RsmError.Success, f.I.Disconnect);
    }

    /// <summary>
    /// Check 216, beyond the checklist: ConnectAsync connects like Connect: same segment, length and Implicit mode.
    /// </summary>
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

    /// <summary>
    /// Check 217, beyond the checklist: ConnectAsync reports the errors of Connect (SegmentNotPublished (7),
    /// PermissionDenied (27)) through its task.
    /// </summary>
    [ConformanceTest]
    public void Spec217_ConnectAsync_Errors_SameAsConnect()
    {
        DefaultFixture f = CreateDefaultFixture();

        AssertOutcome(RsmError.SegmentNotPublished, () => AwaitBounded(f.C.ConnectAsync(f.C.LocalNodeId, Id + 1, RsmPermissions.Read).AsTask()));
        AssertOutcome(RsmError.PermissionDenied, () => AwaitBounded(f.C.ConnectAsync(f.C.LocalNodeId, Id, (RsmPermissions)0x1A4).AsTask()));
    }

    /// <summary>
    /// Check 218, beyond the checklist: ConnectAsync with a cancelled token ends as cancelled and connects nothing.
    /// </summary>
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
