using System.Runtime.InteropServices;

namespace Rsm.Conformance;

/// <summary>Conformance area LockOperations: atomic compare-exchange, exchange and fetch-add on segments created with
/// <see cref="ExportFlags.LockOperations"/> (DECISIONS N3, L1-L3 and F10; items 200 and up).</summary>
public abstract class LockOperationsConformanceTests : ConformanceTestBase
{
    private const int Increments = 100_000;

    /// <summary>
    /// Check 200, beyond the checklist: CompareExchange32 returns the old value and stores only on a match (DECISIONS
    /// L1).
    /// </summary>
    [ConformanceTest]
    public void Spec200_CompareExchange32_MatchingComparand_ReturnsOldAndStores()
    {
        RequireLocks();
        DefaultFixture f = CreateDefaultFixture(ExportFlags.LockOperations);
        WriteUInt32(f, 64, 7);

        Assert.AreEqual(7u, f.I.CompareExchange32(64, 99, 7));
        Assert.AreEqual(99u, ReadUInt32(f, 64));
    }

    /// <summary>
    /// Check 200, beyond the checklist: CompareExchange32 returns the old value and stores only on a match (DECISIONS
    /// L1).
    /// </summary>
    [ConformanceTest]
    public void Spec200_CompareExchange32_DifferentComparand_ReturnsOldAndLeavesMemory()
    {
        RequireLocks();
        DefaultFixture f = CreateDefaultFixture(ExportFlags.LockOperations);
        WriteUInt32(f, 64, 7);

        Assert.AreEqual(7u, f.I.CompareExchange32(64, 99, 8));
        Assert.AreEqual(7u, ReadUInt32(f, 64));
        Assert.AreEqual(0u, ReadUInt32(f, 60));
        Assert.AreEqual(0u, ReadUInt32(f, 68));
    }

    /// <summary>
    /// Check 201, beyond the checklist: CompareExchange64 returns the old value and stores only on a match (DECISIONS
    /// L1).
    /// </summary>
    [ConformanceTest]
    public void Spec201_CompareExchange64_MatchingComparand_ReturnsOldAndStores()
    {
        RequireLocks();
        DefaultFixture f = CreateDefaultFixture(ExportFlags.LockOperations);
        WriteUInt64(f, (int)PS + 8, 0x1122334455667788UL);

        Assert.AreEqual(0x1122334455667788UL, f.I.CompareExchange64((long)PS + 8, 0x8877665544332211UL, 0x1122334455667788UL));
        Assert.AreEqual(0x8877665544332211UL, ReadUInt64(f, (int)PS + 8));
    }

    /// <summary>
    /// Check 201, beyond the checklist: CompareExchange64 returns the old value and stores only on a match (DECISIONS
    /// L1).
    /// </summary>
    [ConformanceTest]
    public void Spec201_CompareExchange64_DifferentComparand_ReturnsOldAndLeavesMemory()
    {
        RequireLocks();
        DefaultFixture f = CreateDefaultFixture(ExportFlags.LockOperations);
        WriteUInt64(f, 8, 0x1122334455667788UL);

        Assert.AreEqual(0x1122334455667788UL, f.I.CompareExchange64(8, 5, 0x1122334455667789UL));
        Assert.AreEqual(0x1122334455667788UL, ReadUInt64(f, 8));
    }

    /// <summary>
    /// Check 202, beyond the checklist: Exchange32 and Exchange64 return the old value and store the new one (DECISIONS
    /// L1).
    /// </summary>
    [ConformanceTest]
    public void Spec202_Exchange32_ReturnsOldAndStores()
    {
        RequireLocks();
        DefaultFixture f = CreateDefaultFixture(ExportFlags.LockOperations);
        WriteUInt32(f, 4, 0xDEADBEEFu);

        Assert.AreEqual(0xDEADBEEFu, f.I.Exchange32(4, 0x01020304u));
        Assert.AreEqual(0x01020304u, ReadUInt32(f, 4));
        Assert.AreEqual(0x01020304u, f.I.Exchange32(4, 0));
        Assert.AreEqual(0u, ReadUInt32(f, 4));
    }

    /// <summary>
    /// Check 202, beyond the checklist: Exchange32 and Exchange64 return the old value and store the new one (DECISIONS
    /// L1).
    /// </summary>
    [ConformanceTest]
    public void Spec202_Exchange64_ReturnsOldAndStores()
    {
        RequireLocks();
        DefaultFixture f = CreateDefaultFixture(ExportFlags.LockOperations);
        WriteUInt64(f, (int)L - 8, ulong.MaxValue);

        Assert.AreEqual(ulong.MaxValue, f.I.Exchange64((long)L - 8, 42));
        Assert.AreEqual(42UL, ReadUInt64(f, (int)L - 8));
    }

    /// <summary>
    /// Check 203, beyond the checklist: FetchAdd32 and FetchAdd64 return the old value and add with wrap-around; get
    /// sees the result (DECISIONS L1).
    /// </summary>
    [ConformanceTest]
    public void Spec203_FetchAdd32_ReturnsOldAndAddsWrapping()
    {
        RequireLocks();
        DefaultFixture f = CreateDefaultFixture(ExportFlags.LockOperations);
        WriteUInt32(f, 16, 10);

        Assert.AreEqual(10u, f.I.FetchAdd32(16, 5));
        Assert.AreEqual(15u, ReadUInt32(f, 16));
        Assert.AreEqual(15u, f.I.FetchAdd32(16, uint.MaxValue));
        Assert.AreEqual(14u, ReadUInt32(f, 16));
        WriteUInt32(f, 16, uint.MaxValue);
        Assert.AreEqual(uint.MaxValue, f.I.FetchAdd32(16, 2));
        Assert.AreEqual(1u, ReadUInt32(f, 16));
    }

    /// <summary>
    /// Check 203, beyond the checklist: FetchAdd32 and FetchAdd64 return the old value and add with wrap-around; get
    /// sees the result (DECISIONS L1).
    /// </summary>
    [ConformanceTest]
    public void Spec203_FetchAdd64_ReturnsOldAndAddsWrapping()
    {
        RequireLocks();
        DefaultFixture f = CreateDefaultFixture(ExportFlags.LockOperations);
        WriteUInt64(f, 24, 0x0000000100000000UL);

        Assert.AreEqual(0x0000000100000000UL, f.I.FetchAdd64(24, 0xFFFFFFFFUL));
        Assert.AreEqual(0x00000001FFFFFFFFUL, ReadUInt64(f, 24));
        WriteUInt64(f, 24, ulong.MaxValue);
        Assert.AreEqual(ulong.MaxValue, f.I.FetchAdd64(24, 1));
        Assert.AreEqual(0UL, ReadUInt64(f, 24));
    }

    /// <summary>
    /// Check 203, beyond the checklist: FetchAdd32 and FetchAdd64 return the old value and add with wrap-around; get
    /// sees the result (DECISIONS L1).
    /// </summary>
    [ConformanceTest]
    public void Spec203_LockOperations_VisibleToGet()
    {
        RequireLocks();
        DefaultFixture f = CreateDefaultFixture(ExportFlags.LockOperations);
        uint[] got = new uint[1];

        _ = f.I.FetchAdd32(0, 3);
        _ = f.I.FetchAdd32(0, 4);

        AssertOutcome(RsmError.Success, () => f.I.Get32(0, got));
        Assert.AreEqual(7u, got[0]);
    }

    /// <summary>
    /// Check 204, beyond the checklist: Lock operations on a segment created without ExportFlags.LockOperations give
    /// LocksNotEnabled (29) (DECISIONS L2).
    /// </summary>
    [ConformanceTest]
    public void Spec204_SegmentWithoutFlag_EveryOperationLocksNotEnabled()
    {
        DefaultFixture f = CreateDefaultFixture();
        WriteUInt32(f, 0, 5);

        AssertOutcome(RsmError.LocksNotEnabled, () => f.I.CompareExchange32(0, 1, 5));
        AssertOutcome(RsmError.LocksNotEnabled, () => f.I.CompareExchange64(8, 1, 0));
        AssertOutcome(RsmError.LocksNotEnabled, () => f.I.Exchange32(0, 1));
        AssertOutcome(RsmError.LocksNotEnabled, () => f.I.Exchange64(8, 1));
        AssertOutcome(RsmError.LocksNotEnabled, () => f.I.FetchAdd32(0, 1));
        AssertOutcome(RsmError.LocksNotEnabled, () => f.I.FetchAdd64(8, 1));

        Assert.AreEqual(5u, ReadUInt32(f, 0));
        Assert.AreEqual(0UL, ReadUInt64(f, 8));
    }

    /// <summary>
    /// Check 204, beyond the checklist: Lock operations on a segment created without ExportFlags.LockOperations give
    /// LocksNotEnabled (29) (DECISIONS L2).
    /// </summary>
    [ConformanceTest]
    public void Spec204_SegmentWithOtherFlags_LocksNotEnabled()
    {
        DefaultFixture f = CreateDefaultFixture(ExportFlags.AllowRebind | ExportFlags.CreateSegmentDontWait);

        AssertOutcome(RsmError.LocksNotEnabled, () => f.I.FetchAdd32(0, 1));
        AssertOutcome(RsmError.LocksNotEnabled, () => f.I.Exchange64(0, 1));
    }

    /// <summary>
    /// Check 205, beyond the checklist: A lock operation at an offset that is not a multiple of the word size gives
    /// BadMemoryAlignment (17).
    /// </summary>
    [ConformanceTest]
    public void Spec205_MisalignedOffset_BadMemoryAlignment()
    {
        RequireLocks();
        DefaultFixture f = CreateDefaultFixture(ExportFlags.LockOperations);

        AssertOutcome(RsmError.BadMemoryAlignment, () => f.I.CompareExchange32(2, 1, 0));
        AssertOutcome(RsmError.BadMemoryAlignment, () => f.I.Exchange32(1, 1));
        AssertOutcome(RsmError.BadMemoryAlignment, () => f.I.FetchAdd32(6, 1));
        AssertOutcome(RsmError.BadMemoryAlignment, () => f.I.CompareExchange64(4, 1, 0));
        AssertOutcome(RsmError.BadMemoryAlignment, () => f.I.Exchange64(12, 1));
        AssertOutcome(RsmError.BadMemoryAlignment, () => f.I.FetchAdd64(3, 1));

        Assert.IsTrue(f.B.GetSpan()[..16].IndexOfAnyExcept((byte)0) < 0, "a refused lock operation changed the exporter's memory");
    }

    /// <summary>
    /// Check 206, beyond the checklist: A lock operation outside the segment or the mapped window gives BadOffset (18).
    /// </summary>
    [ConformanceTest]
    public void Spec206_OffsetOutOfRange_BadOffset()
    {
        RequireLocks();
        DefaultFixture f = CreateDefaultFixture(ExportFlags.LockOperations);

        AssertOutcome(RsmError.BadOffset, () => f.I.CompareExchange32((long)L, 1, 0));
        AssertOutcome(RsmError.BadOffset, () => f.I.Exchange32((long)L + 4, 1));
        AssertOutcome(RsmError.BadOffset, () => f.I.FetchAdd32(-4, 1));
        AssertOutcome(RsmError.BadOffset, () => f.I.CompareExchange64((long)L, 1, 0));
        AssertOutcome(RsmError.BadOffset, () => f.I.Exchange64(-8, 1));
        AssertOutcome(RsmError.BadOffset, () => f.I.FetchAdd64(long.MaxValue - 7, 1));
        AssertOutcome(RsmError.Success, () => f.I.FetchAdd32((long)L - 4, 1));
        AssertOutcome(RsmError.Success, () => f.I.FetchAdd64((long)L - 16, 1));
    }

    /// <summary>
    /// Check 206, beyond the checklist: A lock operation outside the segment or the mapped window gives BadOffset (18).
    /// </summary>
    [ConformanceTest]
    public void Spec206_OutsideMappedWindow_BadOffset()
    {
        RequireLocks();
        Require(ConformanceCapabilities.Mapping, "the window is an explicit mapping");
        DefaultFixture f = CreateDefaultFixture(ExportFlags.LockOperations);
        _ = f.I.Map(RsmPermissions.ReadWrite, (long)PS, PS);

        AssertOutcome(RsmError.BadOffset, () => f.I.FetchAdd32(0, 1));
        AssertOutcome(RsmError.BadOffset, () => f.I.FetchAdd64((long)(2 * PS), 1));
        AssertOutcome(RsmError.Success, () => f.I.FetchAdd32((long)PS, 1));

        Assert.AreEqual(1u, ReadUInt32(f, (int)PS));
        Assert.AreEqual(0u, ReadUInt32(f, 0));
    }

    /// <summary>
    /// Check 207, beyond the checklist: A lock operation needs ReadWrite: Read or Write importers get PermissionDenied
    /// (27).
    /// </summary>
    [ConformanceTest]
    public void Spec207_ReadImporter_PermissionDenied()
    {
        RequireLocks();
        DefaultFixture f = CreateDefaultFixture(ExportFlags.LockOperations);
        IImportSegment reader = NewImport(f.C, f.C.LocalNodeId, Id, RsmPermissions.Read);
        WriteUInt32(f, 0, 9);

        AssertOutcome(RsmError.PermissionDenied, () => reader.CompareExchange32(0, 1, 9));
        AssertOutcome(RsmError.PermissionDenied, () => reader.CompareExchange64(8, 1, 0));
        AssertOutcome(RsmError.PermissionDenied, () => reader.Exchange32(0, 1));
        AssertOutcome(RsmError.PermissionDenied, () => reader.Exchange64(8, 1));
        AssertOutcome(RsmError.PermissionDenied, () => reader.FetchAdd32(0, 1));
        AssertOutcome(RsmError.PermissionDenied, () => reader.FetchAdd64(8, 1));

        Assert.AreEqual(9u, ReadUInt32(f, 0));
        Assert.AreEqual(0UL, ReadUInt64(f, 8));
    }

    /// <summary>
    /// Check 207, beyond the checklist: A lock operation needs ReadWrite: Read or Write importers get PermissionDenied
    /// (27).
    /// </summary>
    [ConformanceTest]
    public void Spec207_WriteImporter_PermissionDenied()
    {
        RequireLocks();
        DefaultFixture f = CreateDefaultFixture(ExportFlags.LockOperations);
        IImportSegment writer = NewImport(f.C, f.C.LocalNodeId, Id, RsmPermissions.Write);

        AssertOutcome(RsmError.PermissionDenied, () => writer.FetchAdd32(0, 1));
        AssertOutcome(RsmError.PermissionDenied, () => writer.CompareExchange64(8, 1, 0));

        Assert.AreEqual(0u, ReadUInt32(f, 0));
    }

    /// <summary>
    /// Check 208, beyond the checklist: Lock operations are atomic against the exporter's own atomics and other
    /// importers: no update is lost (DECISIONS L3).
    /// </summary>
    [ConformanceTest]
    public void Spec208_ImporterFetchAddAndExporterInterlockedAdd_NoLostUpdates()
    {
        RequireLocks();
        DefaultFixture f = CreateDefaultFixture(ExportFlags.LockOperations);
        const int offset = 128;
        nint word = f.B.Address + offset;
        Exception? importerFailure = null;
        Exception? exporterFailure = null;
        using var start = new Barrier(2);
        var importer = new Thread(() =>
        {
            try
            {
                start.SignalAndWait(TimeSpan.FromSeconds(30));
                for (int i = 0; i < Increments; i++)
                {
                    _ = f.I.FetchAdd32(offset, 1);
                }
            }
            catch (Exception ex)
            {
                importerFailure = ex;
            }
        })
        {
            IsBackground = true,
        };
        var exporter = new Thread(() =>
        {
            try
            {
                start.SignalAndWait(TimeSpan.FromSeconds(30));
                for (int i = 0; i < Increments; i++)
                {
                    _ = Interlocked.Add(ref WordAt(word), 1);
                }
            }
            catch (Exception ex)
            {
                exporterFailure = ex;
            }
        })
        {
            IsBackground = true,
        };

        importer.Start();
        exporter.Start();

        Assert.IsTrue(importer.Join(TimeSpan.FromMinutes(2)), "the importer thread did not finish");
        Assert.IsTrue(exporter.Join(TimeSpan.FromMinutes(2)), "the exporter thread did not finish");
        Assert.IsNull(importerFailure, importerFailure?.ToString());
        Assert.IsNull(exporterFailure, exporterFailure?.ToString());
        Assert.AreEqual((uint)(2 * Increments), ReadUInt32(f, offset));
        Assert.AreEqual((uint)(2 * Increments), f.I.FetchAdd32(offset, 0));
    }

    /// <summary>
    /// Check 208, beyond the checklist: Lock operations are atomic against the exporter's own atomics and other
    /// importers: no update is lost (DECISIONS L3).
    /// </summary>
    [ConformanceTest]
    public void Spec208_TwoImportersFetchAdd64_NoLostUpdates()
    {
        RequireLocks();
        DefaultFixture f = CreateDefaultFixture(ExportFlags.LockOperations);
        IImportSegment other = NewImport(f.C, f.C.LocalNodeId, Id, RsmPermissions.ReadWrite);
        const int offset = 256;
        var failures = new Exception?[2];
        IImportSegment[] importers = [f.I, other];
        Thread[] threads = new Thread[2];
        for (int t = 0; t < threads.Length; t++)
        {
            int index = t;
            threads[t] = new Thread(() =>
            {
                try
                {
                    for (int i = 0; i < Increments; i++)
                    {
                        _ = importers[index].FetchAdd64(offset, 1);
                    }
                }
                catch (Exception ex)
                {
                    failures[index] = ex;
                }
            })
            {
                IsBackground = true,
            };
        }

        foreach (Thread t in threads)
        {
            t.Start();
        }

        foreach (Thread t in threads)
        {
            Assert.IsTrue(t.Join(TimeSpan.FromMinutes(2)), "an importer thread did not finish");
        }

        Assert.IsNull(failures[0], failures[0]?.ToString());
        Assert.IsNull(failures[1], failures[1]?.ToString());
        Assert.AreEqual((ulong)(2 * Increments), ReadUInt64(f, offset));
    }

    /// <summary>
    /// Check 209, beyond the checklist: Lock operations succeed on a flagged segment (or give LocksNotSupported (28)
    /// where the capability is missing), give BadSegmentHandle (5) after disconnect and ConnectionAborted (40) after a
    /// forced disconnect.
    /// </summary>
    [ConformanceTest]
    public void Spec209_FlaggedSegment_SucceedsOrLocksNotSupported()
    {
        DefaultFixture f = CreateDefaultFixture(ExportFlags.LockOperations);
        bool supported = (Harness.Capabilities & ConformanceCapabilities.LockOperations) != 0;
        RsmError expected = supported ? RsmError.Success : RsmError.LocksNotSupported;

        AssertOutcome(expected, () => f.I.FetchAdd32(0, 1));
        AssertOutcome(expected, () => f.I.CompareExchange64(8, 1, 0));
        AssertOutcome(expected, () => f.I.Exchange32(4, 1));
    }

    /// <summary>
    /// Check 209, beyond the checklist: Lock operations succeed on a flagged segment (or give LocksNotSupported (28)
    /// where the capability is missing), give BadSegmentHandle (5) after disconnect and ConnectionAborted (40) after a
    /// forced disconnect.
    /// </summary>
    [ConformanceTest]
    public void Spec209_DisconnectedImport_BadSegmentHandle()
    {
        DefaultFixture f = CreateDefaultFixture(ExportFlags.LockOperations);
        IImportSegment gone = NewImport(f.C, f.C.LocalNodeId, Id, RsmPermissions.ReadWrite);
        gone.Disconnect();

        AssertOutcome(RsmError.BadSegmentHandle, () => gone.CompareExchange32(0, 1, 0));
        AssertOutcome(RsmError.BadSegmentHandle, () => gone.Exchange64(0, 1));
        AssertOutcome(RsmError.BadSegmentHandle, () => gone.FetchAdd32(1, 1));
    }

    /// <summary>
    /// Check 209, beyond the checklist: Lock operations succeed on a flagged segment (or give LocksNotSupported (28)
    /// where the capability is missing), give BadSegmentHandle (5) after disconnect and ConnectionAborted (40) after a
    /// forced disconnect.
    /// </summary>
    [ConformanceTest]
    public void Spec209_AbortedImport_ConnectionAborted()
    {
        RequireLocks();
        DefaultFixture f = CreateDefaultFixture(ExportFlags.LockOperations);
        _ = f.I.FetchAdd32(0, 1);

        f.E.Unpublish();

        AssertOutcome(RsmError.ConnectionAborted, () => f.I.FetchAdd32(0, 1));
        AssertOutcome(RsmError.ConnectionAborted, () => f.I.CompareExchange64(8, 1, 0));
        Assert.AreEqual(1u, ReadUInt32(f, 0));
    }

    /// <summary>
    /// Check 210, beyond the checklist: No call returns 19, 37 or 45, and 28/29 come only from lock operations
    /// (DECISIONS F10).
    /// </summary>
    [ConformanceTest]
    public void Spec210_Sweep_NeverReturnedCodesAbsentAndLockCodesOnlyFromLockOperations()
    {
        DefaultFixture plain = CreateDefaultFixture();
        RsmPageMemory b2 = NewBuffer();
        IExportSegment lockedExport = NewExport(plain.C, b2.Address, L, ExportFlags.LockOperations);
        lockedExport.Publish(Id + 1);
        IImportSegment locked = NewImport(plain.C, plain.C.LocalNodeId, Id + 1, RsmPermissions.ReadWrite);
        locked.InitBarrier(RsmBarrierType.Node, new RsmBarrier());
        IImportSegment gone = NewImport(plain.C, plain.C.LocalNodeId, Id + 1, RsmPermissions.ReadWrite);
        gone.Disconnect();
        RsmPageMemory local = NewBuffer(1);
        var seen = new List<string>();

        void Check(string name, bool isLockOperation, Action call)
        {
            RsmError outcome = Outcome(call);
            seen.Add($"{name}: {outcome}");
            Assert.AreNotEqual(RsmError.MisalignedOffset, outcome, name);
            Assert.AreNotEqual(RsmError.BarrierNotOpened, outcome, name);
            Assert.AreNotEqual(RsmError.SegmentNotConnected, outcome, name);
            if (!isLockOperation)
            {
                Assert.AreNotEqual(RsmError.LocksNotSupported, outcome, name);
                Assert.AreNotEqual(RsmError.LocksNotEnabled, outcome, name);
            }
        }

        foreach ((string label, IImportSegment target) in new[] { ("unflagged", plain.I), ("flagged", locked), ("disconnected", gone) })
        {
            Check($"{label} cas32 offset 2", true, () => target.CompareExchange32(2, 1, 0));
            Check($"{label} cas64 offset 4", true, () => target.CompareExchange64(4, 1, 0));
            Check($"{label} xchg32 offset 1", true, () => target.Exchange32(1, 1));
            Check($"{label} xchg64 offset 12", true, () => target.Exchange64(12, 1));
            Check($"{label} fadd32 offset 3", true, () => target.FetchAdd32(3, 1));
            Check($"{label} fadd64 offset 20", true, () => target.FetchAdd64(20, 1));
            Check($"{label} fadd32 past end", true, () => target.FetchAdd32((long)L, 1));
            Check($"{label} get16 offset 1", false, () => target.Get16(1, new ushort[1]));
            Check($"{label} put32 offset 2", false, () => target.Put32(2, new uint[1]));
            Check($"{label} get64 offset 4", false, () => target.Get64(4, new ulong[1]));
            Check($"{label} get32 pointer 2 mod 4", false, () => target.Get32(0, MemoryMarshal.Cast<byte, uint>(local.GetSpan().Slice(2, 4))));
            Check($"{label} put", false, () => target.Put(0, new byte[4]));
            Check($"{label} getv", false, () => target.GetV(new RsmScatterGather { Vectors = { RsmIoVector.FromAddress(local.Address, 0, 8) } }));
            Check($"{label} unmap", false, target.Unmap);
            Check($"{label} signal post", false, () => target.SignalPost());
        }

        lockedExport.Unpublish();
        Check("aborted fadd32", true, () => locked.FetchAdd32(0, 1));
        Check("aborted get", false, () => locked.Get(0, new byte[4]));

        Assert.AreEqual(RsmError.LocksNotEnabled, Outcome(() => plain.I.FetchAdd32(0, 1)), string.Join(Environment.NewLine, seen));
    }

    private void RequireLocks() =>
        Require(ConformanceCapabilities.LockOperations, "the lock operation must run atomically (DECISIONS L1, L3)");

    private static unsafe ref int WordAt(nint address) => ref *(int*)address;

    private static uint ReadUInt32(DefaultFixture f, int offset) => MemoryMarshal.Read<uint>(f.B.GetSpan()[offset..]);

    private static ulong ReadUInt64(DefaultFixture f, int offset) => MemoryMarshal.Read<ulong>(f.B.GetSpan()[offset..]);

    private static void WriteUInt32(DefaultFixture f, int offset, uint value) => MemoryMarshal.Write(f.B.GetSpan()[offset..], in value);

    private static void WriteUInt64(DefaultFixture f, int offset, ulong value) => MemoryMarshal.Write(f.B.GetSpan()[offset..], in value);
}
