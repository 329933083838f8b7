using System.Runtime.InteropServices;

namespace Rsm.Conformance;

/// <summary>Conformance area DataAccess: get and put (RSMAPI 3.4, items 92-108, with DECISIONS D2, F2, F3, F11).</summary>
public abstract class DataAccessConformanceTests : ConformanceTestBase
{
    /// <summary>
    /// Checklist item 92 (RSMAPI section 9): get8(NULL, 0, p, 1) → 5; get8(I, 0, NULL, 1) → 16; get8(NULL, 0, NULL, 1)
    /// → 5.
    /// </summary>
    [ConformanceTest]
    public void Spec092_Get8_DisconnectedImport_BadSegmentHandle()
    {
        DefaultFixture f = CreateDefaultFixture();
        IImportSegment gone = DisconnectedImport(f);
        RsmPageMemory local = NewBuffer(1);

        AssertOutcome(RsmError.BadSegmentHandle, () => gone.Get8(0, local.GetSpan()[..1]));
    }

    /// <summary>
    /// Checklist item 92 (RSMAPI section 9): get8(NULL, 0, p, 1) → 5; get8(I, 0, NULL, 1) → 16; get8(NULL, 0, NULL, 1)
    /// → 5.
    /// </summary>
    [ConformanceTest]
    public void Spec092_Get8_NullPointer_BadAddress()
    {
        DefaultFixture f = CreateDefaultFixture();

        AssertOutcome(RsmError.BadAddress, () => f.I.Get8(0, NullBytes(1)));
    }

    /// <summary>
    /// Checklist item 92 (RSMAPI section 9): get8(NULL, 0, p, 1) → 5; get8(I, 0, NULL, 1) → 16; get8(NULL, 0, NULL, 1)
    /// → 5.
    /// </summary>
    [ConformanceTest]
    public void Spec092_Get8_DisconnectedImportAndNullPointer_BadSegmentHandle()
    {
        DefaultFixture f = CreateDefaultFixture();
        IImportSegment gone = DisconnectedImport(f);

        AssertOutcome(RsmError.BadSegmentHandle, () => gone.Get8(0, NullBytes(1)));
    }

    /// <summary>
    /// Checklist item 92 (RSMAPI section 9): get8(NULL, 0, p, 1) → 5; get8(I, 0, NULL, 1) → 16; get8(NULL, 0, NULL, 1)
    /// → 5.
    /// </summary>
    [ConformanceTest]
    public void Spec092_GetAndPut_NullPointer_BadAddress()
    {
        DefaultFixture f = CreateDefaultFixture();

        AssertOutcome(RsmError.BadAddress, () => f.I.Put8(0, NullBytes(1)));
        AssertOutcome(RsmError.BadAddress, () => f.I.Put(0, NullBytes(1)));
        AssertOutcome(RsmError.BadAddress, () => f.I.Get(0, NullBytes(1)));
    }

    /// <summary>
    /// Checklist item 93 (RSMAPI section 9): get16 with odd data pointer → 17; get32 pointer ≡ 2 mod 4 → 17; get64
    /// pointer ≡ 4 mod 8 → 17.
    /// </summary>
    [ConformanceTest]
    public void Spec093_Get16_OddPointer_BadMemoryAlignment()
    {
        DefaultFixture f = CreateDefaultFixture();
        RsmPageMemory local = NewBuffer(1);

        AssertOutcome(RsmError.BadMemoryAlignment, () => f.I.Get16(0, MemoryMarshal.Cast<byte, ushort>(local.GetSpan().Slice(1, 8))));
    }

    /// <summary>
    /// Checklist item 93 (RSMAPI section 9): get16 with odd data pointer → 17; get32 pointer ≡ 2 mod 4 → 17; get64
    /// pointer ≡ 4 mod 8 → 17.
    /// </summary>
    [ConformanceTest]
    public void Spec093_Get32_PointerTwoModFour_BadMemoryAlignment()
    {
        DefaultFixture f = CreateDefaultFixture();
        RsmPageMemory local = NewBuffer(1);

        AssertOutcome(RsmError.BadMemoryAlignment, () => f.I.Get32(0, MemoryMarshal.Cast<byte, uint>(local.GetSpan().Slice(2, 8))));
    }

    /// <summary>
    /// Checklist item 93 (RSMAPI section 9): get16 with odd data pointer → 17; get32 pointer ≡ 2 mod 4 → 17; get64
    /// pointer ≡ 4 mod 8 → 17.
    /// </summary>
    [ConformanceTest]
    public void Spec093_Get64_PointerFourModEight_BadMemoryAlignment()
    {
        DefaultFixture f = CreateDefaultFixture();
        RsmPageMemory local = NewBuffer(1);

        AssertOutcome(RsmError.BadMemoryAlignment, () => f.I.Get64(0, MemoryMarshal.Cast<byte, ulong>(local.GetSpan().Slice(4, 16))));
    }

    /// <summary>
    /// Checklist item 93 (RSMAPI section 9): get16 with odd data pointer → 17; get32 pointer ≡ 2 mod 4 → 17; get64
    /// pointer ≡ 4 mod 8 → 17.
    /// </summary>
    [ConformanceTest]
    public void Spec093_PutN_MisalignedPointer_BadMemoryAlignment()
    {
        DefaultFixture f = CreateDefaultFixture();
        RsmPageMemory local = NewBuffer(1);

        AssertOutcome(RsmError.BadMemoryAlignment, () => f.I.Put16(0, MemoryMarshal.Cast<byte, ushort>(local.GetSpan().Slice(1, 8))));
        AssertOutcome(RsmError.BadMemoryAlignment, () => f.I.Put32(0, MemoryMarshal.Cast<byte, uint>(local.GetSpan().Slice(2, 8))));
        AssertOutcome(RsmError.BadMemoryAlignment, () => f.I.Put64(0, MemoryMarshal.Cast<byte, ulong>(local.GetSpan().Slice(4, 16))));
    }

    /// <summary>
    /// Checklist item 94 (RSMAPI section 9): get16 offset 1 → 17 (never 19); get64 offset 4 → 17; get8/get never report
    /// 17.
    /// </summary>
    [ConformanceTest]
    public void Spec094_Get16_OddOffset_BadMemoryAlignmentNeverMisalignedOffset()
    {
        DefaultFixture f = CreateDefaultFixture();
        RsmPageMemory local = NewBuffer(1);

        AssertOutcome(RsmError.BadMemoryAlignment, () => f.I.Get16(1, MemoryMarshal.Cast<byte, ushort>(local.GetSpan()[..8])));
        AssertOutcome(RsmError.BadMemoryAlignment, () => f.I.Get32(2, MemoryMarshal.Cast<byte, uint>(local.GetSpan()[..8])));
        AssertOutcome(RsmError.BadMemoryAlignment, () => f.I.Put16(1, MemoryMarshal.Cast<byte, ushort>(local.GetSpan()[..8])));
    }

    /// <summary>
    /// Checklist item 94 (RSMAPI section 9): get16 offset 1 → 17 (never 19); get64 offset 4 → 17; get8/get never report
    /// 17.
    /// </summary>
    [ConformanceTest]
    public void Spec094_Get64_OffsetFour_BadMemoryAlignment()
    {
        DefaultFixture f = CreateDefaultFixture();
        RsmPageMemory local = NewBuffer(1);

        AssertOutcome(RsmError.BadMemoryAlignment, () => f.I.Get64(4, MemoryMarshal.Cast<byte, ulong>(local.GetSpan()[..16])));
        AssertOutcome(RsmError.BadMemoryAlignment, () => f.I.Put64(4, MemoryMarshal.Cast<byte, ulong>(local.GetSpan()[..16])));
    }

    /// <summary>
    /// Checklist item 94 (RSMAPI section 9): get16 offset 1 → 17 (never 19); get64 offset 4 → 17; get8/get never report
    /// 17.
    /// </summary>
    [ConformanceTest]
    public void Spec094_Get8AndGet_OddOffsetAndPointer_Success()
    {
        DefaultFixture f = CreateDefaultFixture();
        RsmPageMemory local = NewBuffer(1);
        f.B.GetSpan()[1] = 0xA1;
        f.B.GetSpan()[2] = 0xA2;
        f.B.GetSpan()[3] = 0xA3;

        AssertOutcome(RsmError.Success, () => f.I.Get8(1, local.GetSpan().Slice(1, 2)));
        AssertOutcome(RsmError.Success, () => f.I.Get(3, local.GetSpan().Slice(3, 1)));

        CollectionAssert.AreEqual(new byte[] { 0xA1, 0xA2, 0xA3 }, local.GetSpan().Slice(1, 3).ToArray());
    }

    /// <summary>
    /// Checklist item 95 (RSMAPI section 9): Misaligned pointer and misaligned offset together → 17; NULL pointer plus
    /// misaligned offset → 16.
    /// </summary>
    [ConformanceTest]
    public void Spec095_MisalignedPointerAndOffset_BadMemoryAlignment()
    {
        DefaultFixture f = CreateDefaultFixture();
        RsmPageMemory local = NewBuffer(1);

        AssertOutcome(RsmError.BadMemoryAlignment, () => f.I.Get16(1, MemoryMarshal.Cast<byte, ushort>(local.GetSpan().Slice(1, 8))));
        AssertOutcome(RsmError.BadMemoryAlignment, () => f.I.Get64(4, MemoryMarshal.Cast<byte, ulong>(local.GetSpan().Slice(4, 16))));
    }

    /// <summary>
    /// Checklist item 95 (RSMAPI section 9): Misaligned pointer and misaligned offset together → 17; NULL pointer plus
    /// misaligned offset → 16.
    /// </summary>
    [ConformanceTest]
    public void Spec095_NullPointerAndMisalignedOffset_BadAddress()
    {
        DefaultFixture f = CreateDefaultFixture();

        AssertOutcome(RsmError.BadAddress, () => f.I.Get16(1, NullElements<ushort>(1)));
        AssertOutcome(RsmError.BadAddress, () => f.I.Get32(2, NullElements<uint>(1)));
        AssertOutcome(RsmError.BadAddress, () => f.I.Get64(4, NullElements<ulong>(1)));
        AssertOutcome(RsmError.BadAddress, () => f.I.Put64(4, NullElements<ulong>(1)));
    }

    /// <summary>
    /// Checklist item 97 (RSMAPI section 9): Importer perm READ, no explicit map: get → BAD_PERMS (26); put → 26.
    /// </summary>
    [ConformanceTest]
    public void Spec097_ReadImporterWithoutMap_GetSucceedsPutPermissionDenied()
    {
        DefaultFixture f = CreateDefaultFixture();
        IImportSegment reader = NewImport(f.C, f.C.LocalNodeId, Id, RsmPermissions.Read);
        reader.InitBarrier(RsmBarrierType.Node, new RsmBarrier());
        f.B.GetSpan()[100] = 0x5A;
        byte[] got = new byte[1];

        AssertOutcome(RsmError.Success, () => reader.Get(100, got));
        AssertOutcome(RsmError.PermissionDenied, () => reader.Put(200, new byte[] { 0x77 }));
        AssertOutcome(RsmError.PermissionDenied, () => reader.Put8(200, new byte[] { 0x77 }));

        Assert.AreEqual(0x5A, got[0]);
        Assert.AreEqual(0, f.B.GetSpan()[200]);
    }

    /// <summary>
    /// Checklist item 97 (RSMAPI section 9): Importer perm READ, no explicit map: get → BAD_PERMS (26); put → 26.
    /// </summary>
    [ConformanceTest]
    public void Spec097_ReadImporterWithoutMap_PutFirstPermissionDeniedThenGetSucceeds()
    {
        DefaultFixture f = CreateDefaultFixture();
        IImportSegment reader = NewImport(f.C, f.C.LocalNodeId, Id, RsmPermissions.Read);
        reader.InitBarrier(RsmBarrierType.Node, new RsmBarrier());
        f.B.GetSpan()[300] = 0x6B;
        byte[] got = new byte[1];

        // The first access of a still-unmapped Read importer is a put: PERM_DENIED, not the BAD_PERMS (26) of an implicit
        // read+write mapping (DECISIONS D2).
        AssertOutcome(RsmError.PermissionDenied, () => reader.Put(200, new byte[] { 0x77 }), "put");
        AssertOutcome(RsmError.PermissionDenied, () => reader.Put64(208, new ulong[] { 0x77 }), "put64");
        AssertOutcome(RsmError.Success, () => reader.Get(300, got), "get");

        Assert.AreEqual(0x6B, got[0]);
        Assert.IsTrue(f.B.GetSpan()[200..216].IndexOfAnyExcept((byte)0) < 0, "a refused put changed the exporter's memory");
    }

    /// <summary>
    /// Checklist item 98 (RSMAPI section 9): Importer perm READ after map(RSM_PERM_READ, offset 0, L): get → 0; put →
    /// PERM_DENIED (27).
    /// </summary>
    [ConformanceTest]
    public void Spec098_ReadImporterMappedRead_GetSucceedsPutPermissionDenied()
    {
        Require(ConformanceCapabilities.Mapping, "item 98 maps the segment explicitly before get/put");
        DefaultFixture f = CreateDefaultFixture();
        IImportSegment reader = NewImport(f.C, f.C.LocalNodeId, Id, RsmPermissions.Read);
        reader.InitBarrier(RsmBarrierType.Node, new RsmBarrier());
        _ = reader.Map(RsmPermissions.Read, 0, L);
        f.B.GetSpan()[(int)PS] = 0x3C;
        byte[] got = new byte[1];

        AssertOutcome(RsmError.Success, () => reader.Get((long)PS, got));
        AssertOutcome(RsmError.PermissionDenied, () => reader.Put(0, new byte[] { 0x77 }));

        Assert.AreEqual(0x3C, got[0]);
        Assert.AreEqual(0, f.B.GetSpan()[0]);
    }

    /// <summary>
    /// Checklist item 99 (RSMAPI section 9): Importer perm WRITE after map(RSM_PERM_WRITE): get → 27.
    /// </summary>
    [ConformanceTest]
    public void Spec099_WriteImporterMappedWrite_GetPermissionDenied()
    {
        Require(ConformanceCapabilities.Mapping, "item 99 maps the segment explicitly before get/put");
        DefaultFixture f = CreateDefaultFixture();
        IImportSegment writer = NewImport(f.C, f.C.LocalNodeId, Id, RsmPermissions.Write);
        writer.InitBarrier(RsmBarrierType.Node, new RsmBarrier());
        _ = writer.Map(RsmPermissions.Write, 0, L);

        AssertOutcome(RsmError.PermissionDenied, () => writer.Get(0, new byte[1]));
        AssertOutcome(RsmError.PermissionDenied, () => writer.Get8(0, new byte[1]));
        AssertOutcome(RsmError.Success, () => writer.Put(8, new byte[] { 0x42 }));

        Assert.AreEqual(0x42, f.B.GetSpan()[8]);
    }

    /// <summary>
    /// Checklist item 99 (RSMAPI section 9): Importer perm WRITE after map(RSM_PERM_WRITE): get → 27.
    /// </summary>
    [ConformanceTest]
    public void Spec099_WriteImporterWithoutMap_GetPermissionDeniedPutSucceeds()
    {
        DefaultFixture f = CreateDefaultFixture();
        IImportSegment writer = NewImport(f.C, f.C.LocalNodeId, Id, RsmPermissions.Write);
        writer.InitBarrier(RsmBarrierType.Node, new RsmBarrier());
        f.B.GetSpan()[0] = 0x13;
        byte[] got = new byte[1];

        // get needs Read and put needs Write, checked against the connect permission without an explicit map (DECISIONS D2).
        AssertOutcome(RsmError.PermissionDenied, () => writer.Get(0, got), "get before any mapping");
        AssertOutcome(RsmError.Success, () => writer.Put(8, new byte[] { 0x42 }), "put");
        AssertOutcome(RsmError.PermissionDenied, () => writer.Get32(0, new uint[1]), "get32 after the implicit mapping");

        Assert.AreEqual(0, got[0]);
        Assert.AreEqual(0x42, f.B.GetSpan()[8]);
    }

    /// <summary>
    /// Checklist item 100 (RSMAPI section 9): RDWR importer: put(I, 0, src, L) → 0 and the exporter's buffer <c>B</c>
    /// shows the bytes immediately (loopback); get returns what the exporter wrote into <c>B</c>.
    /// </summary>
    [ConformanceTest]
    public void Spec100_PutWholeSegment_VisibleInExporterBuffer()
    {
        DefaultFixture f = CreateDefaultFixture();
        byte[] source = Pattern((int)L, 7);

        AssertOutcome(RsmError.Success, () => f.I.Put(0, source));

        CollectionAssert.AreEqual(source, f.B.GetSpan().ToArray());
    }

    /// <summary>
    /// Checklist item 100 (RSMAPI section 9): RDWR importer: put(I, 0, src, L) → 0 and the exporter's buffer <c>B</c>
    /// shows the bytes immediately (loopback); get returns what the exporter wrote into <c>B</c>.
    /// </summary>
    [ConformanceTest]
    public void Spec100_Get_ReturnsExporterWrites()
    {
        DefaultFixture f = CreateDefaultFixture();
        byte[] written = Pattern((int)L, 11);
        written.CopyTo(f.B.GetSpan());
        byte[] got = new byte[(int)L];

        AssertOutcome(RsmError.Success, () => f.I.Get(0, got));

        CollectionAssert.AreEqual(written, got);
    }

    /// <summary>
    /// Checklist item 101 (RSMAPI section 9): Mapped window [PS, 2*PS): get at offset 0 → BAD_OFFSET (18); get of 16
    /// bytes at 2*PS−8 → 18; get within the window → 0.
    /// </summary>
    [ConformanceTest]
    public void Spec101_MappedWindow_OutsideBadOffsetInsideSuccess()
    {
        Require(ConformanceCapabilities.Mapping, "item 101 maps a window [PS, 2*PS)");
        DefaultFixture f = CreateDefaultFixture();
        _ = f.I.Map(RsmPermissions.ReadWrite, (long)PS, PS);
        byte[] expected = Pattern(16, 3);
        expected.CopyTo(f.B.GetSpan()[(int)PS..]);
        byte[] got = new byte[16];

        AssertOutcome(RsmError.BadOffset, () => f.I.Get(0, new byte[1]));
        AssertOutcome(RsmError.BadOffset, () => f.I.Get((long)(2 * PS) - 8, new byte[16]));
        AssertOutcome(RsmError.Success, () => f.I.Get((long)PS, got));

        CollectionAssert.AreEqual(expected, got);
    }

    /// <summary>
    /// Checklist item 102 (RSMAPI section 9): Implicitly mapped: get of 1 byte at offset L → 18; at L−1 → 0.
    /// </summary>
    [ConformanceTest]
    public void Spec102_ImplicitMapping_PastEndBadOffsetLastByteSuccess()
    {
        DefaultFixture f = CreateDefaultFixture();
        f.B.GetSpan()[(int)L - 1] = 0xEE;
        byte[] got = new byte[1];

        AssertOutcome(RsmError.BadOffset, () => f.I.Get((long)L, new byte[1]));
        AssertOutcome(RsmError.Success, () => f.I.Get((long)L - 1, got));
        AssertOutcome(RsmError.BadOffset, () => f.I.Put((long)L, new byte[1]));

        Assert.AreEqual(0xEE, got[0]);
    }

    /// <summary>
    /// Checklist item 103 (RSMAPI section 9): Fresh RDWR importer, default IMPLICIT mode, no init_barrier: in-range get
    /// → BARRIER_UNINITIALIZED (35); out-of-range get → 18 instead (range checked first).
    /// </summary>
    [ConformanceTest]
    public void Spec103_ImplicitModeWithoutBarrier_InRangeBarrierUninitialized()
    {
        DefaultFixture f = CreateDefaultFixture();
        IImportSegment fresh = NewImport(f.C, f.C.LocalNodeId, Id, RsmPermissions.ReadWrite);

        Assert.AreEqual(RsmBarrierMode.Implicit, fresh.GetMode());
        AssertOutcome(RsmError.BarrierUninitialized, () => fresh.Get(0, new byte[8]));
        AssertOutcome(RsmError.BarrierUninitialized, () => fresh.Put(0, new byte[8]));
    }

    /// <summary>
    /// Checklist item 103 (RSMAPI section 9): Fresh RDWR importer, default IMPLICIT mode, no init_barrier: in-range get
    /// → BARRIER_UNINITIALIZED (35); out-of-range get → 18 instead (range checked first).
    /// </summary>
    [ConformanceTest]
    public void Spec103_ImplicitModeWithoutBarrier_OutOfRangeBadOffset()
    {
        DefaultFixture f = CreateDefaultFixture();
        IImportSegment fresh = NewImport(f.C, f.C.LocalNodeId, Id, RsmPermissions.ReadWrite);

        AssertOutcome(RsmError.BadOffset, () => fresh.Get((long)L, new byte[8]));
    }

    /// <summary>
    /// Checklist item 104 (RSMAPI section 9): <c>set_mode(I, EXPLICIT)</c> then get without any barrier → 0.
    /// </summary>
    [ConformanceTest]
    public void Spec104_ExplicitModeWithoutBarrier_GetSucceeds()
    {
        DefaultFixture f = CreateDefaultFixture();
        IImportSegment fresh = NewImport(f.C, f.C.LocalNodeId, Id, RsmPermissions.ReadWrite);
        fresh.SetMode(RsmBarrierMode.Explicit);
        f.B.GetSpan()[5] = 0x99;
        byte[] got = new byte[1];

        AssertOutcome(RsmError.Success, () => fresh.Get(5, got));
        AssertOutcome(RsmError.Success, () => fresh.Put(6, new byte[] { 0x98 }));

        // Without a barrier an Explicit-mode put need not have reached the exporter yet; a later get of the same
        // importer is ordered after it on every provider.
        Assert.AreEqual(0x99, got[0]);
        byte[] again = new byte[1];
        AssertOutcome(RsmError.Success, () => fresh.Get(6, again));
        Assert.AreEqual(0x98, again[0]);
    }

    /// <summary>
    /// Checklist item 105 (RSMAPI section 9): <c>rep_cnt == 0</c> / <c>length == 0</c> → 0.
    /// </summary>
    [ConformanceTest]
    public void Spec105_ZeroCounts_Success()
    {
        DefaultFixture f = CreateDefaultFixture();

        AssertOutcome(RsmError.Success, () => f.I.Get(0, []));
        AssertOutcome(RsmError.Success, () => f.I.Get8(0, []));
        AssertOutcome(RsmError.Success, () => f.I.Get16(0, []));
        AssertOutcome(RsmError.Success, () => f.I.Get32(0, []));
        AssertOutcome(RsmError.Success, () => f.I.Get64(0, []));
        AssertOutcome(RsmError.Success, () => f.I.Put(0, []));
        AssertOutcome(RsmError.Success, () => f.I.Put8(0, []));
        AssertOutcome(RsmError.Success, () => f.I.Put16(0, []));
        AssertOutcome(RsmError.Success, () => f.I.Put32(0, []));
        AssertOutcome(RsmError.Success, () => f.I.Put64(0, []));

        Assert.IsTrue(f.B.GetSpan().IndexOfAnyExcept((byte)0) < 0, "a zero-count put changed the exporter's memory");
    }

    /// <summary>
    /// Checklist item 106 (RSMAPI section 9): put16 of 0x1234 then get8 ×2 returns the host's native byte order (no
    /// swapping).
    /// </summary>
    [ConformanceTest]
    public void Spec106_Put16ThenGet8_NativeByteOrder()
    {
        DefaultFixture f = CreateDefaultFixture();
        byte[] got = new byte[2];
        byte[] expected = BitConverter.IsLittleEndian ? [0x34, 0x12] : [0x12, 0x34];

        AssertOutcome(RsmError.Success, () => f.I.Put16(64, new ushort[] { 0x1234 }));
        AssertOutcome(RsmError.Success, () => f.I.Get8(64, got));

        CollectionAssert.AreEqual(expected, got);
        CollectionAssert.AreEqual(expected, f.B.GetSpan().Slice(64, 2).ToArray());
    }

    /// <summary>
    /// Checklist item 106 (RSMAPI section 9): put16 of 0x1234 then get8 ×2 returns the host's native byte order (no
    /// swapping).
    /// </summary>
    [ConformanceTest]
    public void Spec106_Put32AndPut64_NoByteSwapping()
    {
        DefaultFixture f = CreateDefaultFixture();
        uint[] got32 = new uint[1];
        ulong[] got64 = new ulong[1];

        AssertOutcome(RsmError.Success, () => f.I.Put32(128, new uint[] { 0x11223344u }));
        AssertOutcome(RsmError.Success, () => f.I.Put64(136, new ulong[] { 0x0102030405060708UL }));
        AssertOutcome(RsmError.Success, () => f.I.Get32(128, got32));
        AssertOutcome(RsmError.Success, () => f.I.Get64(136, got64));

        Assert.AreEqual(0x11223344u, MemoryMarshal.Read<uint>(f.B.GetSpan()[128..]));
        Assert.AreEqual(0x0102030405060708UL, MemoryMarshal.Read<ulong>(f.B.GetSpan()[136..]));
        Assert.AreEqual(0x11223344u, got32[0]);
        Assert.AreEqual(0x0102030405060708UL, got64[0]);
    }

    /// <summary>
    /// Checklist item 107 (RSMAPI section 9): Importer already mapped (explicitly or implicitly) before the exporter
    /// unpublishes: IMPLICIT-mode get → 40 (every time); EXPLICIT-mode get → 0 (data silently from the scratch page).
    /// An importer that was still unmapped gets 40 in both modes (implicit map refused).
    /// </summary>
    [ConformanceTest]
    public void Spec107_ImplicitMode_MappedBeforeUnpublish_ConnectionAbortedEveryTime()
    {
        DefaultFixture f = CreateDefaultFixture();
        AssertOutcome(RsmError.Success, () => f.I.Get(0, new byte[8]));

        f.E.Unpublish();

        AssertOutcome(RsmError.ConnectionAborted, () => f.I.Get(0, new byte[8]));
        AssertOutcome(RsmError.ConnectionAborted, () => f.I.Get(0, new byte[8]));
        AssertOutcome(RsmError.ConnectionAborted, () => f.I.Put(0, new byte[8]));
    }

    /// <summary>
    /// Checklist item 107 (RSMAPI section 9): Importer already mapped (explicitly or implicitly) before the exporter
    /// unpublishes: IMPLICIT-mode get → 40 (every time); EXPLICIT-mode get → 0 (data silently from the scratch page).
    /// An importer that was still unmapped gets 40 in both modes (implicit map refused).
    /// </summary>
    [ConformanceTest]
    public void Spec107_ExplicitMode_ImplicitlyMappedBeforeUnpublish_Success()
    {
        DefaultFixture f = CreateDefaultFixture();
        f.I.SetMode(RsmBarrierMode.Explicit);
        AssertOutcome(RsmError.Success, () => f.I.Get(0, new byte[8]));

        f.E.Unpublish();

        AssertOutcome(RsmError.Success, () => f.I.Get(0, new byte[8]));
        AssertOutcome(RsmError.Success, () => f.I.Get(0, new byte[8]));

        // The aborted importer's stores go nowhere visible (DECISIONS F7).
        AssertOutcome(RsmError.Success, () => f.I.Put(64, new byte[] { 0xA7, 0xA8 }));
        Assert.IsTrue(f.B.GetSpan().IndexOfAnyExcept((byte)0) < 0, "a store of an aborted importer reached the exporter's memory");
    }

    /// <summary>
    /// Checklist item 107 (RSMAPI section 9): Importer already mapped (explicitly or implicitly) before the exporter
    /// unpublishes: IMPLICIT-mode get → 40 (every time); EXPLICIT-mode get → 0 (data silently from the scratch page).
    /// An importer that was still unmapped gets 40 in both modes (implicit map refused).
    /// </summary>
    [ConformanceTest]
    public void Spec107_ExplicitlyMappedBeforeUnpublish_ImplicitAbortedExplicitSuccess()
    {
        Require(ConformanceCapabilities.Mapping, "item 107 covers an explicit mapping made before the unpublish");
        DefaultFixture f = CreateDefaultFixture();
        _ = f.I.Map(RsmPermissions.ReadWrite, 0, L);

        f.E.Unpublish();

        AssertOutcome(RsmError.ConnectionAborted, () => f.I.Get(0, new byte[8]));
        AssertOutcome(RsmError.ConnectionAborted, () => f.I.Get(0, new byte[8]));
        f.I.SetMode(RsmBarrierMode.Explicit);
        AssertOutcome(RsmError.Success, () => f.I.Get(0, new byte[8]));
    }

    /// <summary>
    /// Checklist item 107 (RSMAPI section 9): Importer already mapped (explicitly or implicitly) before the exporter
    /// unpublishes: IMPLICIT-mode get → 40 (every time); EXPLICIT-mode get → 0 (data silently from the scratch page).
    /// An importer that was still unmapped gets 40 in both modes (implicit map refused).
    /// </summary>
    [ConformanceTest]
    public void Spec107_UnmappedBeforeUnpublish_ConnectionAbortedInBothModes()
    {
        DefaultFixture f = CreateDefaultFixture();
        IImportSegment explicitImport = NewImport(f.C, f.C.LocalNodeId, Id, RsmPermissions.ReadWrite);
        explicitImport.SetMode(RsmBarrierMode.Explicit);

        f.E.Unpublish();

        AssertOutcome(RsmError.ConnectionAborted, () => f.I.Get(0, new byte[8]));
        AssertOutcome(RsmError.ConnectionAborted, () => explicitImport.Get(0, new byte[8]));
        AssertOutcome(RsmError.ConnectionAborted, () => explicitImport.Get(0, new byte[8]));
    }

    /// <summary>
    /// Checklist item 108 (RSMAPI section 9): put64 writes rep_cnt consecutive 8-byte values starting at offset.
    /// </summary>
    [ConformanceTest]
    public void Spec108_Put64_WritesConsecutiveValues()
    {
        DefaultFixture f = CreateDefaultFixture();
        ulong[] values = [0x1111111111111111UL, 0x2222222222222222UL, 0xFEDCBA9876543210UL];

        AssertOutcome(RsmError.Success, () => f.I.Put64(16, values));

        Span<byte> b = f.B.GetSpan();
        Assert.AreEqual(0UL, MemoryMarshal.Read<ulong>(b[8..]));
        Assert.AreEqual(values[0], MemoryMarshal.Read<ulong>(b[16..]));
        Assert.AreEqual(values[1], MemoryMarshal.Read<ulong>(b[24..]));
        Assert.AreEqual(values[2], MemoryMarshal.Read<ulong>(b[32..]));
        Assert.AreEqual(0UL, MemoryMarshal.Read<ulong>(b[40..]));
    }

    private IImportSegment DisconnectedImport(DefaultFixture f)
    {
        IImportSegment import = NewImport(f.C, f.C.LocalNodeId, Id, RsmPermissions.ReadWrite);
        import.Disconnect();
        return import;
    }

    private static unsafe Span<byte> NullBytes(int length) => new((void*)0, length);

    private static unsafe Span<T> NullElements<T>(int length)
        where T : unmanaged => new((void*)0, length);


    /// <summary>
    /// Check 219, beyond the checklist: Gets on several threads racing with unpublish never fault and end with
    /// ConnectionAborted (40) (DECISIONS F7).
    /// </summary>
    [ConformanceTest]
    public void Spec219_GetsRacingWithUnpublish_NeverFaultAndEndAborted()
    {
        DefaultFixture f = CreateDefaultFixture();
        const int Readers = 3;
        const int MaxGets = 50_000_000;
        var outcomes = new System.Collections.Concurrent.ConcurrentDictionary<RsmError, int>();
        var warmedUp = new CountdownEvent(Readers);
        var readers = new Thread[Readers];
        for (int r = 0; r < Readers; r++)
        {
            IImportSegment i = r == 0 ? f.I : NewImport(f.C, f.C.LocalNodeId, Id, RsmPermissions.Read);
            if (r != 0)
            {
                i.InitBarrier();
            }

            readers[r] = new Thread(() =>
            {
                byte[] buffer = new byte[64];
                for (int n = 0; n < MaxGets; n++)
                {
                    RsmError outcome = Outcome(() => i.Get(64 * (n % 16), buffer));
                    outcomes.AddOrUpdate(outcome, 1, (_, c) => c + 1);
                    if (n == 1000)
                    {
                        warmedUp.Signal();
                    }

                    if (outcome != RsmError.Success)
                    {
                        return;
                    }
                }
            });
            readers[r].Start();
        }

        // Unpublish while every reader is in its loop, so that the abort lands between and during gets.
        Assert.IsTrue(warmedUp.Wait(TimeSpan.FromSeconds(30)), "the readers did not start");
        f.E.Unpublish();
        foreach (Thread reader in readers)
        {
            Assert.IsTrue(reader.Join(TimeSpan.FromSeconds(60)), "a reader did not observe the abort");
        }

        warmedUp.Dispose();

        // Gets before the abort succeed and the first one after it reports it; none faults or reports anything else (DECISIONS F7).
        CollectionAssert.AreEquivalent(new[] { RsmError.Success, RsmError.ConnectionAborted }, outcomes.Keys.ToArray());
        Assert.AreEqual(Readers, outcomes[RsmError.ConnectionAborted], "each reader stops at its first ConnectionAborted");
        AssertOutcome(RsmError.ConnectionAborted, () => f.I.Get(0, new byte[8]));
    }

    /// <summary>
    /// Check 220, beyond the checklist: Connects and disconnects on several threads while the exporter republishes
    /// leave the segment's state consistent.
    /// </summary>
    [ConformanceTest]
    public void Spec220_ConnectDisconnectChurnWhileRepublishing_StateStaysConsistent()
    {
        DefaultFixture f = CreateDefaultFixture();
        const int Workers = 3;
        const int Rounds = 300;
        int failures = 0;
        var workers = new Thread[Workers];
        for (int w = 0; w < Workers; w++)
        {
            workers[w] = new Thread(() =>
            {
                for (int n = 0; n < Rounds; n++)
                {
                    try
                    {
                        IImportSegment i = f.C.Connect(f.C.LocalNodeId, Id, RsmPermissions.Read);
                        i.SetMode(RsmBarrierMode.Explicit);
                        i.Get(0, new byte[8]);
                        i.Disconnect();
                    }
                    catch (RsmException)
                    {
                        Interlocked.Increment(ref failures);
                    }
                }
            });
            workers[w].Start();
        }

        for (int n = 0; n < Rounds; n++)
        {
            f.E.Republish([]);
        }

        foreach (Thread worker in workers)
        {
            Assert.IsTrue(worker.Join(TimeSpan.FromSeconds(60)), "a worker did not finish");
        }

        // Republish never disturbs connects of a public segment; afterwards the fixture's importer still works and an
        // unpublish aborts exactly what is still connected.
        Assert.AreEqual(0, failures);
        AssertOutcome(RsmError.Success, () => f.I.Get(0, new byte[8]));
        f.E.Unpublish();
        AssertOutcome(RsmError.ConnectionAborted, () => f.I.Get(0, new byte[8]));
        AssertOutcome(RsmError.SegmentNotPublished, () => f.C.Connect(f.C.LocalNodeId, Id, RsmPermissions.Read));
    }
    private static byte[] Pattern(int length, int seed)
    {
        byte[] data = new byte[length];
        for (int i = 0; i < data.Length; i++)
        {
            data[i] = (byte)((i * 31) + seed + (i >> 8));
        }

        return data;
    }
}
