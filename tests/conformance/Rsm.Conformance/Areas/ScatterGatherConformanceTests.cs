namespace Rsm.Conformance;

/// <summary>Conformance area ScatterGather: getv, putv and local memory handles (RSMAPI 3.5 and 3.9, items 109-117 and 154-157,
/// with DECISIONS D2 and D5).</summary>
public abstract class ScatterGatherConformanceTests : ConformanceTestBase
{
    /// <summary>
    /// Checklist item 109 (RSMAPI section 9): getv(NULL) → BAD_SGIO (14).
    /// </summary>
    [ConformanceTest]
    public void Spec109_GetVAndPutV_NullRequest_BadScatterGather()
    {
        DefaultFixture f = CreateDefaultFixture();

        AssertOutcome(RsmError.BadScatterGather, () => f.I.GetV(null));
        AssertOutcome(RsmError.BadScatterGather, () => f.I.PutV(null));
    }

    /// <summary>
    /// Checklist item 110 (RSMAPI section 9): remote_handle NULL → 5.
    /// </summary>
    [ConformanceTest]
    public void Spec110_DisconnectedImport_BadSegmentHandle()
    {
        DefaultFixture f = CreateDefaultFixture();
        RsmPageMemory local = NewBuffer(1);
        IImportSegment gone = NewImport(f.C, f.C.LocalNodeId, Id, RsmPermissions.ReadWrite);
        gone.Disconnect();

        AssertOutcome(RsmError.BadSegmentHandle, () => gone.GetV(Request(RsmIoVector.FromAddress(local.Address, 0, 16))));
        AssertOutcome(RsmError.BadSegmentHandle, () => gone.PutV(Request(RsmIoVector.FromAddress(local.Address, 0, 16))));
    }

    /// <summary>
    /// Checklist item 111 (RSMAPI section 9): io_request_count 0 → 14; 17 → 14; 16 → 0.
    /// </summary>
    [ConformanceTest]
    public void Spec111_RequestCountZero_BadScatterGather()
    {
        DefaultFixture f = CreateDefaultFixture();
        RsmPageMemory local = NewBuffer(1);
        RsmScatterGather request = Request(RsmIoVector.FromAddress(local.Address, 0, 16));
        request.RequestCount = 0;

        AssertOutcome(RsmError.BadScatterGather, () => f.I.GetV(request));
        AssertOutcome(RsmError.BadScatterGather, () => f.I.PutV(request));
        AssertOutcome(RsmError.BadScatterGather, () => f.I.PutV(new RsmScatterGather()));
    }

    /// <summary>
    /// Checklist item 111 (RSMAPI section 9): io_request_count 0 → 14; 17 → 14; 16 → 0.
    /// </summary>
    [ConformanceTest]
    public void Spec111_RequestCountSeventeen_BadScatterGather()
    {
        DefaultFixture f = CreateDefaultFixture();
        RsmPageMemory local = NewBuffer(1);
        RsmScatterGather request = SixteenByteElements(local, 17);

        Assert.AreEqual(17, request.Vectors.Count);
        AssertOutcome(RsmError.BadScatterGather, () => f.I.GetV(request));
        AssertOutcome(RsmError.BadScatterGather, () => f.I.PutV(request));
        request.RequestCount = 17;
        AssertOutcome(RsmError.BadScatterGather, () => f.I.PutV(request));

        Assert.IsTrue(f.B.GetSpan().IndexOfAnyExcept((byte)0) < 0, "a refused putv changed the exporter's memory");
    }

    /// <summary>
    /// Checklist item 111 (RSMAPI section 9): io_request_count 0 → 14; 17 → 14; 16 → 0.
    /// </summary>
    [ConformanceTest]
    public void Spec111_RequestCountSixteen_Success()
    {
        DefaultFixture f = CreateDefaultFixture();
        RsmPageMemory local = NewBuffer(1);
        for (int i = 0; i < 16 * 16; i++)
        {
            local.GetSpan()[i] = (byte)(i + 1);
        }

        RsmScatterGather request = SixteenByteElements(local, 16);
        request.RequestCount = 16;

        AssertOutcome(RsmError.Success, () => f.I.PutV(request));

        for (int i = 0; i < 16; i++)
        {
            CollectionAssert.AreEqual(local.GetSpan().Slice(i * 16, 16).ToArray(), f.B.GetSpan().Slice(i * 64, 16).ToArray(), $"element {i}");
        }
    }

    /// <summary>
    /// Checklist item 112 (RSMAPI section 9): putv with two VA entries writes both ranges into the exporter's buffer;
    /// io_residual_count becomes 0.
    /// </summary>
    [ConformanceTest]
    public void Spec112_PutVTwoAddressElements_WritesBothRangesResidualZero()
    {
        DefaultFixture f = CreateDefaultFixture();
        RsmPageMemory local = NewBuffer(1);
        local.GetSpan()[..32].Fill(0xA5);
        local.GetSpan().Slice(32, 48).Fill(0x5A);
        var request = new RsmScatterGather
        {
            Vectors =
            {
                RsmIoVector.FromAddress(local.Address, 100, 32),
                RsmIoVector.FromAddress(local.Address + 32, 2 * PS + 8, 48),
            },
            ResidualCount = 5,
        };

        AssertOutcome(RsmError.Success, () => f.I.PutV(request));

        Span<byte> b = f.B.GetSpan();
        Assert.IsTrue(b.Slice(100, 32).IndexOfAnyExcept((byte)0xA5) < 0, "first range");
        Assert.IsTrue(b.Slice((int)(2 * PS) + 8, 48).IndexOfAnyExcept((byte)0x5A) < 0, "second range");
        Assert.AreEqual(0, b[99]);
        Assert.AreEqual(0, b[132]);
        Assert.AreEqual(0, b[(int)(2 * PS) + 7]);
        Assert.AreEqual(0, b[(int)(2 * PS) + 56]);
        Assert.AreEqual(0, request.ResidualCount);
    }

    /// <summary>
    /// Checklist item 112 (RSMAPI section 9): putv with two VA entries writes both ranges into the exporter's buffer;
    /// io_residual_count becomes 0.
    /// </summary>
    [ConformanceTest]
    public void Spec112_GetVTwoAddressElements_ReadsBothRanges()
    {
        DefaultFixture f = CreateDefaultFixture();
        RsmPageMemory local = NewBuffer(1);
        f.B.GetSpan().Slice(10, 20).Fill(0x11);
        f.B.GetSpan().Slice((int)(3 * PS), 20).Fill(0x22);
        var request = new RsmScatterGather
        {
            Vectors =
            {
                RsmIoVector.FromAddress(local.Address, 10, 20),
                RsmIoVector.FromAddress(local.Address + 20, 3 * PS, 20),
            },
            ResidualCount = 2,
        };

        AssertOutcome(RsmError.Success, () => f.I.GetV(request));

        Assert.IsTrue(local.GetSpan()[..20].IndexOfAnyExcept((byte)0x11) < 0);
        Assert.IsTrue(local.GetSpan().Slice(20, 20).IndexOfAnyExcept((byte)0x22) < 0);
        Assert.AreEqual(0, local.GetSpan()[40]);
        Assert.AreEqual(0, request.ResidualCount);
    }

    /// <summary>
    /// Checklist item 112 (RSMAPI section 9): putv with two VA entries writes both ranges into the exporter's buffer;
    /// io_residual_count becomes 0.
    /// </summary>
    [ConformanceTest]
    public void Spec112_PutVAndGetV_OutOfRange_BadOffset()
    {
        DefaultFixture f = CreateDefaultFixture();
        RsmPageMemory local = NewBuffer(1);
        local.GetSpan()[..16].Fill(0xCC);

        AssertOutcome(RsmError.BadOffset, () => f.I.PutV(Request(RsmIoVector.FromAddress(local.Address, L - 8, 16))));
        AssertOutcome(RsmError.BadOffset, () => f.I.GetV(Request(RsmIoVector.FromAddress(local.Address, L, 1))));
        AssertOutcome(RsmError.BadOffset, () => f.I.PutV(Request(
            RsmIoVector.FromAddress(local.Address, 0, 16),
            RsmIoVector.FromAddress(local.Address, L, 16))));

        Assert.IsTrue(f.B.GetSpan().IndexOfAnyExcept((byte)0) < 0, "a refused putv changed the exporter's memory");
    }

    /// <summary>
    /// Checklist item 113 (RSMAPI section 9): putv using a handle from <c>rsm_create_localmemory_handle</c> as source →
    /// 0, data copied.
    /// </summary>
    [ConformanceTest]
    public void Spec113_PutVWithLocalMemoryHandle_CopiesData()
    {
        DefaultFixture f = CreateDefaultFixture();
        RsmPageMemory local = NewBuffer(1);
        local.GetSpan()[..64].Fill(0x3E);
        local.GetSpan().Slice(64, 64).Fill(0x4F);
        RsmLocalMemoryHandle handle = f.C.CreateLocalMemoryHandle(local.Address, PS);
        Defer(() => f.C.FreeLocalMemoryHandle(handle));
        var request = new RsmScatterGather
        {
            Vectors =
            {
                RsmIoVector.FromHandle(handle, 0, 0, 64),
                RsmIoVector.FromHandle(handle, 64, PS, 64),
            },
        };

        AssertOutcome(RsmError.Success, () => f.I.PutV(request));

        Assert.IsTrue(f.B.GetSpan()[..64].IndexOfAnyExcept((byte)0x3E) < 0);
        Assert.IsTrue(f.B.GetSpan().Slice((int)PS, 64).IndexOfAnyExcept((byte)0x4F) < 0);
        Assert.AreEqual(0, f.B.GetSpan()[64]);
    }

    /// <summary>
    /// Checklist item 113 (RSMAPI section 9): putv using a handle from <c>rsm_create_localmemory_handle</c> as source →
    /// 0, data copied.
    /// </summary>
    [ConformanceTest]
    public void Spec113_GetVWithLocalMemoryHandle_CopiesData()
    {
        DefaultFixture f = CreateDefaultFixture();
        RsmPageMemory local = NewBuffer(1);
        f.B.GetSpan().Slice(256, 32).Fill(0x61);
        RsmLocalMemoryHandle handle = f.C.CreateLocalMemoryHandle(local.Address, PS);
        Defer(() => f.C.FreeLocalMemoryHandle(handle));

        AssertOutcome(RsmError.Success, () => f.I.GetV(Request(RsmIoVector.FromHandle(handle, 8, 256, 32))));

        Assert.IsTrue(local.GetSpan().Slice(8, 32).IndexOfAnyExcept((byte)0x61) < 0);
        Assert.AreEqual(0, local.GetSpan()[7]);
        Assert.AreEqual(0, local.GetSpan()[40]);
    }

    /// <summary>
    /// Checklist item 114 (RSMAPI section 9): flags = RSM_IMPLICIT_SIGPOST: exporter's <c>signal_wait(E, 0)</c> then
    /// succeeds once; after return <c>sg.flags</c> equals the value the caller set.
    /// </summary>
    [ConformanceTest]
    public void Spec114_ImplicitSignalPost_ExporterWaitSucceedsOnceFlagsKept()
    {
        DefaultFixture f = CreateDefaultFixture();
        RsmPageMemory local = NewBuffer(1);
        RsmScatterGather request = Request(RsmIoVector.FromAddress(local.Address, 0, 16));
        request.Flags = RsmScatterGatherFlags.ImplicitSignalPost;

        AssertOutcome(RsmError.Success, () => f.I.PutV(request));

        Assert.AreEqual(RsmScatterGatherFlags.ImplicitSignalPost, request.Flags);
        AssertOutcome(RsmError.Success, () => f.E.SignalWait(0));
        AssertOutcome(RsmError.Timeout, () => f.E.SignalWait(0));
    }

    /// <summary>
    /// Checklist item 114 (RSMAPI section 9): flags = RSM_IMPLICIT_SIGPOST: exporter's <c>signal_wait(E, 0)</c> then
    /// succeeds once; after return <c>sg.flags</c> equals the value the caller set.
    /// </summary>
    [ConformanceTest]
    public void Spec114_GetVImplicitSignalPost_ExporterWaitSucceedsOnce()
    {
        DefaultFixture f = CreateDefaultFixture();
        RsmPageMemory local = NewBuffer(1);
        RsmScatterGather request = Request(RsmIoVector.FromAddress(local.Address, 0, 16));
        request.Flags = RsmScatterGatherFlags.ImplicitSignalPost;

        AssertOutcome(RsmError.Success, () => f.I.GetV(request));

        Assert.AreEqual(RsmScatterGatherFlags.ImplicitSignalPost, request.Flags);
        AssertOutcome(RsmError.Success, () => f.E.SignalWait(0));
        AssertOutcome(RsmError.Timeout, () => f.E.SignalWait(0));
    }

    /// <summary>
    /// Checklist item 114 (RSMAPI section 9): flags = RSM_IMPLICIT_SIGPOST: exporter's <c>signal_wait(E, 0)</c> then
    /// succeeds once; after return <c>sg.flags</c> equals the value the caller set.
    /// </summary>
    [ConformanceTest]
    public void Spec114_NoFlags_NoEventPosted()
    {
        DefaultFixture f = CreateDefaultFixture();
        RsmPageMemory local = NewBuffer(1);

        AssertOutcome(RsmError.Success, () => f.I.PutV(Request(RsmIoVector.FromAddress(local.Address, 0, 16))));

        AssertOutcome(RsmError.Timeout, () => f.E.SignalWait(0));
    }

    /// <summary>
    /// Checklist item 115 (RSMAPI section 9): flags = RSM_IMPLICIT_SIGPOST | RSM_SIGPOST_NO_ACCUMULATE: two putv calls
    /// → two successful waits (no coalescing).
    /// </summary>
    [ConformanceTest]
    public void Spec115_ImplicitSignalPostNoAccumulate_TwoPutVTwoWaits()
    {
        DefaultFixture f = CreateDefaultFixture();
        RsmPageMemory local = NewBuffer(1);
        const RsmScatterGatherFlags flags = RsmScatterGatherFlags.ImplicitSignalPost | RsmScatterGatherFlags.NoAccumulate;
        RsmScatterGather request = Request(RsmIoVector.FromAddress(local.Address, 0, 16));
        request.Flags = flags;

        AssertOutcome(RsmError.Success, () => f.I.PutV(request));
        AssertOutcome(RsmError.Success, () => f.I.PutV(request));

        Assert.AreEqual(flags, request.Flags);
        AssertOutcome(RsmError.Success, () => f.E.SignalWait(0));
        AssertOutcome(RsmError.Success, () => f.E.SignalWait(0));
        AssertOutcome(RsmError.Timeout, () => f.E.SignalWait(0));
    }

    /// <summary>
    /// Checklist item 116 (RSMAPI section 9): Importer perm READ, unmapped: putv → BAD_PERMS (26) (implicit RW mapping
    /// refused).
    /// </summary>
    [ConformanceTest]
    public void Spec116_ReadImporterUnmapped_PutVPermissionDenied()
    {
        DefaultFixture f = CreateDefaultFixture();
        RsmPageMemory local = NewBuffer(1);
        local.GetSpan()[..16].Fill(0x77);
        IImportSegment reader = NewImport(f.C, f.C.LocalNodeId, Id, RsmPermissions.Read);

        AssertOutcome(RsmError.PermissionDenied, () => reader.PutV(Request(RsmIoVector.FromAddress(local.Address, 0, 16))));

        Assert.IsTrue(f.B.GetSpan().IndexOfAnyExcept((byte)0) < 0, "a refused putv changed the exporter's memory");
    }

    /// <summary>
    /// Checklist item 116 (RSMAPI section 9): Importer perm READ, unmapped: putv → BAD_PERMS (26) (implicit RW mapping
    /// refused).
    /// </summary>
    [ConformanceTest]
    public void Spec116_ReadImporter_GetVSucceeds()
    {
        DefaultFixture f = CreateDefaultFixture();
        RsmPageMemory local = NewBuffer(1);
        f.B.GetSpan()[..16].Fill(0x66);
        IImportSegment reader = NewImport(f.C, f.C.LocalNodeId, Id, RsmPermissions.Read);

        AssertOutcome(RsmError.Success, () => reader.GetV(Request(RsmIoVector.FromAddress(local.Address, 0, 16))));

        Assert.IsTrue(local.GetSpan()[..16].IndexOfAnyExcept((byte)0x66) < 0);
    }

    /// <summary>
    /// Checklist item 116 (RSMAPI section 9): Importer perm READ, unmapped: putv → BAD_PERMS (26) (implicit RW mapping
    /// refused).
    /// </summary>
    [ConformanceTest]
    public void Spec116_WriteImporter_GetVPermissionDenied()
    {
        DefaultFixture f = CreateDefaultFixture();
        RsmPageMemory local = NewBuffer(1);
        IImportSegment writer = NewImport(f.C, f.C.LocalNodeId, Id, RsmPermissions.Write);

        AssertOutcome(RsmError.PermissionDenied, () => writer.GetV(Request(RsmIoVector.FromAddress(local.Address, 0, 16))));
        AssertOutcome(RsmError.Success, () => writer.PutV(Request(RsmIoVector.FromAddress(local.Address, 0, 16))));
    }

    /// <summary>
    /// Checklist item 117 (RSMAPI section 9): getv is not affected by barrier mode and never returns 35.
    /// </summary>
    [ConformanceTest]
    public void Spec117_GetVImplicitModeWithoutBarrier_Success()
    {
        DefaultFixture f = CreateDefaultFixture();
        RsmPageMemory local = NewBuffer(1);
        f.B.GetSpan()[..8].Fill(0x12);
        IImportSegment fresh = NewImport(f.C, f.C.LocalNodeId, Id, RsmPermissions.ReadWrite);

        Assert.AreEqual(RsmBarrierMode.Implicit, fresh.GetMode());
        AssertOutcome(RsmError.Success, () => fresh.GetV(Request(RsmIoVector.FromAddress(local.Address, 0, 8))));
        AssertOutcome(RsmError.Success, () => fresh.PutV(Request(RsmIoVector.FromAddress(local.Address, 8, 8))));
        fresh.SetMode(RsmBarrierMode.Explicit);
        AssertOutcome(RsmError.Success, () => fresh.GetV(Request(RsmIoVector.FromAddress(local.Address, 0, 8))));

        Assert.IsTrue(local.GetSpan()[..8].IndexOfAnyExcept((byte)0x12) < 0);
    }

    /// <summary>
    /// Checklist item 117 (RSMAPI section 9): getv is not affected by barrier mode and never returns 35.
    /// </summary>
    [ConformanceTest]
    public void Spec117_GetVAfterBarrierDestroyed_Success()
    {
        DefaultFixture f = CreateDefaultFixture();
        RsmPageMemory local = NewBuffer(1);
        f.Bar.Destroy();

        AssertOutcome(RsmError.BarrierUninitialized, () => f.I.Get(0, new byte[8]));
        AssertOutcome(RsmError.Success, () => f.I.GetV(Request(RsmIoVector.FromAddress(local.Address, 0, 8))));
    }

    /// <summary>
    /// Checklist item 154 (RSMAPI section 9): create_localmemory_handle(NULL, &amp;h, B+1, 1) → BAD_ADDR (16)
    /// (alignment before controller).
    /// </summary>
    [ConformanceTest]
    public void Spec154_CreateLocalMemoryHandle_MisalignedAddressReleasedController_BadAddress()
    {
        RsmPageMemory b = NewBuffer();
        IRsmController released = NewController();
        released.Release();

        AssertOutcome(RsmError.BadAddress, () => released.CreateLocalMemoryHandle(b.Address + 1, 1));
    }

    /// <summary>
    /// Checklist item 154 (RSMAPI section 9): create_localmemory_handle(NULL, &amp;h, B+1, 1) → BAD_ADDR (16)
    /// (alignment before controller).
    /// </summary>
    [ConformanceTest]
    public void Spec154_CreateLocalMemoryHandle_MisalignedAddress_BadAddress()
    {
        IRsmController c = NewController();
        RsmPageMemory b = NewBuffer();

        AssertOutcome(RsmError.BadAddress, () => c.CreateLocalMemoryHandle(b.Address + 1, 1));
        AssertOutcome(RsmError.BadAddress, () => c.CreateLocalMemoryHandle(b.Address + (nint)(PS / 2), PS));
    }

    /// <summary>
    /// Checklist item 155 (RSMAPI section 9): create_localmemory_handle(NULL, &amp;h, B, 1) → 3; (C, NULL, B, 1) →
    /// BAD_LOCALMEM_HNDL (15); (C, &amp;h, B, 0) → 20.
    /// </summary>
    [ConformanceTest]
    public void Spec155_CreateLocalMemoryHandle_ReleasedController_BadControllerHandle()
    {
        RsmPageMemory b = NewBuffer();
        IRsmController released = NewController();
        released.Release();

        AssertOutcome(RsmError.BadControllerHandle, () => released.CreateLocalMemoryHandle(b.Address, 1));
    }

    /// <summary>
    /// Checklist item 155 (RSMAPI section 9): create_localmemory_handle(NULL, &amp;h, B, 1) → 3; (C, NULL, B, 1) →
    /// BAD_LOCALMEM_HNDL (15); (C, &amp;h, B, 0) → 20.
    /// </summary>
    [ConformanceTest]
    public void Spec155_CreateLocalMemoryHandle_ZeroLength_BadLength()
    {
        IRsmController c = NewController();
        RsmPageMemory b = NewBuffer();

        AssertOutcome(RsmError.BadLength, () => c.CreateLocalMemoryHandle(b.Address, 0));
    }

    /// <summary>
    /// Checklist item 156 (RSMAPI section 9): Loopback: the handle equals <c>B</c>; free → 0.
    /// </summary>
    [ConformanceTest]
    public void Spec156_LocalMemoryHandle_FreeSucceeds()
    {
        IRsmController c = NewController();
        RsmPageMemory b = NewBuffer();
        RsmLocalMemoryHandle handle = c.CreateLocalMemoryHandle(b.Address, 1);

        if (Harness.ProviderName == "Loopback")
        {
            Assert.AreEqual(b.Address, handle.Address, "a Loopback local memory handle is the address itself");
        }

        Assert.IsFalse(handle.IsFreed);
        AssertOutcome(RsmError.Success, () => c.FreeLocalMemoryHandle(handle));
        Assert.IsTrue(handle.IsFreed);
    }

    /// <summary>
    /// Checklist item 157 (RSMAPI section 9): free_localmemory_handle(NULL, h) → 3; (C, NULL) → 15.
    /// </summary>
    [ConformanceTest]
    public void Spec157_FreeLocalMemoryHandle_ReleasedController_BadControllerHandle()
    {
        RsmPageMemory b = NewBuffer();
        IRsmController released = NewController();
        RsmLocalMemoryHandle handle = released.CreateLocalMemoryHandle(b.Address, PS);
        released.Release();

        AssertOutcome(RsmError.BadControllerHandle, () => released.FreeLocalMemoryHandle(handle));
        AssertOutcome(RsmError.BadControllerHandle, () => released.FreeLocalMemoryHandle(null));
    }

    /// <summary>
    /// Checklist item 157 (RSMAPI section 9): free_localmemory_handle(NULL, h) → 3; (C, NULL) → 15.
    /// </summary>
    [ConformanceTest]
    public void Spec157_FreeLocalMemoryHandle_NullHandle_BadLocalMemoryHandle()
    {
        IRsmController c = NewController();

        AssertOutcome(RsmError.BadLocalMemoryHandle, () => c.FreeLocalMemoryHandle(null));
    }

    /// <summary>
    /// Checklist item 157 (RSMAPI section 9): free_localmemory_handle(NULL, h) → 3; (C, NULL) → 15.
    /// </summary>
    [ConformanceTest]
    public void Spec157_FreeLocalMemoryHandle_FreedHandle_BadLocalMemoryHandle()
    {
        IRsmController c = NewController();
        RsmPageMemory b = NewBuffer();
        RsmLocalMemoryHandle handle = c.CreateLocalMemoryHandle(b.Address, PS);
        c.FreeLocalMemoryHandle(handle);

        AssertOutcome(RsmError.BadLocalMemoryHandle, () => c.FreeLocalMemoryHandle(handle));
    }

    /// <summary>
    /// Checklist item 113 (RSMAPI section 9): putv using a handle from <c>rsm_create_localmemory_handle</c> as source →
    /// 0, data copied.
    /// </summary>
    [ConformanceTest]
    public void Spec113_PutVWithFreedHandle_BadLocalMemoryHandle()
    {
        DefaultFixture f = CreateDefaultFixture();
        RsmPageMemory local = NewBuffer(1);
        RsmLocalMemoryHandle handle = f.C.CreateLocalMemoryHandle(local.Address, PS);
        f.C.FreeLocalMemoryHandle(handle);

        AssertOutcome(RsmError.BadLocalMemoryHandle, () => f.I.PutV(Request(RsmIoVector.FromHandle(handle, 0, 0, 16))));
    }

    private static RsmScatterGather Request(params RsmIoVector[] vectors)
    {
        var request = new RsmScatterGather();
        foreach (RsmIoVector v in vectors)
        {
            request.Vectors.Add(v);
        }

        return request;
    }

    /// <summary>Elements of 16 bytes each, from consecutive 16-byte pieces of <paramref name="local"/> to every 64th segment byte.</summary>
    private static RsmScatterGather SixteenByteElements(RsmPageMemory local, int count)
    {
        var request = new RsmScatterGather();
        for (int i = 0; i < count; i++)
        {
            request.Vectors.Add(RsmIoVector.FromAddress(local.Address + (i * 16), (nuint)(i * 64), 16));
        }

        return request;
    }
}
