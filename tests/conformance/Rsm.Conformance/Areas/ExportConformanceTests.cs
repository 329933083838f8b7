namespace Rsm.Conformance;

/// <summary>
/// Conformance area Export: <c>rsm_memseg_export_create</c>, <c>rsm_memseg_export_destroy</c> and
/// <c>rsm_memseg_export_rebind</c> (RSMAPI section 9, items 11-42). Items 12 and 42 are listed in
/// <see cref="ConformanceCatalogue.NotApplicableInDotNet"/>; items 30, 31 and 36 in <see cref="ConformanceCatalogue.ItemsNeedingPeer"/>.
/// </summary>
public abstract class ExportConformanceTests : ConformanceTestBase
{
    /// <summary>
    /// Checklist item 11 (RSMAPI section 9): create(NULL controller, NULL memseg, NULL, 0, 0) → 3.
    /// </summary>
    [ConformanceTest]
    public void Spec011_Create_ReleasedController_BadControllerHandle()
    {
        IRsmController c = NewController();
        c.Release();

        // The controller is checked before every argument, so null address and zero length do not matter.
        AssertOutcome(RsmError.BadControllerHandle, () => c.CreateExportSegment(0, 0).Dispose());
    }

    /// <summary>
    /// Checklist item 11 (RSMAPI section 9): create(NULL controller, NULL memseg, NULL, 0, 0) → 3.
    /// </summary>
    [ConformanceTest]
    public void Spec011_Create_ReleasedControllerValidArguments_BadControllerHandle()
    {
        IRsmController c = NewController();
        RsmPageMemory b = NewBuffer();
        c.Release();

        AssertOutcome(RsmError.BadControllerHandle, () => c.CreateExportSegment(b.Address, L).Dispose());
    }

    /// <summary>
    /// Checklist item 13 (RSMAPI section 9): create(C, &amp;h, NULL, 0, 0) → BAD_ADDR (16) (address checked before
    /// length).
    /// </summary>
    [ConformanceTest]
    public void Spec013_Create_NullAddressZeroLength_BadAddress()
    {
        IRsmController c = NewController();

        AssertOutcome(RsmError.BadAddress, () => c.CreateExportSegment(0, 0).Dispose());
    }

    /// <summary>
    /// Checklist item 14 (RSMAPI section 9): create(C, &amp;h, B+1, 0, 0) → BAD_LENGTH (20) (length checked before
    /// alignment).
    /// </summary>
    [ConformanceTest]
    public void Spec014_Create_MisalignedAddressZeroLength_BadLength()
    {
        IRsmController c = NewController();
        RsmPageMemory b = NewBuffer();

        AssertOutcome(RsmError.BadLength, () => c.CreateExportSegment(b.Address + 1, 0).Dispose());
    }

    /// <summary>
    /// Checklist item 15 (RSMAPI section 9): create(C, &amp;h, B+1, L, 0) → BAD_MEM_ALIGNMENT (17).
    /// </summary>
    [ConformanceTest]
    public void Spec015_Create_MisalignedAddress_BadMemAlignment()
    {
        IRsmController c = NewController();
        RsmPageMemory b = NewBuffer();

        AssertOutcome(RsmError.BadMemoryAlignment, () => c.CreateExportSegment(b.Address + 1, L).Dispose());
    }

    /// <summary>
    /// Checklist item 16 (RSMAPI section 9): create(C, &amp;h, B, L+1, 0) → BAD_MEM_ALIGNMENT (17) (not 20).
    /// </summary>
    [ConformanceTest]
    public void Spec016_Create_LengthNotPageMultiple_BadMemAlignment()
    {
        IRsmController c = NewController();
        RsmPageMemory b = NewBuffer(5);

        AssertOutcome(RsmError.BadMemoryAlignment, () => c.CreateExportSegment(b.Address, L + 1).Dispose());
    }

    /// <summary>
    /// Checklist item 17 (RSMAPI section 9): create(C, &amp;h, B, PS/2, 0) → 17.
    /// </summary>
    [ConformanceTest]
    public void Spec017_Create_HalfPageLength_BadMemAlignment()
    {
        IRsmController c = NewController();
        RsmPageMemory b = NewBuffer();

        AssertOutcome(RsmError.BadMemoryAlignment, () => c.CreateExportSegment(b.Address, PS / 2).Dispose());
    }

    /// <summary>
    /// Checklist item 18 (RSMAPI section 9): On any failure after the memseg check, <c>*memseg</c> is NULL.
    /// </summary>
    [ConformanceTest]
    public void Spec018_Create_AfterFailedCreate_SameMemorySucceeds()
    {
        IRsmController c = NewController();
        RsmPageMemory b = NewBuffer();
        AssertOutcome(RsmError.BadMemoryAlignment, () => c.CreateExportSegment(b.Address, PS / 2).Dispose());

        // A failed create hands back no segment and leaves nothing bound (the .NET form of *memseg == NULL).
        IExportSegment e = NewExport(c, b.Address, L);

        Assert.AreEqual(b.Address, e.Address);
        Assert.AreEqual(L, e.Length);
        Assert.IsFalse(e.IsPublished);
    }

    /// <summary>
    /// Checklist item 19 (RSMAPI section 9): Non-loopback controller: length &gt; attr_max_export_segment_size (and PS
    /// multiple) → 20; loopback with a large length is not size-checked.
    /// </summary>
    [ConformanceTest]
    public void Spec019_Create_LengthAboveMaximum_BadLength()
    {
        IRsmController c = NewController(1, new ConformanceNodeOptions { MaxExportSegmentSize = L });
        RsmPageMemory b = NewBuffer(8);
        Assert.AreEqual(L, c.GetAttributes().MaxExportSegmentSize);

        // DECISIONS D1: the size limit applies to every controller, loopback included.
        AssertOutcome(RsmError.BadLength, () => c.CreateExportSegment(b.Address, 2 * L).Dispose());
    }

    /// <summary>
    /// Checklist item 19 (RSMAPI section 9): Non-loopback controller: length &gt; attr_max_export_segment_size (and PS
    /// multiple) → 20; loopback with a large length is not size-checked.
    /// </summary>
    [ConformanceTest]
    public void Spec019_Create_LengthAtMaximum_Succeeds()
    {
        IRsmController c = NewController(1, new ConformanceNodeOptions { MaxExportSegmentSize = L });
        RsmPageMemory b = NewBuffer(8);

        IExportSegment e = NewExport(c, b.Address, L);

        Assert.AreEqual(L, e.Length);
    }

    /// <summary>
    /// Checklist item 19 (RSMAPI section 9): Non-loopback controller: length &gt; attr_max_export_segment_size (and PS
    /// multiple) → 20; loopback with a large length is not size-checked.
    /// </summary>
    [ConformanceTest]
    public void Spec019_Create_MisalignedLengthAboveMaximum_BadMemAlignment()
    {
        IRsmController c = NewController(1, new ConformanceNodeOptions { MaxExportSegmentSize = L });
        RsmPageMemory b = NewBuffer(8);

        // Alignment is checked before the size limit (DECISIONS F1).
        AssertOutcome(RsmError.BadMemoryAlignment, () => c.CreateExportSegment(b.Address, (2 * L) + 1).Dispose());
    }

    /// <summary>
    /// Checklist item 19 (RSMAPI section 9): Non-loopback controller: length &gt; attr_max_export_segment_size (and PS
    /// multiple) → 20; loopback with a large length is not size-checked.
    /// </summary>
    [ConformanceTest]
    public void Spec019_Create_LengthAboveMaximumWithTableFull_BadLengthBeforeResources()
    {
        IRsmController c = NewController(1, new ConformanceNodeOptions { MaxExportSegmentSize = L, MaxExportSegments = 1 });
        RsmPageMemory b1 = NewBuffer();
        RsmPageMemory b2 = NewBuffer(8);
        _ = NewExport(c, b1.Address, L);

        // The size limit is checked before the node's resources (DECISIONS F1).
        AssertOutcome(RsmError.BadLength, () => c.CreateExportSegment(b2.Address, 2 * L).Dispose());
        AssertOutcome(RsmError.InsufficientResources, () => c.CreateExportSegment(b2.Address, L).Dispose());
    }

    /// <summary>
    /// Checklist item 20 (RSMAPI section 9): create with flags 0xFFFFFFF0 (unknown bits) → 0.
    /// </summary>
    [ConformanceTest]
    public void Spec020_Create_UnknownFlagBits_Succeeds()
    {
        IRsmController c = NewController();
        RsmPageMemory b = NewBuffer();

        IExportSegment e = NewExport(c, b.Address, L, (ExportFlags)0xFFFFFFF0);

        Assert.AreEqual(Id, e.Publish(Id));
    }

    /// <summary>
    /// Checklist item 21 (RSMAPI section 9): create over an unmapped (but aligned) address range → BAD_ADDR (16) from
    /// the page lock.
    /// </summary>
    [ConformanceTest]
    public void Spec021_Create_UnmappedRange_BadAddress()
    {
        if (!OperatingSystem.IsLinux())
        {
            Assert.Inconclusive("an unmapped but page-aligned range can only be produced reliably where RsmPageMemory unmaps on dispose (Linux)");
        }

        IRsmController c = NewController();
        nint address;
        using (RsmPageMemory gone = RsmPageMemory.Allocate(L))
        {
            address = gone.Address;
        }

        AssertOutcome(RsmError.BadAddress, () => c.CreateExportSegment(address, L).Dispose());
    }

    /// <summary>
    /// Checklist item 22 (RSMAPI section 9): create beyond the node's exported-page quota → INSUFFICIENT_MEM (32).
    /// </summary>
    [ConformanceTest]
    public void Spec022_Create_BeyondExportQuota_InsufficientMemory()
    {
        IRsmController c = NewController(1, new ConformanceNodeOptions { TotalExportSegmentSize = L });
        RsmPageMemory b1 = NewBuffer();
        RsmPageMemory b2 = NewBuffer();
        IExportSegment e1 = NewExport(c, b1.Address, L);

        AssertOutcome(RsmError.InsufficientMemory, () => c.CreateExportSegment(b2.Address, PS).Dispose());

        // Destroy returns the pages to the quota (RSMAPI 3.2, unbind).
        e1.Destroy();
        IExportSegment e2 = NewExport(c, b2.Address, L);
        Assert.AreEqual(L, e2.Length);
    }

    /// <summary>
    /// Checklist item 22 (RSMAPI section 9): create beyond the node's exported-page quota → INSUFFICIENT_MEM (32).
    /// </summary>
    [ConformanceTest]
    public void Spec022_Create_BeyondExportQuotaOverUnmappedRange_InsufficientMemory()
    {
        if (!OperatingSystem.IsLinux())
        {
            Assert.Inconclusive("an unmapped but page-aligned range can only be produced reliably where RsmPageMemory unmaps on dispose (Linux)");
        }

        IRsmController c = NewController(1, new ConformanceNodeOptions { TotalExportSegmentSize = L });
        RsmPageMemory b1 = NewBuffer();
        _ = NewExport(c, b1.Address, L);
        nint address;
        using (RsmPageMemory gone = RsmPageMemory.Allocate(L))
        {
            address = gone.Address;
        }

        // The quota is checked before the pages are locked (RSMAPI 3.2 create, KA step 9).
        AssertOutcome(RsmError.InsufficientMemory, () => c.CreateExportSegment(address, PS).Dispose());
    }

    /// <summary>
    /// Checklist item 23 (RSMAPI section 9): create when the node's resource table is full → INSUFFICIENT_RESOURCES
    /// (31).
    /// </summary>
    [ConformanceTest]
    public void Spec023_Create_SegmentTableFull_InsufficientResources()
    {
        IRsmController c = NewController(1, new ConformanceNodeOptions { MaxExportSegments = 1 });
        RsmPageMemory b1 = NewBuffer();
        RsmPageMemory b2 = NewBuffer();
        IExportSegment e1 = NewExport(c, b1.Address, L);

        AssertOutcome(RsmError.InsufficientResources, () => c.CreateExportSegment(b2.Address, L).Dispose());

        e1.Destroy();
        IExportSegment e2 = NewExport(c, b2.Address, L);
        Assert.AreEqual(L, e2.Length);
    }

    /// <summary>
    /// Checklist item 23 (RSMAPI section 9): create when the node's resource table is full → INSUFFICIENT_RESOURCES
    /// (31).
    /// </summary>
    [ConformanceTest]
    public void Spec023_Create_SegmentTableFullAndQuotaExceeded_InsufficientResources()
    {
        IRsmController c = NewController(1, new ConformanceNodeOptions { MaxExportSegments = 1, TotalExportSegmentSize = L });
        RsmPageMemory b1 = NewBuffer();
        RsmPageMemory b2 = NewBuffer();
        _ = NewExport(c, b1.Address, L);

        // The segment table is consulted before the exported-page quota (RSMAPI 3.2 create, steps 8-9).
        AssertOutcome(RsmError.InsufficientResources, () => c.CreateExportSegment(b2.Address, PS).Dispose());
    }

    /// <summary>
    /// Checklist item 24 (RSMAPI section 9): After create (not yet published) a connect to its would-be id →
    /// SEG_NOT_PUBLISHED (7).
    /// </summary>
    [ConformanceTest]
    public void Spec024_Connect_CreatedNotPublished_SegmentNotPublished()
    {
        IRsmController c = NewController();
        RsmPageMemory b = NewBuffer();
        _ = NewExport(c, b.Address, L);

        AssertOutcome(RsmError.SegmentNotPublished, () => c.Connect(c.LocalNodeId, Id, RsmPermissions.ReadWrite).Dispose());
    }

    /// <summary>
    /// Checklist item 25 (RSMAPI section 9): destroy(NULL) → 5.
    /// </summary>
    [ConformanceTest]
    public void Spec025_Destroy_DestroyedSegment_BadSegmentHandle()
    {
        IRsmController c = NewController();
        RsmPageMemory b = NewBuffer();
        IExportSegment e = NewExport(c, b.Address, L);
        e.Destroy();

        // A destroyed segment is the .NET form of a NULL segment handle (DECISIONS D7).
        AssertOutcome(RsmError.BadSegmentHandle, e.Destroy);
    }

    /// <summary>
    /// Checklist item 26 (RSMAPI section 9): With one pollfd reference: destroy → POLLFD_IN_USE (34) and the segment
    /// stays published/connectable.
    /// </summary>
    [ConformanceTest]
    public void Spec026_Destroy_PollHandleHeld_PollDescriptorInUseAndStillPublished()
    {
        DefaultFixture f = CreateDefaultFixture();
        _ = f.E.GetPollHandle();

        AssertOutcome(RsmError.PollDescriptorInUse, f.E.Destroy);

        Assert.IsTrue(f.E.IsPublished);
        Assert.AreEqual(Id, f.E.SegmentId);
        IImportSegment second = NewImport(f.C, f.C.LocalNodeId, Id, RsmPermissions.ReadWrite);
        Assert.AreEqual(L, second.Length);
        AssertOutcome(RsmError.Success, () => f.I.Get(0, new byte[8]), "the existing importer is not aborted");
    }

    /// <summary>
    /// Checklist item 27 (RSMAPI section 9): After <c>release_pollfd</c>, destroy → 0.
    /// </summary>
    [ConformanceTest]
    public void Spec027_Destroy_AfterReleasePollHandle_Succeeds()
    {
        DefaultFixture f = CreateDefaultFixture();
        _ = f.E.GetPollHandle();
        AssertOutcome(RsmError.PollDescriptorInUse, f.E.Destroy);

        f.E.ReleasePollHandle();

        AssertOutcome(RsmError.Success, f.E.Destroy);
        AssertOutcome(RsmError.BadSegmentHandle, f.E.Destroy, "second destroy");
    }

    /// <summary>
    /// Checklist item 28 (RSMAPI section 9): destroy of a published segment with a mapped importer → 0; importer's next
    /// implicit-mode get → CONN_ABORTED (40).
    /// </summary>
    [ConformanceTest]
    public void Spec028_Destroy_PublishedWithMappedImporter_ImporterGetConnectionAborted()
    {
        DefaultFixture f = CreateDefaultFixture();
        var data = new byte[16];
        f.I.Get(0, data);

        AssertOutcome(RsmError.Success, f.E.Destroy);

        AssertOutcome(RsmError.ConnectionAborted, () => f.I.Get(0, data));
    }

    /// <summary>
    /// Checklist item 28 (RSMAPI section 9): destroy of a published segment with a mapped importer → 0; importer's next
    /// implicit-mode get → CONN_ABORTED (40).
    /// </summary>
    [ConformanceTest]
    public void Spec028_Destroy_Published_IdFreeForNewConnectsAndPublishes()
    {
        DefaultFixture f = CreateDefaultFixture();

        f.E.Destroy();

        AssertOutcome(RsmError.SegmentNotPublished, () => f.C.Connect(f.C.LocalNodeId, Id, RsmPermissions.ReadWrite).Dispose());
        RsmPageMemory b2 = NewBuffer();
        IExportSegment e2 = NewExport(f.C, b2.Address, L);
        Assert.AreEqual(Id, e2.Publish(Id));
    }

    /// <summary>
    /// Checklist item 28 (RSMAPI section 9): destroy of a published segment with a mapped importer → 0; importer's next
    /// implicit-mode get → CONN_ABORTED (40).
    /// </summary>
    [ConformanceTest]
    public void Spec028_Destroy_CallerMemoryKeepsContents()
    {
        DefaultFixture f = CreateDefaultFixture();
        byte[] pattern = Pattern(64, 0x5A);
        f.I.Put(0, pattern);

        f.E.Destroy();

        CollectionAssert.AreEqual(pattern, f.B.GetSpan()[..64].ToArray());
    }

    /// <summary>
    /// Checklist item 29 (RSMAPI section 9): destroy of a never-published segment → 0.
    /// </summary>
    [ConformanceTest]
    public void Spec029_Destroy_NeverPublished_Succeeds()
    {
        IRsmController c = NewController();
        RsmPageMemory b = NewBuffer();
        IExportSegment e = NewExport(c, b.Address, L);

        AssertOutcome(RsmError.Success, e.Destroy);

        AssertOutcome(RsmError.BadSegmentHandle, () => e.Publish(Id), "publish after destroy (DECISIONS D7)");
    }

    /// <summary>
    /// Checklist item 32 (RSMAPI section 9): rebind(NULL, B2, 0, L) → 5.
    /// </summary>
    [ConformanceTest]
    public void Spec032_Rebind_DestroyedSegment_BadSegmentHandle()
    {
        IRsmController c = NewController();
        RsmPageMemory b = NewBuffer();
        RsmPageMemory b2 = NewBuffer();
        IExportSegment e = NewExport(c, b.Address, L, ExportFlags.AllowRebind);
        e.Destroy();

        AssertOutcome(RsmError.BadSegmentHandle, () => e.Rebind(b2.Address, L));
    }

    /// <summary>
    /// Checklist item 33 (RSMAPI section 9): rebind(E, NULL, 0, L) → 16.
    /// </summary>
    [ConformanceTest]
    public void Spec033_Rebind_NullAddress_BadAddress()
    {
        IRsmController c = NewController();
        RsmPageMemory b = NewBuffer();
        IExportSegment e = NewExport(c, b.Address, L, ExportFlags.AllowRebind);

        AssertOutcome(RsmError.BadAddress, () => e.Rebind(0, L));
    }

    /// <summary>
    /// Checklist item 33 (RSMAPI section 9): rebind(E, NULL, 0, L) → 16.
    /// </summary>
    [ConformanceTest]
    public void Spec033_Rebind_NullAddressWithoutAllowRebind_BadAddress()
    {
        IRsmController c = NewController();
        RsmPageMemory b = NewBuffer();
        IExportSegment e = NewExport(c, b.Address, L);

        // The library checks the address before the driver checks the flag (RSMAPI 3.2).
        AssertOutcome(RsmError.BadAddress, () => e.Rebind(0, L));
    }

    /// <summary>
    /// Checklist item 34 (RSMAPI section 9): E created without RSM_ALLOW_REBIND: rebind(E, B2, 0, L) →
    /// REBIND_NOT_ALLOWED (30).
    /// </summary>
    [ConformanceTest]
    public void Spec034_Rebind_WithoutAllowRebind_RebindNotAllowed()
    {
        IRsmController c = NewController();
        RsmPageMemory b = NewBuffer();
        RsmPageMemory b2 = NewBuffer();
        IExportSegment e = NewExport(c, b.Address, L);

        AssertOutcome(RsmError.RebindNotAllowed, () => e.Rebind(b2.Address, L));

        Assert.AreEqual(b.Address, e.Address);
    }

    /// <summary>
    /// Checklist item 35 (RSMAPI section 9): Same, but also wrong length → still 30 (flag checked first).
    /// </summary>
    [ConformanceTest]
    public void Spec035_Rebind_WithoutAllowRebindWrongLength_RebindNotAllowed()
    {
        IRsmController c = NewController();
        RsmPageMemory b = NewBuffer();
        RsmPageMemory b2 = NewBuffer();
        IExportSegment e = NewExport(c, b.Address, L);

        AssertOutcome(RsmError.RebindNotAllowed, () => e.Rebind(b2.Address, 2 * PS));
    }

    /// <summary>
    /// Checklist item 37 (RSMAPI section 9): RSM_ALLOW_REBIND set, length ≠ L → BAD_LENGTH (20).
    /// </summary>
    [ConformanceTest]
    public void Spec037_Rebind_LengthDiffers_BadLength()
    {
        IRsmController c = NewController();
        RsmPageMemory b = NewBuffer();
        RsmPageMemory b2 = NewBuffer();
        IExportSegment e = NewExport(c, b.Address, L, ExportFlags.AllowRebind);

        AssertOutcome(RsmError.BadLength, () => e.Rebind(b2.Address, 2 * PS));
        AssertOutcome(RsmError.BadLength, () => e.Rebind(b2.Address, L + PS), "longer");

        // The length is checked before the address is locked, so a misaligned address does not change the outcome.
        AssertOutcome(RsmError.BadLength, () => e.Rebind(b2.Address + 1, 2 * PS), "misaligned and wrong length");

        Assert.AreEqual(b.Address, e.Address);
    }

    /// <summary>
    /// Checklist item 38 (RSMAPI section 9): RSM_ALLOW_REBIND set, misaligned B2 → BAD_ADDR (16) (not 17).
    /// </summary>
    [ConformanceTest]
    public void Spec038_Rebind_MisalignedAddress_BadAddress()
    {
        IRsmController c = NewController();
        RsmPageMemory b = NewBuffer();
        RsmPageMemory b2 = NewBuffer(5);
        IExportSegment e = NewExport(c, b.Address, L, ExportFlags.AllowRebind);

        // Rebind has no library alignment check; the page lock reports BAD_ADDR, not BAD_MEM_ALIGNMENT (RSMAPI A15).
        AssertOutcome(RsmError.BadAddress, () => e.Rebind(b2.Address + 1, L));

        Assert.AreEqual(b.Address, e.Address);
    }

    /// <summary>
    /// Checklist item 39 (RSMAPI section 9): rebind to the current vaddr → 0, no change.
    /// </summary>
    [ConformanceTest]
    public void Spec039_Rebind_CurrentAddress_SucceedsUnchanged()
    {
        DefaultFixture f = CreateDefaultFixture(ExportFlags.AllowRebind);
        byte[] pattern = Pattern(32, 0x11);
        pattern.CopyTo(f.B.GetSpan());

        // The length is checked before the same-address shortcut.
        AssertOutcome(RsmError.BadLength, () => f.E.Rebind(f.B.Address, 2 * PS), "current address, wrong length");

        AssertOutcome(RsmError.Success, () => f.E.Rebind(f.B.Address, L));

        Assert.AreEqual(f.B.Address, f.E.Address);
        Assert.IsTrue(f.E.IsPublished);
        var read = new byte[32];
        f.I.Get(0, read);
        CollectionAssert.AreEqual(pattern, read);
    }

    /// <summary>
    /// Checklist item 40 (RSMAPI section 9): <c>off</c> = 12345 → ignored, 0.
    /// </summary>
    [ConformanceTest]
    public void Spec040_Rebind_NonZeroOffset_Ignored()
    {
        IRsmController c = NewController();
        RsmPageMemory b = NewBuffer();
        RsmPageMemory b2 = NewBuffer();
        IExportSegment e = NewExport(c, b.Address, L, ExportFlags.AllowRebind);

        AssertOutcome(RsmError.Success, () => e.Rebind(b2.Address, L, 12345));

        Assert.AreEqual(b2.Address, e.Address);
        Assert.AreEqual(L, e.Length);
    }

    /// <summary>
    /// Checklist item 41 (RSMAPI section 9): rebind while published and connected: returns 0; importer's next get
    /// returns 0 (no abort).
    /// </summary>
    [ConformanceTest]
    public void Spec041_Rebind_PublishedAndConnected_ImporterNotAborted()
    {
        // The new memory is allocated first so that it outlives the segment, which is destroyed at cleanup while bound to it.
        RsmPageMemory b2 = NewBuffer();
        DefaultFixture f = CreateDefaultFixture(ExportFlags.AllowRebind);
        byte[] pattern = Pattern(64, 0x21);
        pattern.CopyTo(b2.GetSpan());
        var before = new byte[64];
        f.I.Get(0, before);

        AssertOutcome(RsmError.Success, () => f.E.Rebind(b2.Address, L));

        Assert.IsTrue(f.E.IsPublished);
        Assert.AreEqual(b2.Address, f.E.Address);
        var after = new byte[64];
        AssertOutcome(RsmError.Success, () => f.I.Get(0, after), "implicit-mode get after rebind");
        AssertOutcome(RsmError.Success, f.Bar.Close, "the barrier sees no abort");
    }

    /// <summary>
    /// Checklist item 41 (RSMAPI section 9): rebind while published and connected: returns 0; importer's next get
    /// returns 0 (no abort).
    /// </summary>
    [ConformanceTest]
    public void Spec041_Rebind_PublishedAndConnected_ImporterSeesNewMemory()
    {
        // The new memory is allocated first so that it outlives the segment, which is destroyed at cleanup while bound to it.
        RsmPageMemory b2 = NewBuffer();
        DefaultFixture f = CreateDefaultFixture(ExportFlags.AllowRebind);
        if ((f.C.GetAttributes().Capabilities & RsmCapabilities.TransparentRebind) == 0)
        {
            Assert.Inconclusive($"{Harness.ProviderName} does not report TransparentRebind on this platform (DECISIONS D4)");
        }

        byte[] pattern = Pattern(64, 0x31);
        pattern.CopyTo(b2.GetSpan());
        f.I.Get(0, new byte[8]);

        f.E.Rebind(b2.Address, L);

        // DECISIONS D4: importers, mapped ones included, observe the new backing memory.
        var read = new byte[64];
        f.I.Get(0, read);
        CollectionAssert.AreEqual(pattern, read);
        byte[] written = Pattern(16, 0x41);
        f.I.Put((long)PS, written);
        CollectionAssert.AreEqual(written, b2.GetSpan().Slice((int)PS, 16).ToArray());
    }

    /// <summary>
    /// Checklist item 41 (RSMAPI section 9): rebind while published and connected: returns 0; importer's next get
    /// returns 0 (no abort).
    /// </summary>
    [ConformanceTest]
    public void Spec041_Rebind_ExplicitlyMappedImporter_MappingSeesNewMemory()
    {
        Require(ConformanceCapabilities.Mapping, "the importer maps the segment explicitly before the rebind");

        // The new memory is allocated first so that it outlives the segment, which is destroyed at cleanup while bound to it.
        RsmPageMemory b2 = NewBuffer();
        DefaultFixture f = CreateDefaultFixture(ExportFlags.AllowRebind);
        if ((f.C.GetAttributes().Capabilities & RsmCapabilities.TransparentRebind) == 0)
        {
            Assert.Inconclusive($"{Harness.ProviderName} does not report TransparentRebind on this platform (DECISIONS D4)");
        }

        IRsmMapping mapping = f.I.Map(RsmPermissions.ReadWrite, 0, L);
        byte[] pattern = Pattern(64, 0x51);
        pattern.CopyTo(b2.GetSpan()[(int)PS..]);

        AssertOutcome(RsmError.Success, () => f.E.Rebind(b2.Address, L));

        // DECISIONS D4: existing mappings observe the segment's new backing memory, in both directions.
        SyncMapping(f.Bar);
        CollectionAssert.AreEqual(pattern, mapping.GetSpan().Slice((int)PS, 64).ToArray());
        mapping.GetSpan()[(int)(2 * PS) + 5] = 0x6E;
        SyncMapping(f.Bar);
        Assert.AreEqual(0x6E, b2.GetSpan()[(int)(2 * PS) + 5]);
        Assert.AreEqual(0, f.B.GetSpan()[(int)(2 * PS) + 5], "a store through the mapping reached the old memory");
        var read = new byte[64];
        AssertOutcome(RsmError.Success, () => f.I.Get((long)PS, read), "get through the explicit mapping");
        CollectionAssert.AreEqual(pattern, read);
    }

    private static byte[] Pattern(int length, byte seed)
    {
        var bytes = new byte[length];
        for (int i = 0; i < length; i++)
        {
            bytes[i] = (byte)(seed + (i * 7));
        }

        return bytes;
    }
}
