using System.Runtime.InteropServices;

namespace Rsm.Conformance;

/// <summary>Conformance area Barrier: barriers and barrier modes (RSMAPI 3.7 and 4.4, items 131-141, with DECISIONS F2, F3, F10).</summary>
public abstract class BarrierConformanceTests : ConformanceTestBase
{
    /// <summary>
    /// Checklist item 131 (RSMAPI section 9): init_barrier(NULL, RSM_BARRIER_NODE, &amp;b) → 5; init_barrier(I, 2,
    /// NULL) → BAD_BARRIER_PTR (13).
    /// </summary>
    [ConformanceTest]
    public void Spec131_InitBarrier_DisconnectedImport_BadSegmentHandle()
    {
        DefaultFixture f = CreateDefaultFixture();
        IImportSegment gone = DisconnectedImport(f);
        var barrier = new RsmBarrier();

        AssertOutcome(RsmError.BadSegmentHandle, () => gone.InitBarrier(RsmBarrierType.Node, barrier));
        AssertOutcome(RsmError.BadSegmentHandle, () => gone.InitBarrier(RsmBarrierType.Node));
        Assert.IsFalse(barrier.IsInitialized);
    }

    /// <summary>
    /// Checklist item 131 (RSMAPI section 9): init_barrier(NULL, RSM_BARRIER_NODE, &amp;b) → 5; init_barrier(I, 2,
    /// NULL) → BAD_BARRIER_PTR (13).
    /// </summary>
    [ConformanceTest]
    public void Spec131_InitBarrier_NullBarrier_BadBarrierPointer()
    {
        DefaultFixture f = CreateDefaultFixture();

        AssertOutcome(RsmError.BadBarrierPointer, () => f.I.InitBarrier(RsmBarrierType.Node, null));
    }

    /// <summary>
    /// Checklist item 131 (RSMAPI section 9): init_barrier(NULL, RSM_BARRIER_NODE, &amp;b) → 5; init_barrier(I, 2,
    /// NULL) → BAD_BARRIER_PTR (13).
    /// </summary>
    [ConformanceTest]
    public void Spec131_InitBarrier_DisconnectedImportNullBarrier_BadSegmentHandle()
    {
        DefaultFixture f = CreateDefaultFixture();
        IImportSegment gone = DisconnectedImport(f);

        AssertOutcome(RsmError.BadSegmentHandle, () => gone.InitBarrier(RsmBarrierType.Node, null));
    }

    /// <summary>
    /// Checklist item 132 (RSMAPI section 9): init_barrier with type 0x7777 → 0.
    /// </summary>
    [ConformanceTest]
    public void Spec132_InitBarrier_UnknownType_Success()
    {
        DefaultFixture f = CreateDefaultFixture();
        var barrier = new RsmBarrier();

        AssertOutcome(RsmError.Success, () => f.I.InitBarrier((RsmBarrierType)0x7777, barrier));

        Assert.IsTrue(barrier.IsInitialized);
        AssertOutcome(RsmError.Success, barrier.Open);
        AssertOutcome(RsmError.Success, () => f.I.Put(0, new byte[] { 1 }));
        AssertOutcome(RsmError.Success, barrier.Close);
    }

    /// <summary>
    /// Checklist item 132 (RSMAPI section 9): init_barrier with type 0x7777 → 0.
    /// </summary>
    [ConformanceTest]
    public void Spec132_InitBarrier_EveryDefinedType_Success()
    {
        DefaultFixture f = CreateDefaultFixture();

        foreach (RsmBarrierType type in new[] { RsmBarrierType.Segment, RsmBarrierType.Node, RsmBarrierType.SegmentThread, RsmBarrierType.NodeThread, (RsmBarrierType)0 })
        {
            AssertOutcome(RsmError.Success, () => f.I.InitBarrier(type, new RsmBarrier()), type.ToString());
        }

        RsmBarrier created = f.I.InitBarrier();
        Assert.IsTrue(created.IsInitialized);
    }

    /// <summary>
    /// Checklist item 134 (RSMAPI section 9): open/order/close/destroy on a zero-filled never-initialised barrier →
    /// BARRIER_UNINITIALIZED (35).
    /// </summary>
    [ConformanceTest]
    public void Spec134_ZeroFilledBarrier_EveryOperationBarrierUninitialized()
    {
        var barrier = new RsmBarrier();

        Assert.IsFalse(barrier.IsInitialized);
        AssertOutcome(RsmError.BarrierUninitialized, barrier.Open);
        AssertOutcome(RsmError.BarrierUninitialized, barrier.Order);
        AssertOutcome(RsmError.BarrierUninitialized, barrier.Close);
        AssertOutcome(RsmError.BarrierUninitialized, barrier.Destroy);
    }

    /// <summary>
    /// Checklist item 134 (RSMAPI section 9): open/order/close/destroy on a zero-filled never-initialised barrier →
    /// BARRIER_UNINITIALIZED (35).
    /// </summary>
    [ConformanceTest]
    public void Spec134_ZeroFilledBarrier_CloseAsyncBarrierUninitialized()
    {
        var barrier = new RsmBarrier();

        AssertOutcome(RsmError.BarrierUninitialized, () => AwaitBounded(barrier.CloseAsync().AsTask()));
    }

    /// <summary>
    /// Checklist item 135 (RSMAPI section 9): init; open; put; order; close → all 0 (loopback).
    /// </summary>
    [ConformanceTest]
    public void Spec135_InitOpenPutOrderClose_AllSucceed()
    {
        DefaultFixture f = CreateDefaultFixture();
        var barrier = new RsmBarrier();

        AssertOutcome(RsmError.Success, () => f.I.InitBarrier(RsmBarrierType.Node, barrier));
        AssertOutcome(RsmError.Success, barrier.Open);
        AssertOutcome(RsmError.Success, () => f.I.Put(32, new byte[] { 0x0A, 0x0B }));
        AssertOutcome(RsmError.Success, barrier.Order);
        AssertOutcome(RsmError.Success, () => f.I.Put(34, new byte[] { 0x0C }));
        AssertOutcome(RsmError.Success, barrier.Close);

        CollectionAssert.AreEqual(new byte[] { 0x0A, 0x0B, 0x0C }, f.B.GetSpan().Slice(32, 3).ToArray());
    }

    /// <summary>
    /// Checklist item 135 (RSMAPI section 9): init; open; put; order; close → all 0 (loopback).
    /// </summary>
    [ConformanceTest]
    public void Spec135_ExplicitModeSpan_AllSucceed()
    {
        DefaultFixture f = CreateDefaultFixture();
        f.I.SetMode(RsmBarrierMode.Explicit);

        AssertOutcome(RsmError.Success, f.Bar.Open);
        AssertOutcome(RsmError.Success, () => f.I.Put32(0, new uint[] { 0xCAFEF00Du }));
        AssertOutcome(RsmError.Success, f.Bar.Order);
        AssertOutcome(RsmError.Success, f.Bar.Close);
        AssertOutcome(RsmError.Success, () => AwaitBounded(f.Bar.CloseAsync().AsTask()));

        Assert.AreEqual(0xCAFEF00Du, MemoryMarshal.Read<uint>(f.B.GetSpan()));
    }

    /// <summary>
    /// Checklist item 135 (RSMAPI section 9): init; open; put; order; close → all 0 (loopback).
    /// </summary>
    [ConformanceTest]
    public void Spec135_OpenTwice_Success()
    {
        DefaultFixture f = CreateDefaultFixture();

        AssertOutcome(RsmError.Success, f.Bar.Open);
        AssertOutcome(RsmError.Success, f.Bar.Open);
        AssertOutcome(RsmError.Success, f.Bar.Close);
        AssertOutcome(RsmError.Success, f.Bar.Close);
    }

    /// <summary>
    /// Checklist item 136 (RSMAPI section 9): init; open; exporter unpublishes; close → CONN_ABORTED (40).
    /// </summary>
    [ConformanceTest]
    public void Spec136_OpenThenUnpublishThenClose_ConnectionAborted()
    {
        DefaultFixture f = CreateDefaultFixture();
        AssertOutcome(RsmError.Success, f.Bar.Open);

        f.E.Unpublish();

        AssertOutcome(RsmError.ConnectionAborted, f.Bar.Close);
        AssertOutcome(RsmError.ConnectionAborted, () => AwaitBounded(f.Bar.CloseAsync().AsTask()));
    }

    /// <summary>
    /// Checklist item 136 (RSMAPI section 9): init; open; exporter unpublishes; close → CONN_ABORTED (40).
    /// </summary>
    [ConformanceTest]
    public void Spec136_ExplicitModeAbort_VisibleOnlyAtClose()
    {
        DefaultFixture f = CreateDefaultFixture();
        f.I.SetMode(RsmBarrierMode.Explicit);
        AssertOutcome(RsmError.Success, f.Bar.Open);
        AssertOutcome(RsmError.Success, () => f.I.Put(0, new byte[] { 1 }));

        f.E.Unpublish();

        AssertOutcome(RsmError.Success, () => f.I.Put(0, new byte[] { 2 }));
        AssertOutcome(RsmError.ConnectionAborted, f.Bar.Close);
    }

    /// <summary>
    /// Checklist item 136 (RSMAPI section 9): init; open; exporter unpublishes; close → CONN_ABORTED (40).
    /// </summary>
    [ConformanceTest]
    public void Spec136_AbortBeforeOpen_CloseConnectionAbortedEveryTime()
    {
        DefaultFixture f = CreateDefaultFixture();
        f.E.Unpublish();

        AssertOutcome(RsmError.Success, f.Bar.Open);
        AssertOutcome(RsmError.ConnectionAborted, f.Bar.Close);
        AssertOutcome(RsmError.Success, f.Bar.Open);
        AssertOutcome(RsmError.ConnectionAborted, f.Bar.Close);
    }

    /// <summary>
    /// Checklist item 137 (RSMAPI section 9): Zero-filled barrier, init, no open and no get/put since init; close → 40
    /// (snapshot 0 ≠ live generation, which is ≥ 1 after connect unless the 16-bit counter wrapped).
    /// </summary>
    [ConformanceTest]
    public void Spec137_InitializedNeverOpened_CloseConnectionAborted()
    {
        DefaultFixture f = CreateDefaultFixture();
        var barrier = new RsmBarrier();
        f.I.InitBarrier(RsmBarrierType.Node, barrier);

        AssertOutcome(RsmError.ConnectionAborted, barrier.Close);
    }

    /// <summary>
    /// Checklist item 137 (RSMAPI section 9): Zero-filled barrier, init, no open and no get/put since init; close → 40
    /// (snapshot 0 ≠ live generation, which is ≥ 1 after connect unless the 16-bit counter wrapped).
    /// </summary>
    [ConformanceTest]
    public void Spec137_FixtureBarrierNeverOpened_CloseConnectionAborted()
    {
        DefaultFixture f = CreateDefaultFixture();

        AssertOutcome(RsmError.ConnectionAborted, f.Bar.Close);
        AssertOutcome(RsmError.Success, f.Bar.Open);
        AssertOutcome(RsmError.Success, f.Bar.Close);
    }

    /// <summary>
    /// Checklist item 138 (RSMAPI section 9): destroy_barrier then IMPLICIT get → 35; init again → get 0.
    /// </summary>
    [ConformanceTest]
    public void Spec138_DestroyBarrier_ImplicitGetBarrierUninitializedUntilInitAgain()
    {
        DefaultFixture f = CreateDefaultFixture();

        AssertOutcome(RsmError.Success, f.Bar.Destroy);
        AssertOutcome(RsmError.BarrierUninitialized, () => f.I.Get(0, new byte[4]));
        AssertOutcome(RsmError.BarrierUninitialized, () => f.I.Put(0, new byte[4]));

        var again = new RsmBarrier();
        AssertOutcome(RsmError.Success, () => f.I.InitBarrier(RsmBarrierType.Segment, again));
        AssertOutcome(RsmError.Success, () => f.I.Get(0, new byte[4]));
    }

    /// <summary>
    /// Checklist item 138 (RSMAPI section 9): destroy_barrier then IMPLICIT get → 35; init again → get 0.
    /// </summary>
    [ConformanceTest]
    public void Spec138_DestroyOlderBarrier_ClearsSegmentBarrier()
    {
        DefaultFixture f = CreateDefaultFixture();
        var newer = new RsmBarrier();
        f.I.InitBarrier(RsmBarrierType.Node, newer);

        AssertOutcome(RsmError.Success, f.Bar.Destroy);

        AssertOutcome(RsmError.BarrierUninitialized, () => f.I.Get(0, new byte[4]));
        Assert.IsTrue(f.Bar.IsInitialized, "destroy leaves the barrier's segment set");
    }

    /// <summary>
    /// Checklist item 138 (RSMAPI section 9): destroy_barrier then IMPLICIT get → 35; init again → get 0.
    /// </summary>
    [ConformanceTest]
    public void Spec138_DestroyBarrier_ExplicitGetSucceeds()
    {
        DefaultFixture f = CreateDefaultFixture();
        f.Bar.Destroy();
        f.I.SetMode(RsmBarrierMode.Explicit);

        AssertOutcome(RsmError.Success, () => f.I.Get(0, new byte[4]));
    }

    /// <summary>
    /// Checklist item 139 (RSMAPI section 9): set_mode(NULL, 0) → 5; set_mode(I, 2) → BAD_MODE (25); set 0 then
    /// get_mode → 0; set 1 → 1.
    /// </summary>
    [ConformanceTest]
    public void Spec139_SetMode_DisconnectedImport_BadSegmentHandle()
    {
        DefaultFixture f = CreateDefaultFixture();
        IImportSegment gone = DisconnectedImport(f);

        AssertOutcome(RsmError.BadSegmentHandle, () => gone.SetMode(RsmBarrierMode.Explicit));
    }

    /// <summary>
    /// Checklist item 139 (RSMAPI section 9): set_mode(NULL, 0) → 5; set_mode(I, 2) → BAD_MODE (25); set 0 then
    /// get_mode → 0; set 1 → 1.
    /// </summary>
    [ConformanceTest]
    public void Spec139_SetMode_Two_BadMode()
    {
        DefaultFixture f = CreateDefaultFixture();

        AssertOutcome(RsmError.BadMode, () => f.I.SetMode((RsmBarrierMode)2));
        AssertOutcome(RsmError.BadMode, () => f.I.SetMode((RsmBarrierMode)(-1)));
        Assert.AreEqual(RsmBarrierMode.Implicit, f.I.GetMode());
    }

    /// <summary>
    /// Checklist item 139 (RSMAPI section 9): set_mode(NULL, 0) → 5; set_mode(I, 2) → BAD_MODE (25); set 0 then
    /// get_mode → 0; set 1 → 1.
    /// </summary>
    [ConformanceTest]
    public void Spec139_SetModeThenGetMode_RoundTrips()
    {
        DefaultFixture f = CreateDefaultFixture();

        AssertOutcome(RsmError.Success, () => f.I.SetMode(RsmBarrierMode.Explicit));
        Assert.AreEqual(RsmBarrierMode.Explicit, f.I.GetMode());
        Assert.AreEqual(0, (int)f.I.GetMode());

        AssertOutcome(RsmError.Success, () => f.I.SetMode(RsmBarrierMode.Implicit));
        Assert.AreEqual(RsmBarrierMode.Implicit, f.I.GetMode());
        Assert.AreEqual(1, (int)f.I.GetMode());
    }

    /// <summary>
    /// Checklist item 140 (RSMAPI section 9): get_mode(NULL, &amp;m) → 5.
    /// </summary>
    [ConformanceTest]
    public void Spec140_GetMode_DisconnectedImport_BadSegmentHandle()
    {
        DefaultFixture f = CreateDefaultFixture();
        IImportSegment gone = DisconnectedImport(f);

        AssertOutcome(RsmError.BadSegmentHandle, () => gone.GetMode());
    }

    /// <summary>
    /// Checklist item 141 (RSMAPI section 9): No function returns BARRIER_NOT_OPENED (37), MISALIGNED_OFFSET (19),
    /// SEG_NOT_CONNECTED (45), LOCKS_NOT_SUPPORTED (28) or LOCKS_NOT_ENABLED (29).
    /// </summary>
    [ConformanceTest]
    public void Spec141_Sweep_NeverReturnedCodesNeverOccur()
    {
        DefaultFixture f = CreateDefaultFixture();
        RsmPageMemory local = NewBuffer(1);
        IImportSegment gone = DisconnectedImport(f);
        IImportSegment aborted = NewImport(f.C, f.C.LocalNodeId, Id, RsmPermissions.ReadWrite);
        aborted.InitBarrier(RsmBarrierType.Node, new RsmBarrier());
        RsmBarrier unopened = aborted.InitBarrier(RsmBarrierType.Segment);
        RsmBarrier goneBarrier = new();
        f.I.InitBarrier(RsmBarrierType.Node, goneBarrier);
        bool mapping = (Harness.Capabilities & ConformanceCapabilities.Mapping) != 0;

        void Check(string name, Action call)
        {
            RsmError outcome = Outcome(call);
            Assert.AreNotEqual(RsmError.BarrierNotOpened, outcome, name);
            Assert.AreNotEqual(RsmError.MisalignedOffset, outcome, name);
            Assert.AreNotEqual(RsmError.SegmentNotConnected, outcome, name);
            Assert.AreNotEqual(RsmError.LocksNotSupported, outcome, name);
            Assert.AreNotEqual(RsmError.LocksNotEnabled, outcome, name);
        }

        Check("get16 offset 1", () => f.I.Get16(1, new ushort[1]));
        Check("get32 offset 2", () => f.I.Get32(2, new uint[1]));
        Check("get64 offset 4", () => f.I.Get64(4, new ulong[1]));
        Check("put16 offset 1", () => f.I.Put16(1, new ushort[1]));
        Check("put32 offset 6", () => f.I.Put32(6, new uint[1]));
        Check("put64 offset 12", () => f.I.Put64(12, new ulong[1]));
        Check("get16 odd pointer", () => f.I.Get16(0, MemoryMarshal.Cast<byte, ushort>(local.GetSpan().Slice(1, 4))));
        Check("put64 pointer 4 mod 8", () => f.I.Put64(0, MemoryMarshal.Cast<byte, ulong>(local.GetSpan().Slice(4, 8))));
        Check("close never opened", unopened.Close);
        Check("close fixture barrier never opened", f.Bar.Close);
        Check("disconnected get", () => gone.Get(0, new byte[1]));
        Check("disconnected get64 offset 4", () => gone.Get64(4, new ulong[1]));
        Check("disconnected put", () => gone.Put(0, new byte[1]));
        Check("disconnected getv", () => gone.GetV(new RsmScatterGather { Vectors = { RsmIoVector.FromAddress(local.Address, 0, 8) } }));
        Check("disconnected unmap", gone.Unmap);
        Check("disconnected get mode", () => gone.GetMode());
        Check("disconnected set mode", () => gone.SetMode(RsmBarrierMode.Explicit));
        Check("disconnected signal post", () => gone.SignalPost());
        Check("disconnected signal wait", () => gone.SignalWait(0));
        Check("disconnected disconnect", gone.Disconnect);
        if (mapping)
        {
            Check("disconnected map", () => gone.Map(RsmPermissions.ReadWrite, 0, PS));
        }

        f.I.Disconnect();
        Check("barrier of a disconnected import: open", goneBarrier.Open);
        Check("barrier of a disconnected import: close", goneBarrier.Close);

        f.E.Unpublish();
        Check("aborted get", () => aborted.Get(0, new byte[1]));
        Check("aborted close", unopened.Close);
        Check("aborted getv", () => aborted.GetV(new RsmScatterGather { Vectors = { RsmIoVector.FromAddress(local.Address, 0, 8) } }));
        if (mapping)
        {
            Check("aborted map", () => aborted.Map(RsmPermissions.ReadWrite, 0, PS));
        }
    }

    private IImportSegment DisconnectedImport(DefaultFixture f)
    {
        IImportSegment import = NewImport(f.C, f.C.LocalNodeId, Id, RsmPermissions.ReadWrite);
        import.Disconnect();
        return import;
    }
}
