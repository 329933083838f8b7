using Rsm.Engine;

namespace Rsm.Conformance;

/// <summary>
/// Conformance area Publish: <c>rsm_memseg_export_publish</c>, <c>rsm_memseg_export_unpublish</c> and
/// <c>rsm_memseg_export_republish</c> (RSMAPI section 9, items 43-74). Items 43, 44, 46, 48, 69 and the NULL-list parts of
/// 57 and 68 are listed in <see cref="ConformanceCatalogue.NotApplicableInDotNet"/>; items 57, 62 and 70 (NOT_CREATOR) in
/// <see cref="ConformanceCatalogue.ItemsNeedingPeer"/>.
/// </summary>
public abstract class PublishConformanceTests : ConformanceTestBase
{
    /// <summary>
    /// Checklist item 45 (RSMAPI section 9): publish(NULL, &amp;id, NULL, 0) → 5.
    /// </summary>
    [ConformanceTest]
    public void Spec045_Publish_DestroyedSegment_BadSegmentHandle()
    {
        (_, IExportSegment e) = NewBoundExport();
        e.Destroy();

        AssertOutcome(RsmError.BadSegmentHandle, () => e.Publish(Id));
    }

    /// <summary>
    /// Checklist item 47 (RSMAPI section 9): publishing E twice → SEG_ALREADY_PUBLISHED (6).
    /// </summary>
    [ConformanceTest]
    public void Spec047_Publish_Twice_SegmentAlreadyPublished()
    {
        (_, IExportSegment e) = NewBoundExport();
        Assert.AreEqual(Id, e.Publish(Id));

        AssertOutcome(RsmError.SegmentAlreadyPublished, () => e.Publish(Id));
        AssertOutcome(RsmError.SegmentAlreadyPublished, () => e.Publish(Id + 1), "another id");

        Assert.AreEqual(Id, e.SegmentId);
    }

    /// <summary>
    /// Checklist item 49 (RSMAPI section 9): id = 1, 0x0FFFFF, 0x100000, 0x200000, 0x2FFFFF, 0x3FFFFF → RESERVED_SEGID
    /// (23) each.
    /// </summary>
    [ConformanceTest]
    public void Spec049_Publish_ReservedSystemIds_ReservedSegmentId()
    {
        (_, IExportSegment e) = NewBoundExport();

        foreach (uint id in new uint[] { 1, 0x0FFFFF, 0x100000, 0x200000, 0x2FFFFF, 0x3FFFFF })
        {
            AssertOutcome(RsmError.ReservedSegmentId, () => e.Publish(id), $"id 0x{id:x}");
        }

        Assert.IsFalse(e.IsPublished);
    }

    /// <summary>
    /// Checklist item 50 (RSMAPI section 9): id = 0x80000000 and 0xFFFFFFFF → 23.
    /// </summary>
    [ConformanceTest]
    public void Spec050_Publish_UserApplicationIds_ReservedSegmentId()
    {
        (_, IExportSegment e) = NewBoundExport();

        foreach (uint id in new uint[] { 0x80000000, 0xFFFFFFFF })
        {
            AssertOutcome(RsmError.ReservedSegmentId, () => e.Publish(id), $"id 0x{id:x}");
        }

        Assert.IsFalse(e.IsPublished);
    }

    /// <summary>
    /// Checklist item 51 (RSMAPI section 9): id = 0x400000, 0x5FFFFF, 0x7FFFFFFF → 0.
    /// </summary>
    [ConformanceTest]
    public void Spec051_Publish_HpcOpsAndUnnamedIds_Succeed()
    {
        (IRsmController c, IExportSegment e) = NewBoundExport();

        // The HPC (0x4xxxxx) and OPS (0x5xxxxx) ranges are accepted although documented as system ids (RSMAPI A18).
        foreach (uint id in new uint[] { 0x400000, 0x5FFFFF, 0x7FFFFFFF })
        {
            Assert.AreEqual(id, e.Publish(id), $"id 0x{id:x}");
            Assert.AreEqual(id, e.SegmentId);
            IImportSegment i = c.Connect(c.LocalNodeId, id, RsmPermissions.ReadWrite);
            i.Disconnect();
            e.Unpublish();
        }
    }

    /// <summary>
    /// Checklist item 52 (RSMAPI section 9): id = 0 → 0, <c>*id</c> ≥ 0x80000000; a second auto publish on the node
    /// yields a strictly larger id (+1 if nothing else published meanwhile).
    /// </summary>
    [ConformanceTest]
    public void Spec052_Publish_IdZero_AssignsAscendingAutoIds()
    {
        IRsmController c = NewController();
        RsmPageMemory b1 = NewBuffer();
        RsmPageMemory b2 = NewBuffer();
        IExportSegment e1 = NewExport(c, b1.Address, L);
        IExportSegment e2 = NewExport(c, b2.Address, L);

        uint first = e1.Publish(0);
        uint second = e2.Publish(0);

        Assert.IsTrue(first >= 0x80000000, $"first auto id 0x{first:x}");
        Assert.AreEqual(first, e1.SegmentId);
        Assert.AreEqual(first + 1, second, "nothing else was published on the node in between");
        Assert.AreEqual(second, e2.SegmentId);
        IImportSegment i = NewImport(c, c.LocalNodeId, second, RsmPermissions.ReadWrite);
        Assert.AreEqual(second, i.SegmentId);
    }

    /// <summary>
    /// Checklist item 53 (RSMAPI section 9): Two different segments published with the same explicit id on one node →
    /// second SEGID_IN_USE (24).
    /// </summary>
    [ConformanceTest]
    public void Spec053_Publish_SameIdTwoSegments_SegmentIdInUse()
    {
        IRsmController c = NewController();
        RsmPageMemory b1 = NewBuffer();
        RsmPageMemory b2 = NewBuffer();
        IExportSegment e1 = NewExport(c, b1.Address, L);
        IExportSegment e2 = NewExport(c, b2.Address, L);
        Assert.AreEqual(Id, e1.Publish(Id));

        AssertOutcome(RsmError.SegmentIdInUse, () => e2.Publish(Id));

        Assert.IsFalse(e2.IsPublished);
    }

    /// <summary>
    /// Checklist item 54 (RSMAPI section 9): Already-published segment with a reserved id → 6 (state check precedes id
    /// check).
    /// </summary>
    [ConformanceTest]
    public void Spec054_Publish_PublishedWithReservedId_SegmentAlreadyPublished()
    {
        (_, IExportSegment e) = NewBoundExport();
        Assert.AreEqual(Id, e.Publish(Id));

        // The state check precedes the id check.
        AssertOutcome(RsmError.SegmentAlreadyPublished, () => e.Publish(1));
    }

    /// <summary>
    /// Checklist item 55 (RSMAPI section 9): ACL with 65 entries → 21; entry node 65 → 21; entry permission 0667 → 21.
    /// </summary>
    [ConformanceTest]
    public void Spec055_Publish_SixtyFiveEntries_BadAccessList()
    {
        (IRsmController c, IExportSegment e) = NewBoundExport();
        var list = new RsmAccessEntry[65];
        Array.Fill(list, new RsmAccessEntry(c.LocalNodeId, Mode0666));

        AssertOutcome(RsmError.BadAccessList, () => e.Publish(Id, list));
    }

    /// <summary>
    /// Checklist item 55 (RSMAPI section 9): ACL with 65 entries → 21; entry node 65 → 21; entry permission 0667 → 21.
    /// </summary>
    [ConformanceTest]
    public void Spec055_Publish_NodeAboveMaximum_BadAccessList()
    {
        (IRsmController c, IExportSegment e) = NewBoundExport();

        // Node ids 0..MaxNodes (64 by default) are legal; one more is not (DECISIONS F5).
        uint node = c.GetAttributes().MaxNodes + 1;

        AssertOutcome(RsmError.BadAccessList, () => e.Publish(Id, [new RsmAccessEntry(node, Mode0624)]));
    }

    /// <summary>
    /// Checklist item 55 (RSMAPI section 9): ACL with 65 entries → 21; entry node 65 → 21; entry permission 0667 → 21.
    /// </summary>
    [ConformanceTest]
    public void Spec055_Publish_Permission0667_BadAccessList()
    {
        (IRsmController c, IExportSegment e) = NewBoundExport();

        AssertOutcome(RsmError.BadAccessList, () => e.Publish(Id, [new RsmAccessEntry(c.LocalNodeId, Mode0667)]));
    }

    /// <summary>
    /// Checklist item 55 (RSMAPI section 9): ACL with 65 entries → 21; entry node 65 → 21; entry permission 0667 → 21.
    /// </summary>
    [ConformanceTest]
    public void Spec055_Publish_Permission0666_Succeeds()
    {
        (IRsmController c, IExportSegment e) = NewBoundExport();

        Assert.AreEqual(Id, e.Publish(Id, [new RsmAccessEntry(c.LocalNodeId, Mode0666)]));
    }

    /// <summary>
    /// Checklist item 56 (RSMAPI section 9): Loopback controller: ACL with 2 entries → 21; single entry naming another
    /// node → 21.
    /// </summary>
    [ConformanceTest]
    public void Spec056_Publish_LoopbackTwoEntries_BadAccessList()
    {
        (IRsmController c, IExportSegment e) = NewBoundExport();
        RequireLoopback(c, "only the loopback controller limits an access list to one entry");

        AssertOutcome(RsmError.BadAccessList, () => e.Publish(Id, [new RsmAccessEntry(c.LocalNodeId, Mode0666), new RsmAccessEntry(c.LocalNodeId, Mode0666)]));
    }

    /// <summary>
    /// Checklist item 56 (RSMAPI section 9): Loopback controller: ACL with 2 entries → 21; single entry naming another
    /// node → 21.
    /// </summary>
    [ConformanceTest]
    public void Spec056_Publish_LoopbackEntryNamingOtherNode_BadAccessList()
    {
        (IRsmController c, IExportSegment e) = NewBoundExport();
        RequireLoopback(c, "only the loopback controller requires the entry to name the local node");
        uint other = c.LocalNodeId == 0 ? 1u : c.LocalNodeId - 1;

        AssertOutcome(RsmError.BadAccessList, () => e.Publish(Id, [new RsmAccessEntry(other, Mode0666)]));
    }

    /// <summary>
    /// Checklist item 58 (RSMAPI section 9): After any failed publish, a correct publish on the same handle succeeds.
    /// </summary>
    [ConformanceTest]
    public void Spec058_Publish_AfterFailedPublishes_CorrectPublishSucceeds()
    {
        IRsmController c = NewController();
        RsmPageMemory b1 = NewBuffer();
        RsmPageMemory b2 = NewBuffer();
        IExportSegment other = NewExport(c, b1.Address, L);
        IExportSegment e = NewExport(c, b2.Address, L);
        Assert.AreEqual(Id, other.Publish(Id));
        AssertOutcome(RsmError.ReservedSegmentId, () => e.Publish(0x100000));
        AssertOutcome(RsmError.BadAccessList, () => e.Publish(Id + 1, [new RsmAccessEntry(c.LocalNodeId, Mode0777)]));
        AssertOutcome(RsmError.SegmentIdInUse, () => e.Publish(Id));
        Assert.IsFalse(e.IsPublished);

        Assert.AreEqual(Id + 1, e.Publish(Id + 1));

        Assert.IsTrue(e.IsPublished);
        IImportSegment i = NewImport(c, c.LocalNodeId, Id + 1, RsmPermissions.ReadWrite);
        Assert.AreEqual(L, i.Length);
    }

    /// <summary>
    /// Checklist item 59 (RSMAPI section 9): ACL entry permission 0 for the importing node → connect with perm 0
    /// succeeds, perm READ → 27.
    /// </summary>
    [ConformanceTest]
    public void Spec059_Connect_EntryPermissionZero_PermissionNoneSucceeds()
    {
        (IRsmController c, IExportSegment e) = NewBoundExport();
        e.Publish(Id, [new RsmAccessEntry(c.LocalNodeId, 0)]);

        IImportSegment i = NewImport(c, c.LocalNodeId, Id, RsmPermissions.None);

        Assert.AreEqual(RsmPermissions.None, i.Permission);
    }

    /// <summary>
    /// Checklist item 59 (RSMAPI section 9): ACL entry permission 0 for the importing node → connect with perm 0
    /// succeeds, perm READ → 27.
    /// </summary>
    [ConformanceTest]
    public void Spec059_Connect_EntryPermissionZeroRead_PermissionDenied()
    {
        RequireUnprivilegedImporter();
        (IRsmController c, IExportSegment e) = NewBoundExport();
        e.Publish(Id, [new RsmAccessEntry(c.LocalNodeId, 0)]);

        AssertOutcome(RsmError.PermissionDenied, () => c.Connect(c.LocalNodeId, Id, RsmPermissions.Read).Dispose());
    }

    /// <summary>
    /// Checklist item 60 (RSMAPI section 9): unpublish(NULL) → 5.
    /// </summary>
    [ConformanceTest]
    public void Spec060_Unpublish_DestroyedSegment_BadSegmentHandle()
    {
        (_, IExportSegment e) = NewBoundExport();
        e.Publish(Id);
        e.Destroy();

        AssertOutcome(RsmError.BadSegmentHandle, e.Unpublish);
    }

    /// <summary>
    /// Checklist item 61 (RSMAPI section 9): unpublish of a never-published segment → SEG_NOT_PUBLISHED (7).
    /// </summary>
    [ConformanceTest]
    public void Spec061_Unpublish_NeverPublished_SegmentNotPublished()
    {
        (_, IExportSegment e) = NewBoundExport();

        AssertOutcome(RsmError.SegmentNotPublished, e.Unpublish);
    }

    /// <summary>
    /// Checklist item 63 (RSMAPI section 9): After unpublish: new connect → 7; existing importer implicit get → 40; new
    /// map on an unmapped importer → 40.
    /// </summary>
    [ConformanceTest]
    public void Spec063_Unpublish_NewConnect_SegmentNotPublished()
    {
        DefaultFixture f = CreateDefaultFixture();

        f.E.Unpublish();

        Assert.IsFalse(f.E.IsPublished);
        AssertOutcome(RsmError.SegmentNotPublished, () => f.C.Connect(f.C.LocalNodeId, Id, RsmPermissions.ReadWrite).Dispose());
    }

    /// <summary>
    /// Checklist item 63 (RSMAPI section 9): After unpublish: new connect → 7; existing importer implicit get → 40; new
    /// map on an unmapped importer → 40.
    /// </summary>
    [ConformanceTest]
    public void Spec063_Unpublish_ExistingImporterImplicitGet_ConnectionAborted()
    {
        DefaultFixture f = CreateDefaultFixture();
        var data = new byte[16];
        f.I.Get(0, data);

        f.E.Unpublish();

        AssertOutcome(RsmError.ConnectionAborted, () => f.I.Get(0, data));
        AssertOutcome(RsmError.ConnectionAborted, () => f.I.Get(0, data), "every later implicit access (DECISIONS F3)");
    }

    /// <summary>
    /// Checklist item 63 (RSMAPI section 9): After unpublish: new connect → 7; existing importer implicit get → 40; new
    /// map on an unmapped importer → 40.
    /// </summary>
    [ConformanceTest]
    public void Spec063_Unpublish_UnmappedImporterMap_ConnectionAborted()
    {
        Require(ConformanceCapabilities.Mapping, "the check maps an import segment");
        DefaultFixture f = CreateDefaultFixture();

        f.E.Unpublish();

        AssertOutcome(RsmError.ConnectionAborted, () => f.I.Map(RsmPermissions.ReadWrite, 0, L));
    }

    /// <summary>
    /// Checklist item 64 (RSMAPI section 9): unpublish then publish with the same id → 0; the old importer still gets
    /// 40; a fresh connect works.
    /// </summary>
    [ConformanceTest]
    public void Spec064_Unpublish_RepublishSameId_OldImporterAbortedFreshConnectWorks()
    {
        DefaultFixture f = CreateDefaultFixture();
        var data = new byte[16];
        f.I.Get(0, data);
        f.E.Unpublish();

        Assert.AreEqual(Id, f.E.Publish(Id));

        // Publishing again does not revive aborted importers (RSMAPI 4.2).
        AssertOutcome(RsmError.ConnectionAborted, () => f.I.Get(0, data));
        IImportSegment fresh = NewImport(f.C, f.C.LocalNodeId, Id, RsmPermissions.ReadWrite);
        fresh.InitBarrier(RsmBarrierType.Segment, new RsmBarrier());
        f.B.GetSpan()[5] = 0x77;
        var read = new byte[16];
        AssertOutcome(RsmError.Success, () => fresh.Get(0, read));
        Assert.AreEqual((byte)0x77, read[5]);
    }

    /// <summary>
    /// Checklist item 65 (RSMAPI section 9): unpublish with an outstanding pollfd reference → 0 (not checked).
    /// </summary>
    [ConformanceTest]
    public void Spec065_Unpublish_PollHandleHeld_Succeeds()
    {
        DefaultFixture f = CreateDefaultFixture();
        _ = f.E.GetPollHandle();

        // Only destroy and disconnect check poll references (DECISIONS F9).
        AssertOutcome(RsmError.Success, f.E.Unpublish);

        Assert.IsFalse(f.E.IsPublished);
    }

    /// <summary>
    /// Checklist item 66 (RSMAPI section 9): unpublish twice → second 7.
    /// </summary>
    [ConformanceTest]
    public void Spec066_Unpublish_Twice_SegmentNotPublished()
    {
        (_, IExportSegment e) = NewBoundExport();
        e.Publish(Id);
        AssertOutcome(RsmError.Success, e.Unpublish);

        AssertOutcome(RsmError.SegmentNotPublished, e.Unpublish);
    }

    /// <summary>
    /// Checklist item 67 (RSMAPI section 9): republish(NULL, NULL, 0) → 5.
    /// </summary>
    [ConformanceTest]
    public void Spec067_Republish_DestroyedSegment_BadSegmentHandle()
    {
        (_, IExportSegment e) = NewBoundExport();
        e.Publish(Id);
        e.Destroy();

        AssertOutcome(RsmError.BadSegmentHandle, () => e.Republish([]));
    }

    /// <summary>
    /// Checklist item 68 (RSMAPI section 9): republish of an unpublished segment with (NULL, 3) → 7 (state before ACL
    /// check).
    /// </summary>
    [ConformanceTest]
    public void Spec068_Republish_UnpublishedWithInvalidList_SegmentNotPublished()
    {
        (IRsmController c, IExportSegment e) = NewBoundExport();

        // The state is checked before the access list.
        AssertOutcome(RsmError.SegmentNotPublished, () => e.Republish([new RsmAccessEntry(c.LocalNodeId, Mode0777)]));
        AssertOutcome(RsmError.SegmentNotPublished, () => e.Republish([]));
    }

    /// <summary>
    /// Checklist item 69 (RSMAPI section 9): republish(E, NULL, 3) on a published segment → 21.
    /// </summary>
    [ConformanceTest]
    public void Spec069_Republish_PublishedWithInvalidList_BadAccessListAndListKept()
    {
        DefaultFixture f = CreateDefaultFixture();

        AssertOutcome(RsmError.BadAccessList, () => f.E.Republish([new RsmAccessEntry(f.C.LocalNodeId, Mode0667)]));

        Assert.IsTrue(f.E.IsPublished);
        IImportSegment second = NewImport(f.C, f.C.LocalNodeId, Id, RsmPermissions.ReadWrite);
        Assert.AreEqual(L, second.Length);
    }

    /// <summary>
    /// Checklist item 71 (RSMAPI section 9): (Two-node fixture, non-loopback controller; on loopback use an ACL {local,
    /// 0} instead of dropping the node.) republish with an ACL excluding the importer's node while the importer stays
    /// connected: its get/put/map keep working.
    /// </summary>
    [ConformanceTest]
    public void Spec071_Republish_LocalNodePermissionZero_ExistingImporterKeepsWorking()
    {
        DefaultFixture f = CreateDefaultFixture();
        f.I.Get(0, new byte[8]);

        AssertOutcome(RsmError.Success, () => f.E.Republish([new RsmAccessEntry(f.C.LocalNodeId, 0)]));

        // Republish changes only what new connections get (DECISIONS F6).
        f.B.GetSpan()[3] = 0x3C;
        var read = new byte[8];
        AssertOutcome(RsmError.Success, () => f.I.Get(0, read), "get");
        Assert.AreEqual((byte)0x3C, read[3]);
        AssertOutcome(RsmError.Success, () => f.I.Put((long)PS, new byte[] { 1, 2, 3, 4 }), "put");
        Assert.AreEqual((byte)4, f.B.GetSpan()[(int)PS + 3]);
        AssertOutcome(RsmError.Success, f.Bar.Close, "close barrier");
    }

    /// <summary>
    /// Checklist item 71 (RSMAPI section 9): (Two-node fixture, non-loopback controller; on loopback use an ACL {local,
    /// 0} instead of dropping the node.) republish with an ACL excluding the importer's node while the importer stays
    /// connected: its get/put/map keep working.
    /// </summary>
    [ConformanceTest]
    public void Spec071_Republish_LocalNodePermissionZero_ExistingImporterCanMap()
    {
        Require(ConformanceCapabilities.Mapping, "the check maps an import segment");
        DefaultFixture f = CreateDefaultFixture();

        f.E.Republish([new RsmAccessEntry(f.C.LocalNodeId, 0)]);

        IRsmMapping mapping = f.I.Map(RsmPermissions.ReadWrite, 0, L);
        f.B.GetSpan()[9] = 0x5D;
        SyncMapping(f.Bar);
        Assert.AreEqual((byte)0x5D, mapping.GetSpan()[9]);
    }

    /// <summary>
    /// Checklist item 71 (RSMAPI section 9): (Two-node fixture, non-loopback controller; on loopback use an ACL {local,
    /// 0} instead of dropping the node.) republish with an ACL excluding the importer's node while the importer stays
    /// connected: its get/put/map keep working.
    /// </summary>
    [ConformanceTest]
    public void Spec071_Republish_ExcludingImporterNode_ExistingImporterKeepsWorking()
    {
        Require(ConformanceCapabilities.SecondNode, "the importer's node is dropped from the access list");
        (IRsmController exporter, IRsmController importer, IExportSegment e, RsmPageMemory b) = NewTwoNodeExport();
        IImportSegment i = NewImport(importer, exporter.LocalNodeId, Id, RsmPermissions.ReadWrite);
        i.InitBarrier(RsmBarrierType.Segment, new RsmBarrier());

        AssertOutcome(RsmError.Success, () => e.Republish([new RsmAccessEntry(exporter.LocalNodeId, Mode0666)]));

        b.GetSpan()[3] = 0x3C;
        var read = new byte[8];
        AssertOutcome(RsmError.Success, () => i.Get(0, read), "get");
        Assert.AreEqual((byte)0x3C, read[3]);
        AssertOutcome(RsmError.Success, () => i.Put((long)PS, new byte[] { 1, 2, 3, 4 }), "put");
        AssertOutcome(RsmError.Success, () => i.Get((long)PS, read), "get back");
        Assert.AreEqual((byte)4, read[3]);
        if ((Harness.Capabilities & ConformanceCapabilities.Mapping) != 0)
        {
            i.Unmap();
            AssertOutcome(RsmError.Success, () => i.Map(RsmPermissions.ReadWrite, 0, L), "map");
        }
    }

    /// <summary>
    /// Checklist item 72 (RSMAPI section 9): After 71, with the first importer still connected, a second connect from
    /// that node with perm READ → PERM_DENIED (27).
    /// </summary>
    [ConformanceTest]
    public void Spec072_Connect_SameNodeAfterRepublishToPermissionZero_PermissionDenied()
    {
        RequireUnprivilegedImporter();
        DefaultFixture f = CreateDefaultFixture();

        f.E.Republish([new RsmAccessEntry(f.C.LocalNodeId, 0)]);

        AssertOutcome(RsmError.PermissionDenied, () => f.C.Connect(f.C.LocalNodeId, Id, RsmPermissions.Read).Dispose());
    }

    /// <summary>
    /// Checklist item 72 (RSMAPI section 9): After 71, with the first importer still connected, a second connect from
    /// that node with perm READ → PERM_DENIED (27).
    /// </summary>
    [ConformanceTest]
    public void Spec072_Connect_DroppedNodeWithLiveConnection_PermissionDenied()
    {
        Require(ConformanceCapabilities.SecondNode, "the importer's node is dropped from the access list");
        RequireUnprivilegedImporter();
        (IRsmController exporter, IRsmController importer, IExportSegment e, _) = NewTwoNodeExport();
        _ = NewImport(importer, exporter.LocalNodeId, Id, RsmPermissions.ReadWrite);

        e.Republish([new RsmAccessEntry(exporter.LocalNodeId, Mode0666)]);

        // The node still holds a live shared connection, so the pushed permission 0 decides: 27, not 8 (RSMAPI 5.4).
        AssertOutcome(RsmError.PermissionDenied, () => importer.Connect(exporter.LocalNodeId, Id, RsmPermissions.Read).Dispose());
    }

    /// <summary>
    /// Checklist item 73 (RSMAPI section 9): (Two-node fixture only.) After 71, once all importers on that node
    /// disconnected, a new connect → SEG_NOT_PUBLISHED_TO_NODE (8); contrast with 72, where the same request yields 27
    /// because the node still holds a live shared connection.
    /// </summary>
    [ConformanceTest]
    public void Spec073_Connect_DroppedNodeWithoutLiveConnection_SegmentNotPublishedToNode()
    {
        Require(ConformanceCapabilities.SecondNode, "the importer's node is dropped from the access list");
        (IRsmController exporter, IRsmController importer, IExportSegment e, _) = NewTwoNodeExport();
        IImportSegment first = NewImport(importer, exporter.LocalNodeId, Id, RsmPermissions.ReadWrite);
        e.Republish([new RsmAccessEntry(exporter.LocalNodeId, Mode0666)]);

        first.Disconnect();

        AssertOutcome(RsmError.SegmentNotPublishedToNode, () => importer.Connect(exporter.LocalNodeId, Id, RsmPermissions.Read).Dispose());
    }

    /// <summary>
    /// Checklist item 74 (RSMAPI section 9): republish to an empty ACL restores public access based on the creator's
    /// umask.
    /// </summary>
    [ConformanceTest]
    public void Spec074_Republish_EmptyList_PublicAccessWithCreatorDefaultMode()
    {
        // A privileged importer connects whatever the access list says, so the change could not be observed.
        RequireUnprivilegedImporter();
        (IRsmController c, IExportSegment e) = NewBoundExport();
        e.Publish(Id, [new RsmAccessEntry(c.LocalNodeId, 0)]);
        RsmCredentials me = RsmCredentials.ReadCurrent();
        AssertOutcome(RsmError.PermissionDenied, () => c.Connect(c.LocalNodeId, Id, RsmPermissions.ReadWrite).Dispose(), "before republish");

        e.Republish([]);

        // The same uid is judged by the owner digit of 0777 & ~umask (RSMAPI 5.1).
        RsmError expected = OwnerDigitAllowsReadWrite(me.Umask) ? RsmError.Success : RsmError.PermissionDenied;
        AssertOutcome(expected, () => c.Connect(c.LocalNodeId, Id, RsmPermissions.ReadWrite).Dispose(), $"after republish, umask {Convert.ToString(me.Umask, 8)}");
    }

    /// <summary>
    /// Checklist item 74 (RSMAPI section 9): republish to an empty ACL restores public access based on the creator's
    /// umask.
    /// </summary>
    [ConformanceTest]
    public void Spec074_Republish_EmptyList_DroppedNodeMayConnectAgain()
    {
        Require(ConformanceCapabilities.SecondNode, "a node absent from the access list becomes able to connect");
        (IRsmController exporter, IRsmController importer, IExportSegment e, _) = NewTwoNodeExport();
        e.Republish([new RsmAccessEntry(exporter.LocalNodeId, Mode0666)]);
        AssertOutcome(RsmError.SegmentNotPublishedToNode, () => importer.Connect(exporter.LocalNodeId, Id, RsmPermissions.None).Dispose(), "before");

        e.Republish([]);

        AssertOutcome(RsmError.Success, () => importer.Connect(exporter.LocalNodeId, Id, RsmPermissions.None).Dispose(), "after");
    }

    private static bool OwnerDigitAllowsReadWrite(uint umask) => ((Mode0777 & ~umask & Mode0666) >> 6) == 6;

    private static void RequireLoopback(IRsmController c, string why)
    {
        if (!string.Equals(c.ProviderName, "Loopback", StringComparison.OrdinalIgnoreCase))
        {
            Assert.Inconclusive($"{c.ProviderName} is not the loopback provider: {why}");
        }
    }

    private (IRsmController C, IExportSegment E) NewBoundExport(ExportFlags flags = ExportFlags.None)
    {
        IRsmController c = NewController();
        RsmPageMemory b = NewBuffer();
        return (c, NewExport(c, b.Address, L, flags));
    }

    /// <summary>Exporter on node 1 publishing the fixture id (0x600000) to nodes 1 and 2 with 0666; importer controller on node 2.</summary>
    private (IRsmController Exporter, IRsmController Importer, IExportSegment E, RsmPageMemory B) NewTwoNodeExport()
    {
        IRsmController exporter = NewController(1);
        IRsmController importer = NewController(2);
        RsmPageMemory b = NewBuffer();
        IExportSegment e = NewExport(exporter, b.Address, L);
        Assert.AreEqual(Id, e.Publish(Id, [new RsmAccessEntry(exporter.LocalNodeId, Mode0666), new RsmAccessEntry(importer.LocalNodeId, Mode0666)]));
        return (exporter, importer, e, b);
    }
}
