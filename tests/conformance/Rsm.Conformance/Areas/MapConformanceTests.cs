namespace Rsm.Conformance;

/// <summary>Conformance area Map: map and unmap (RSMAPI 3.6, items 118-130, with DECISIONS D3 and F7).
/// Every test needs <see cref="ConformanceCapabilities.Mapping"/>.</summary>
public abstract class MapConformanceTests : ConformanceTestBase
{
    [TestMethod]
    public void Spec118_Map_DisconnectedImport_BadSegmentHandle()
    {
        RequireMapping();
        DefaultFixture f = CreateDefaultFixture();
        IImportSegment gone = NewImport(f.C, f.C.LocalNodeId, Id, RsmPermissions.ReadWrite);
        gone.Disconnect();

        AssertOutcome(RsmError.BadSegmentHandle, () => gone.Map(RsmPermissions.ReadWrite, 0, PS));
    }

    [TestMethod]
    public void Spec119_SecondMap_SegmentAlreadyMapped()
    {
        RequireMapping();
        DefaultFixture f = CreateDefaultFixture();
        AssertOutcome(RsmError.Success, () => f.I.Map(RsmPermissions.ReadWrite, 0, PS));

        AssertOutcome(RsmError.SegmentAlreadyMapped, () => f.I.Map(RsmPermissions.ReadWrite, 0, PS));
        AssertOutcome(RsmError.SegmentAlreadyMapped, () => f.I.Map(RsmPermissions.Read, (long)PS, PS));
    }

    [TestMethod]
    public void Spec119_MapAfterImplicitMapping_SegmentAlreadyMapped()
    {
        RequireMapping();
        DefaultFixture f = CreateDefaultFixture();
        AssertOutcome(RsmError.Success, () => f.I.Get(0, new byte[4]));

        AssertOutcome(RsmError.SegmentAlreadyMapped, () => f.I.Map(RsmPermissions.ReadWrite, 0, PS));
        Assert.IsNull(f.I.Mapping, "an implicit mapping is not an explicit one");
    }

    [TestMethod]
    public void Spec121_PermissionAbove0600_BadPermissions()
    {
        RequireMapping();
        DefaultFixture f = CreateDefaultFixture();

        AssertOutcome(RsmError.BadPermissions, () => f.I.Map((RsmPermissions)0x1C0, 0, PS));
        AssertOutcome(RsmError.BadPermissions, () => f.I.Map((RsmPermissions)0x181, 0, PS));
        Assert.IsNull(f.I.Mapping);
    }

    [TestMethod]
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

    [TestMethod]
    public void Spec122_ZeroLength_BadLength()
    {
        RequireMapping();
        DefaultFixture f = CreateDefaultFixture();

        AssertOutcome(RsmError.BadLength, () => f.I.Map(RsmPermissions.ReadWrite, 0, 0));
    }

    [TestMethod]
    public void Spec123_WindowPastEnd_BadLengthNotBadOffset()
    {
        RequireMapping();
        DefaultFixture f = CreateDefaultFixture();

        AssertOutcome(RsmError.BadLength, () => f.I.Map(RsmPermissions.ReadWrite, (long)PS, L));
        AssertOutcome(RsmError.BadLength, () => f.I.Map(RsmPermissions.ReadWrite, 0, L + 1));
        AssertOutcome(RsmError.BadLength, () => f.I.Map(RsmPermissions.ReadWrite, (long)L, PS));
    }

    [TestMethod]
    public void Spec124_MisalignedOffset_BadMemoryAlignment()
    {
        RequireMapping();
        DefaultFixture f = CreateDefaultFixture();

        AssertOutcome(RsmError.BadMemoryAlignment, () => f.I.Map(RsmPermissions.ReadWrite, 1, 1));
        AssertOutcome(RsmError.BadMemoryAlignment, () => f.I.Map(RsmPermissions.ReadWrite, (long)(PS / 2), PS));
    }

    [TestMethod]
    public void Spec124_MisalignedOffsetAndPastEnd_BadLengthFirst()
    {
        RequireMapping();
        DefaultFixture f = CreateDefaultFixture();

        AssertOutcome(RsmError.BadLength, () => f.I.Map(RsmPermissions.ReadWrite, 1, L));
        AssertOutcome(RsmError.BadLength, () => f.I.Map(RsmPermissions.ReadWrite, 1, 0));
    }

    [TestMethod]
    public void Spec124_MapAfterRefusedMap_Succeeds()
    {
        RequireMapping();
        DefaultFixture f = CreateDefaultFixture();
        AssertOutcome(RsmError.BadMemoryAlignment, () => f.I.Map(RsmPermissions.ReadWrite, 1, 1));

        AssertOutcome(RsmError.Success, () => f.I.Map(RsmPermissions.ReadWrite, 0, PS));
        AssertOutcome(RsmError.Success, f.I.Unmap);
    }

    [TestMethod]
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

    [TestMethod]
    public void Spec125_FixedMisalignedAddress_BadMemoryAlignment()
    {
        RequireMapping();
        DefaultFixture f = CreateDefaultFixture();
        nint hole = FreeAddressRange(L);

        AssertOutcome(RsmError.BadMemoryAlignment, () => f.I.Map(RsmPermissions.ReadWrite, 0, PS, RsmMapAttributes.Fixed, hole + 1));
        AssertOutcome(RsmError.BadMemoryAlignment, () => f.I.Map(RsmPermissions.ReadWrite, 0, PS, RsmMapAttributes.Fixed, hole + (nint)(PS / 2)));
        Assert.IsNull(f.I.Mapping);
    }

    [TestMethod]
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

    [TestMethod]
    public void Spec126_WriteImporter_MapReadBadPermissions()
    {
        RequireMapping();
        DefaultFixture f = CreateDefaultFixture();
        IImportSegment writer = NewImport(f.C, f.C.LocalNodeId, Id, RsmPermissions.Write);

        AssertOutcome(RsmError.BadPermissions, () => writer.Map(RsmPermissions.Read, 0, L));
        AssertOutcome(RsmError.Success, () => writer.Map(RsmPermissions.Write, 0, L));
    }

    [TestMethod]
    public void Spec127_UnpublishedUnmappedImporter_MapConnectionAborted()
    {
        RequireMapping();
        DefaultFixture f = CreateDefaultFixture();
        f.E.Unpublish();

        AssertOutcome(RsmError.ConnectionAborted, () => f.I.Map(RsmPermissions.ReadWrite, 0, L));
        AssertOutcome(RsmError.ConnectionAborted, () => f.I.Map(RsmPermissions.Read, 0, PS));
    }

    [TestMethod]
    public void Spec127_DestroyedExporterUnmappedImporter_MapConnectionAborted()
    {
        RequireMapping();
        DefaultFixture f = CreateDefaultFixture();
        f.E.Destroy();

        AssertOutcome(RsmError.ConnectionAborted, () => f.I.Map(RsmPermissions.ReadWrite, 0, L));
    }

    [TestMethod]
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

    [TestMethod]
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

    [TestMethod]
    public void Spec129_Unmap_DisconnectedImport_BadSegmentHandle()
    {
        RequireMapping();
        DefaultFixture f = CreateDefaultFixture();
        IImportSegment gone = NewImport(f.C, f.C.LocalNodeId, Id, RsmPermissions.ReadWrite);
        gone.Disconnect();

        AssertOutcome(RsmError.BadSegmentHandle, gone.Unmap);
    }

    [TestMethod]
    public void Spec129_Unmap_Unmapped_SegmentNotMapped()
    {
        RequireMapping();
        DefaultFixture f = CreateDefaultFixture();

        AssertOutcome(RsmError.SegmentNotMapped, f.I.Unmap);
    }

    [TestMethod]
    public void Spec129_UnmapTwice_SuccessThenSegmentNotMapped()
    {
        RequireMapping();
        DefaultFixture f = CreateDefaultFixture();
        _ = f.I.Map(RsmPermissions.ReadWrite, 0, L);

        AssertOutcome(RsmError.Success, f.I.Unmap);
        AssertOutcome(RsmError.SegmentNotMapped, f.I.Unmap);
        Assert.IsNull(f.I.Mapping);
    }

    [TestMethod]
    public void Spec129_UnmapImplicitMapping_SuccessThenMapAllowed()
    {
        RequireMapping();
        DefaultFixture f = CreateDefaultFixture();
        AssertOutcome(RsmError.Success, () => f.I.Get(0, new byte[1]));

        AssertOutcome(RsmError.Success, f.I.Unmap);
        AssertOutcome(RsmError.SegmentNotMapped, f.I.Unmap);
        AssertOutcome(RsmError.Success, () => f.I.Map(RsmPermissions.ReadWrite, 0, PS));
    }

    [TestMethod]
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
