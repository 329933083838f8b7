namespace Rsm.Conformance;

/// <summary>Conformance area Map: map and unmap (RSMAPI 3.6, items 118-130, with DECISIONS D3 and F7).
/// Every test needs <see cref="ConformanceCapabilities.Mapping"/>.</summary>
public abstract class MapConformanceTests : ConformanceTestBase
{
    /// <summary>
    /// Checklist item 118 (RSMAPI section 9): map(NULL, &amp;a, 0, 0600, 0, PS) → 5; map(I, NULL, …) → 16.
    /// </summary>
    [ConformanceTest]
    public void Spec118_Map_DisconnectedImport_BadSegmentHandle()
    {
        RequireMapping();
        DefaultFixture f = CreateDefaultFixture();
        IImportSegment gone = NewImport(f.C, f.C.LocalNodeId, Id, RsmPermissions.ReadWrite);
        gone.Disconnect();

        AssertOutcome(RsmError.BadSegmentHandle, () => gone.Map(RsmPermissions.ReadWrite, 0, PS));
    }

    /// <summary>
    /// Checklist item 119 (RSMAPI section 9): Second map → SEG_ALREADY_MAPPED (9); map after a get (implicit map) → 9.
    /// </summary>
    [ConformanceTest]
    public void Spec119_SecondMap_SegmentAlreadyMapped()
    {
        RequireMapping();
        DefaultFixture f = CreateDefaultFixture();
        AssertOutcome(RsmError.Success, () => f.I.Map(RsmPermissions.ReadWrite, 0, PS));

        AssertOutcome(RsmError.SegmentAlreadyMapped, () => f.I.Map(RsmPermissions.ReadWrite, 0, PS));
        AssertOutcome(RsmError.SegmentAlreadyMapped, () => f.I.Map(RsmPermissions.Read, (long)PS, PS));
    }

    /// <summary>
    /// Checklist item 119 (RSMAPI section 9): Second map → SEG_ALREADY_MAPPED (9); map after a get (implicit map) → 9.
    /// </summary>
    [ConformanceTest]
    public void Spec119_MapAfterImplicitMapping_SegmentAlreadyMapped()
    {
        RequireMapping();
        DefaultFixture f = CreateDefaultFixture();
        AssertOutcome(RsmError.Success, () => f.I.Get(0, new byte[4]));

        AssertOutcome(RsmError.SegmentAlreadyMapped, () => f.I.Map(RsmPermissions.ReadWrite, 0, PS));
        Assert.IsNull(f.I.Mapping, "an implicit mapping is not an explicit one");
    }

    /// <summary>
    /// Checklist item 121 (RSMAPI section 9): perm 0700 → BAD_PERMS (26); perm 0 → 0 (inaccessible mapping).
    /// </summary>
    [ConformanceTest]
    public void Spec121_PermissionAbove0600_BadPermissions()
    {
        RequireMapping();
        DefaultFixture f = CreateDefaultFixture();

        AssertOutcome(RsmError.BadPermissions, () => f.I.Map((RsmPermissions)0x1C0, 0, PS));
        AssertOutcome(RsmError.BadPermissions, () => f.I.Map((RsmPermissions)0x181, 0, PS));
        Assert.IsNull(f.I.Mapping);
    }

    /// <summary>
    /// Checklist item 121 (RSMAPI section 9): perm 0700 → BAD_PERMS (26); perm 0 → 0 (inaccessible mapping).
    /// </summary>
    [ConformanceTest]
    public void Spec121_PermissionNone_InaccessibleMappingSucceeds()
    {
        RequireMapping();
        DefaultFixture f = CreateDefaultFixture();
        IRsmMapping? mapping = null;

        AssertOutcome(RsmError.Success, () => mapping = f.I.Map(RsmPermissions.None, 0, PS));

        Assert.IsNotNull(mapping);
        Assert.AreEqual(RsmPermissions.None, mapping.Permission);
        Assert.AreSame(mapping, f.I.Mapping);
    }

    /// <summary>
    /// Checklist item 122 (RSMAPI section 9): length 0 → BAD_LENGTH (20).
    /// </summary>
    [ConformanceTest]
    public void Spec122_ZeroLength_BadLength()
    {
        RequireMapping();
        DefaultFixture f = CreateDefaultFixture();

        AssertOutcome(RsmError.BadLength, () => f.I.Map(RsmPermissions.ReadWrite, 0, 0));
    }

    /// <summary>
    /// Checklist item 123 (RSMAPI section 9): offset PS, length L → BAD_LENGTH (20) (range error is 20, not 18).
    /// </summary>
    [ConformanceTest]
    public void Spec123_WindowPastEnd_BadLengthNotBadOffset()
    {
        RequireMapping();
        DefaultFixture f = CreateDefaultFixture();

        AssertOutcome(RsmError.BadLength, () => f.I.Map(RsmPermissions.ReadWrite, (long)PS, L));
        AssertOutcome(RsmError.BadLength, () => f.I.Map(RsmPermissions.ReadWrite, 0, L + 1));
        AssertOutcome(RsmError.BadLength, () => f.I.Map(RsmPermissions.ReadWrite, (long)L, PS));
    }

    /// <summary>
    /// Checklist item 124 (RSMAPI section 9): offset 1, length 1 → BAD_MEM_ALIGNMENT (17) (after the length checks).
    /// </summary>
    [ConformanceTest]
    public void Spec124_MisalignedOffset_BadMemoryAlignment()
    {
        RequireMapping();
        DefaultFixture f = CreateDefaultFixture();

        AssertOutcome(RsmError.BadMemoryAlignment, () => f.I.Map(RsmPermissions.ReadWrite, 1, 1));
        AssertOutcome(RsmError.BadMemoryAlignment, () => f.I.Map(RsmPermissions.ReadWrite, (long)(PS / 2), PS));
    }

    /// <summary>
    /// Checklist item 124 (RSMAPI section 9): offset 1, length 1 → BAD_MEM_ALIGNMENT (17) (after the length checks).
    /// </summary>
    [ConformanceTest]
    public void Spec124_MisalignedOffsetAndPastEnd_BadLengthFirst()
    {
        RequireMapping();
        DefaultFixture f = CreateDefaultFixture();

        AssertOutcome(RsmError.BadLength, () => f.I.Map(RsmPermissions.ReadWrite, 1, L));
        AssertOutcome(RsmError.BadLength, () => f.I.Map(RsmPermissions.ReadWrite, 1, 0));
    }

    /// <summary>
    /// Checklist item 124 (RSMAPI section 9): offset 1, length 1 → BAD_MEM_ALIGNMENT (17) (after the length checks).
    /// </summary>
    [ConformanceTest]
    public void Spec124_MapAfterRefusedMap_Succeeds()
    {
        RequireMapping();
        DefaultFixture f = CreateDefaultFixture();
        AssertOutcome(RsmError.BadMemoryAlignment, () => f.I.Map(RsmPermissions.ReadWrite, 1, 1));

        AssertOutcome(RsmError.Success, () => f.I.Map(RsmPermissions.ReadWrite, 0, PS));
        AssertOutcome(RsmError.Success, f.I.Unmap);
    }

    /// <summary>
    /// Checklist item 125 (RSMAPI section 9): RSM_MAP_FIXED with <c>*address</c> = aligned free address → 0 and the
    /// returned address equals it; misaligned <c>*address</c> → 17.
    /// </summary>
    [ConformanceTest]
    public void Spec125_FixedAlignedFreeAddress_MappedThere()
    {
        RequireMapping();
        DefaultFixture f = CreateDefaultFixture();
        nint hole = FreeAddressRange(L);
        f.B.GetSpan()[10] = 0x4D;
        IRsmMapping? mapping = null;

        AssertOutcome(RsmError.Success, () => mapping = f.I.Map(RsmPermissions.ReadWrite, 0, L, RsmMapAttributes.Fixed, hole));

        Assert.IsNotNull(mapping);
        Assert.AreEqual(hole, mapping.Address);
        Assert.AreEqual(0x4D, mapping.GetSpan()[10]);
    }

    /// <summary>
    /// Checklist item 125 (RSMAPI section 9): RSM_MAP_FIXED with <c>*address</c> = aligned free address → 0 and the
    /// returned address equals it; misaligned <c>*address</c> → 17.
    /// </summary>
    [ConformanceTest]
    public void Spec125_FixedMisalignedAddress_BadMemoryAlignment()
    {
        RequireMapping();
        DefaultFixture f = CreateDefaultFixture();
        nint hole = FreeAddressRange(L);

        AssertOutcome(RsmError.BadMemoryAlignment, () => f.I.Map(RsmPermissions.ReadWrite, 0, PS, RsmMapAttributes.Fixed, hole + 1));
        AssertOutcome(RsmError.BadMemoryAlignment, () => f.I.Map(RsmPermissions.ReadWrite, 0, PS, RsmMapAttributes.Fixed, hole + (nint)(PS / 2)));
        Assert.IsNull(f.I.Mapping);
    }

    /// <summary>
    /// Checklist item 126 (RSMAPI section 9): READ-only importer: map with RSM_PERM_RDWR → 26; with RSM_PERM_READ → 0.
    /// </summary>
    [ConformanceTest]
    public void Spec126_ReadImporter_MapReadWriteBadPermissionsMapReadSucceeds()
    {
        RequireMapping();
        DefaultFixture f = CreateDefaultFixture();
        IImportSegment reader = NewImport(f.C, f.C.LocalNodeId, Id, RsmPermissions.Read);
        f.B.GetSpan()[3] = 0x1F;

        AssertOutcome(RsmError.BadPermissions, () => reader.Map(RsmPermissions.ReadWrite, 0, L));
        AssertOutcome(RsmError.BadPermissions, () => reader.Map(RsmPermissions.Write, 0, L));
        IRsmMapping? mapping = null;
        AssertOutcome(RsmError.Success, () => mapping = reader.Map(RsmPermissions.Read, 0, L));

        Assert.IsNotNull(mapping);
        Assert.AreEqual(RsmPermissions.Read, mapping.Permission);
        Assert.AreEqual(0x1F, mapping.GetSpan()[3]);
    }

    /// <summary>
    /// Checklist item 126 (RSMAPI section 9): READ-only importer: map with RSM_PERM_RDWR → 26; with RSM_PERM_READ → 0.
    /// </summary>
    [ConformanceTest]
    public void Spec126_WriteImporter_MapReadBadPermissions()
    {
        RequireMapping();
        DefaultFixture f = CreateDefaultFixture();
        IImportSegment writer = NewImport(f.C, f.C.LocalNodeId, Id, RsmPermissions.Write);

        AssertOutcome(RsmError.BadPermissions, () => writer.Map(RsmPermissions.Read, 0, L));
        AssertOutcome(RsmError.Success, () => writer.Map(RsmPermissions.Write, 0, L));
    }

    /// <summary>
    /// Checklist item 127 (RSMAPI section 9): Exporter unpublished, importer unmapped: map → CONN_ABORTED (40).
    /// </summary>
    [ConformanceTest]
    public void Spec127_UnpublishedUnmappedImporter_MapConnectionAborted()
    {
        RequireMapping();
        DefaultFixture f = CreateDefaultFixture();
        f.E.Unpublish();

        AssertOutcome(RsmError.ConnectionAborted, () => f.I.Map(RsmPermissions.ReadWrite, 0, L));
        AssertOutcome(RsmError.ConnectionAborted, () => f.I.Map(RsmPermissions.Read, 0, PS));
    }

    /// <summary>
    /// Checklist item 127 (RSMAPI section 9): Exporter unpublished, importer unmapped: map → CONN_ABORTED (40).
    /// </summary>
    [ConformanceTest]
    public void Spec127_DestroyedExporterUnmappedImporter_MapConnectionAborted()
    {
        RequireMapping();
        DefaultFixture f = CreateDefaultFixture();
        f.E.Destroy();

        AssertOutcome(RsmError.ConnectionAborted, () => f.I.Map(RsmPermissions.ReadWrite, 0, L));
    }

    /// <summary>
    /// Checklist item 128 (RSMAPI section 9): Through the mapping, exporter writes are visible to the importer and vice
    /// versa.
    /// </summary>
    [ConformanceTest]
    public void Spec128_ThroughMapping_ExporterWritesVisibleToImporterAndBack()
    {
        RequireMapping();
        DefaultFixture f = CreateDefaultFixture();
        IRsmMapping mapping = f.I.Map(RsmPermissions.ReadWrite, 0, L);

        f.B.GetSpan()[(int)PS + 1] = 0xB1;
        SyncMapping(f.Bar);
        Assert.AreEqual(0xB1, mapping.GetSpan()[(int)PS + 1]);

        mapping.GetSpan()[(int)(3 * PS) + 2] = 0xC2;
        SyncMapping(f.Bar);
        Assert.AreEqual(0xC2, f.B.GetSpan()[(int)(3 * PS) + 2]);
    }

    /// <summary>
    /// Checklist item 128 (RSMAPI section 9): Through the mapping, exporter writes are visible to the importer and vice
    /// versa.
    /// </summary>
    [ConformanceTest]
    public void Spec128_WindowMapping_StartsAtOffset()
    {
        RequireMapping();
        DefaultFixture f = CreateDefaultFixture();
        IRsmMapping mapping = f.I.Map(RsmPermissions.ReadWrite, (long)(2 * PS), PS + 100);

        Assert.AreEqual((long)(2 * PS), mapping.Offset);
        Assert.AreEqual(PS + 100, mapping.Length);
        f.B.GetSpan()[(int)(2 * PS)] = 0xD3;
        SyncMapping(f.Bar);
        Assert.AreEqual(0xD3, mapping.GetSpan()[0]);
        mapping.GetSpan()[(int)PS + 99] = 0xE4;
        SyncMapping(f.Bar);
        Assert.AreEqual(0xE4, f.B.GetSpan()[(int)(3 * PS) + 99]);
    }

    /// <summary>
    /// Checklist item 129 (RSMAPI section 9): unmap(NULL) → 5; unmap unmapped → SEG_NOT_MAPPED (11); unmap twice → 0
    /// then 11.
    /// </summary>
    [ConformanceTest]
    public void Spec129_Unmap_DisconnectedImport_BadSegmentHandle()
    {
        RequireMapping();
        DefaultFixture f = CreateDefaultFixture();
        IImportSegment gone = NewImport(f.C, f.C.LocalNodeId, Id, RsmPermissions.ReadWrite);
        gone.Disconnect();

        AssertOutcome(RsmError.BadSegmentHandle, gone.Unmap);
    }

    /// <summary>
    /// Checklist item 129 (RSMAPI section 9): unmap(NULL) → 5; unmap unmapped → SEG_NOT_MAPPED (11); unmap twice → 0
    /// then 11.
    /// </summary>
    [ConformanceTest]
    public void Spec129_Unmap_Unmapped_SegmentNotMapped()
    {
        RequireMapping();
        DefaultFixture f = CreateDefaultFixture();

        AssertOutcome(RsmError.SegmentNotMapped, f.I.Unmap);
    }

    /// <summary>
    /// Checklist item 129 (RSMAPI section 9): unmap(NULL) → 5; unmap unmapped → SEG_NOT_MAPPED (11); unmap twice → 0
    /// then 11.
    /// </summary>
    [ConformanceTest]
    public void Spec129_UnmapTwice_SuccessThenSegmentNotMapped()
    {
        RequireMapping();
        DefaultFixture f = CreateDefaultFixture();
        _ = f.I.Map(RsmPermissions.ReadWrite, 0, L);

        AssertOutcome(RsmError.Success, f.I.Unmap);
        AssertOutcome(RsmError.SegmentNotMapped, f.I.Unmap);
        Assert.IsNull(f.I.Mapping);
    }

    /// <summary>
    /// Checklist item 129 (RSMAPI section 9): unmap(NULL) → 5; unmap unmapped → SEG_NOT_MAPPED (11); unmap twice → 0
    /// then 11.
    /// </summary>
    [ConformanceTest]
    public void Spec129_UnmapImplicitMapping_SuccessThenMapAllowed()
    {
        RequireMapping();
        DefaultFixture f = CreateDefaultFixture();
        AssertOutcome(RsmError.Success, () => f.I.Get(0, new byte[1]));

        AssertOutcome(RsmError.Success, f.I.Unmap);
        AssertOutcome(RsmError.SegmentNotMapped, f.I.Unmap);
        AssertOutcome(RsmError.Success, () => f.I.Map(RsmPermissions.ReadWrite, 0, PS));
    }

    /// <summary>
    /// Checklist item 130 (RSMAPI section 9): unmap succeeds while a pollfd reference is held.
    /// </summary>
    [ConformanceTest]
    public void Spec130_UnmapWithPollHandleHeld_Success()
    {
        RequireMapping();
        DefaultFixture f = CreateDefaultFixture();
        _ = f.I.GetPollHandle();
        _ = f.I.Map(RsmPermissions.ReadWrite, 0, L);

        AssertOutcome(RsmError.Success, f.I.Unmap);
        AssertOutcome(RsmError.PollDescriptorInUse, f.I.Disconnect);
        f.I.ReleasePollHandle();
    }

    /// <summary>
    /// Check 250, beyond the checklist: A put in every form (put, put8-put64, putv) through a mapping made with Read
    /// only gives PermissionDenied (27) and changes nothing; gets still work (DECISIONS D10).
    /// </summary>
    [ConformanceTest]
    public void Spec250_PutThroughReadOnlyMapping_PermissionDeniedAndNothingChanges()
    {
        RequireMapping();
        DefaultFixture f = CreateDefaultFixture();
        f.B.GetSpan().Fill(0x5A);
        _ = f.I.Map(RsmPermissions.Read, 0, L);
        using RsmPageMemory local = RsmPageMemory.Allocate(PS);
        local.GetSpan().Fill(0xC3);
        var request = new RsmScatterGather();
        request.Vectors.Add(RsmIoVector.FromAddress(local.Address, 0, 64));

        // DECISIONS D10: the access is compared with the mapping's protection, never a fault, in every form of put.
        AssertOutcome(RsmError.PermissionDenied, () => f.I.Put(0, local.GetSpan()[..64]), "put");
        AssertOutcome(RsmError.PermissionDenied, () => f.I.Put8(8, local.GetSpan()[..8]), "put8");
        AssertOutcome(RsmError.PermissionDenied, () => f.I.Put16(16, [1, 2]), "put16");
        AssertOutcome(RsmError.PermissionDenied, () => f.I.Put32(32, [1, 2]), "put32");
        AssertOutcome(RsmError.PermissionDenied, () => f.I.Put64(64, [1, 2]), "put64");
        AssertOutcome(RsmError.PermissionDenied, () => f.I.PutV(request), "putv");

        // Reading through the mapping still works; the exporter's memory is untouched.
        byte[] back = new byte[64];
        AssertOutcome(RsmError.Success, () => f.I.Get(0, back));
        CollectionAssert.AreEqual(Enumerable.Repeat((byte)0x5A, 64).ToArray(), back);
        Assert.IsTrue(f.B.GetSpan().IndexOfAnyExcept((byte)0x5A) < 0, "a denied put changed the exporter's memory");
    }

    /// <summary>
    /// Check 251, beyond the checklist: A get in every form (get, get8-get64, getv) through a mapping made with Write
    /// only gives PermissionDenied (27) and reads nothing; puts still work (DECISIONS D10).
    /// </summary>
    [ConformanceTest]
    public void Spec251_GetThroughWriteOnlyMapping_PermissionDeniedAndNothingRead()
    {
        RequireMapping();
        DefaultFixture f = CreateDefaultFixture();
        f.B.GetSpan().Fill(0x5A);
        _ = f.I.Map(RsmPermissions.Write, 0, L);
        using RsmPageMemory local = RsmPageMemory.Allocate(PS);
        var request = new RsmScatterGather();
        request.Vectors.Add(RsmIoVector.FromAddress(local.Address, 0, 64));
        byte[] bytes = new byte[64];
        ushort[] halves = new ushort[2];
        uint[] words = new uint[2];
        ulong[] doubles = new ulong[2];

        AssertOutcome(RsmError.PermissionDenied, () => f.I.Get(0, bytes), "get");
        AssertOutcome(RsmError.PermissionDenied, () => f.I.Get8(8, bytes.AsSpan(0, 8)), "get8");
        AssertOutcome(RsmError.PermissionDenied, () => f.I.Get16(16, halves), "get16");
        AssertOutcome(RsmError.PermissionDenied, () => f.I.Get32(32, words), "get32");
        AssertOutcome(RsmError.PermissionDenied, () => f.I.Get64(64, doubles), "get64");
        AssertOutcome(RsmError.PermissionDenied, () => f.I.GetV(request), "getv");
        Assert.IsTrue(bytes.AsSpan().IndexOfAnyExcept((byte)0) < 0 && halves.All(h => h == 0) && words.All(w => w == 0) && doubles.All(d => d == 0), "a denied get wrote into the destination");
        Assert.IsTrue(local.GetSpan()[..64].IndexOfAnyExcept((byte)0) < 0, "a denied getv wrote into the local memory");

        // Writing through the mapping still works.
        AssertOutcome(RsmError.Success, () => f.I.Put(0, new byte[] { 1, 2, 3, 4 }));
        SyncMapping(f.Bar);
        CollectionAssert.AreEqual(new byte[] { 1, 2, 3, 4 }, f.B.GetSpan()[..4].ToArray());
    }

    /// <summary>
    /// Check 252, beyond the checklist: A lock operation through a mapping made with Read only gives PermissionDenied
    /// (27) and leaves the word unchanged (DECISIONS D10).
    /// </summary>
    [ConformanceTest]
    public void Spec252_LockOperationThroughReadOnlyMapping_PermissionDenied()
    {
        RequireMapping();
        Require(ConformanceCapabilities.LockOperations, "lock operations run atomically");
        DefaultFixture f = CreateDefaultFixture(ExportFlags.LockOperations);
        _ = f.I.Map(RsmPermissions.Read, 0, L);

        AssertOutcome(RsmError.PermissionDenied, () => f.I.FetchAdd64(0, 1), "fetch-add");
        AssertOutcome(RsmError.PermissionDenied, () => f.I.CompareExchange32(8, 1, 0), "compare-and-swap");
        AssertOutcome(RsmError.PermissionDenied, () => f.I.Exchange64(16, 1), "swap");
        Assert.IsTrue(f.B.GetSpan()[..24].IndexOfAnyExcept((byte)0) < 0, "a denied lock operation changed the word");
    }

    private void RequireMapping() => Require(ConformanceCapabilities.Mapping, "map and unmap need import mappings");

    /// <summary>A page-aligned address range that was mapped and then released, so nothing occupies it.</summary>
    private static nint FreeAddressRange(nuint length)
    {
        RsmPageMemory probe = RsmPageMemory.Allocate(length);
        nint address = probe.Address;
        probe.Dispose();
        return address;
    }
}
