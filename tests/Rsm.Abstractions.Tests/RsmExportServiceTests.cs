using System.Buffers;
using Rsm.Engine;

namespace Rsm.Abstractions.Tests;

[TestClass]
public sealed class RsmExportServiceTests
{
    private const uint Id = 0x10000001;
    private const uint Importer = 2;

    private static readonly RsmCredentials Stranger = new(12345, 12345, [], 0, 0);

    [TestMethod]
    public void Admit_ChecksInSpecOrder_BitsThenPublishedThenNodeThenCredentialsThenClass()
    {
        using var node = new TestNode();
        RsmExportService exports = node.Node.Exports;

        // Bits outside 0600 are refused before anything else, even for an id nobody published.
        AssertError(RsmError.PermissionDenied, () => exports.Admit(new RecordingImport(), Id, Importer, (RsmPermissions)0x1FF, Stranger));
        AssertError(RsmError.SegmentNotPublished, () => exports.Admit(new RecordingImport(), Id, Importer, RsmPermissions.Read, Stranger));

        IExportSegment segment = node.Create();
        segment.Publish(Id, [new RsmAccessEntry(3, 0x1B6)]);
        AssertError(RsmError.SegmentNotPublishedToNode, () => exports.Admit(new RecordingImport(), Id, Importer, RsmPermissions.Read, Stranger));

        segment.Republish([new RsmAccessEntry(Importer, 0x180 /* 0600: owner only */)]);
        var unknown = new RecordingImport();
        AssertError(RsmError.PermissionDenied, () => exports.Admit(unknown, Id, Importer, RsmPermissions.Read, importer: null));
        AssertError(RsmError.PermissionDenied, () => exports.Admit(new RecordingImport(), Id, Importer, RsmPermissions.Read, Stranger));
        Assert.IsFalse(unknown.IsAdmitted);

        segment.Unpublish();
        Assert.AreEqual(0, unknown.Aborts, "a refused import never joined the segment");
    }

    [TestMethod]
    public void Admit_Granted_ReportsTheSegmentAndJoinsIt()
    {
        using var node = new TestNode();
        IExportSegment segment = node.Create();
        segment.Publish(Id, [new RsmAccessEntry(Importer, 0x1A4 /* 0644 */)]);
        var import = new RecordingImport();

        RsmAdmission admission = node.Node.Exports.Admit(import, Id, Importer, RsmPermissions.Read, Stranger);

        Assert.AreEqual(0x1A4u, admission.GrantedMode);
        Assert.AreEqual(RsmPageMemory.PageSize, admission.Length);
        Assert.AreEqual(1u, admission.NodeId);
        Assert.IsTrue(import.IsAdmitted);
        Assert.AreEqual(Importer, import.ImporterNodeId);
        Assert.AreEqual(RsmPermissions.Read, import.Permission);
        Assert.ThrowsExactly<InvalidOperationException>(() => node.Node.Exports.Admit(import, Id, Importer, RsmPermissions.Read, Stranger));

        segment.Unpublish();
        Assert.AreEqual(1, import.Aborts);
        Assert.AreEqual(1, import.AbortsAwaited);
        Assert.IsTrue(import.IsAborted);
        AssertError(RsmError.ConnectionAborted, () => node.Node.Exports.Read(import, 0, new byte[8], 1));
    }

    [TestMethod]
    public void Admit_DeliveryFails_ImportDoesNotJoin()
    {
        using var node = new TestNode();
        IExportSegment segment = node.Create();
        segment.Publish(Id);
        var import = new RecordingImport();
        bool lockHeld = false;

        _ = node.Node.Exports.Admit(import, Id, Importer, RsmPermissions.Read, Stranger, _ =>
        {
            lockHeld = Monitor.IsEntered(node.Node.SyncRoot);
            return false;
        });

        Assert.IsTrue(lockHeld, "the admission is delivered with the node's lock held");
        Assert.IsFalse(import.IsAdmitted);
        segment.Unpublish();
        Assert.AreEqual(0, import.Aborts);
    }

    [TestMethod]
    public void Republish_PushesTheNewModeUnderTheLock()
    {
        using var node = new TestNode();
        IExportSegment segment = node.Create();
        segment.Publish(Id, [new RsmAccessEntry(Importer, 0x1B6)]);
        var import = new RecordingImport(node.Node);
        _ = node.Node.Exports.Admit(import, Id, Importer, RsmPermissions.ReadWrite, Stranger);

        segment.Republish([new RsmAccessEntry(Importer, 0x124)]);

        CollectionAssert.AreEqual(new uint[] { 0x124 }, import.Grants);
        Assert.IsTrue(import.GrantsUnderLock);
        Assert.AreEqual(0x124u, import.GrantedMode);
    }

    [TestMethod]
    public void ReadWriteAtomic_JudgeEveryAccess()
    {
        using var node = new TestNode();
        IExportSegment segment = node.Create();
        segment.Publish(Id, [new RsmAccessEntry(Importer, 0x1B6)]);
        RsmExportService exports = node.Node.Exports;
        var writer = new RecordingImport();
        var reader = new RecordingImport();
        _ = exports.Admit(writer, Id, Importer, RsmPermissions.Write, Stranger);
        _ = exports.Admit(reader, Id, Importer, RsmPermissions.Read, Stranger);
        long length = (long)RsmPageMemory.PageSize;

        AssertError(RsmError.PermissionDenied, () => exports.Read(writer, 0, new byte[8], 1));
        AssertError(RsmError.PermissionDenied, () => exports.Write(reader, 0, new byte[8], 1));
        AssertError(RsmError.PermissionDenied, () => exports.Atomic(writer, AtomicOperation.FetchAdd, 0, 1, 0, 8));
        AssertError(RsmError.BadOffset, () => exports.Write(writer, length - 4, new byte[8], 1));
        AssertError(RsmError.BadOffset, () => exports.Write(writer, 4, new byte[8], 8));
        AssertError(RsmError.BadOffset, () => exports.Read(reader, -8, new byte[8], 1));
        AssertError(RsmError.BadOffset, () => exports.TryBeginDirectAccess(reader, length, 1, RsmPermissions.Read, out _));

        exports.Release(writer);
        AssertError(RsmError.ConnectionAborted, () => exports.Write(writer, 0, new byte[8], 1));
        exports.Release(writer);
    }

    [TestMethod]
    public void Write_SplitBuffers_ElementsStoredWholeAndReadBackExactly()
    {
        using var node = new TestNode();
        IExportSegment segment = node.Create();
        segment.Publish(Id, [new RsmAccessEntry(Importer, 0x1B6)]);
        var import = new RecordingImport();
        _ = node.Node.Exports.Admit(import, Id, Importer, RsmPermissions.ReadWrite, Stranger);
        byte[] data = [.. Enumerable.Range(1, 64).Select(i => (byte)i)];

        // Buffers of 3, 10 and 51 bytes: most 8-byte elements straddle a boundary.
        node.Node.Exports.Write(import, 64, Chain(data, 3, 10), 8);

        byte[] back = new byte[64];
        node.Node.Exports.Read(import, 64, back, 8);
        CollectionAssert.AreEqual(data, back);
        byte[] narrow = new byte[64];
        node.Node.Exports.Read(import, 64, narrow, 2);
        CollectionAssert.AreEqual(data, narrow);
    }

    [TestMethod]
    public void Atomic_SeveralImportersAtOnce_NoAdditionLost()
    {
        using var node = new TestNode();
        IExportSegment segment = node.Create();
        segment.Publish(Id, [new RsmAccessEntry(Importer, 0x1B6)]);
        RsmExportService exports = node.Node.Exports;
        RecordingImport[] imports = [.. Enumerable.Range(0, 4).Select(_ => new RecordingImport())];
        foreach (RecordingImport import in imports)
        {
            _ = exports.Admit(import, Id, Importer, RsmPermissions.ReadWrite, Stranger);
        }

        const int Additions = 20_000;
        Task[] workers = [.. imports.Select(import => Task.Run(() =>
        {
            for (int i = 0; i < Additions; i++)
            {
                _ = exports.Atomic(import, AtomicOperation.FetchAdd, 8, 1, 0, 8);
                _ = exports.Atomic(import, AtomicOperation.FetchAdd, 16, 1, 0, 4);
            }
        }))];
        Assert.IsTrue(Task.WaitAll(workers, TimeSpan.FromSeconds(60)));

        Assert.AreEqual((ulong)(4 * Additions), exports.Atomic(imports[0], AtomicOperation.Exchange, 8, 0, 0, 8));
        Assert.AreEqual((ulong)(4 * Additions), exports.Atomic(imports[0], AtomicOperation.CompareExchange, 16, 7, 4 * Additions, 4));
        Assert.AreEqual(7ul, exports.Atomic(imports[0], AtomicOperation.FetchAdd, 16, 0, 0, 4));
        AssertError(RsmError.BadOffset, () => exports.Atomic(imports[0], AtomicOperation.FetchAdd, 16, 1, 0, 2));
    }

    [TestMethod]
    public void PostSignal_ReachesTheSegmentPublishedNowAndDropsOtherwise()
    {
        using var node = new TestNode();
        IExportSegment segment = node.Create();
        segment.Publish(Id);

        node.Node.Exports.PostSignal(Id);
        node.Node.Exports.PostSignal(Id + 1);

        segment.SignalWait(0);
        Assert.AreEqual(RsmError.Timeout, Assert.ThrowsExactly<RsmException>(() => segment.SignalWait(0)).Error);
    }

    [TestMethod]
    public unsafe void DirectAccess_SharedPages_WritesTheSegmentAndUnmapsAfterTheAbort()
    {
        using var node = new TestNode(sharedPages: true);
        IExportSegment segment = node.Create();
        segment.Publish(Id, [new RsmAccessEntry(Importer, 0x1B6)]);
        var import = new RecordingImport();
        _ = node.Node.Exports.Admit(import, Id, Importer, RsmPermissions.ReadWrite, Stranger);
        int baseline = SegmentMappings();

        Assert.IsTrue(node.Node.Exports.TryBeginDirectAccess(import, 128, 4, RsmPermissions.Write, out nint address));
        new Span<byte>((void*)address, 4).Fill(0x5A);
        RsmExportService.EndDirectAccess(import);
        Assert.AreEqual(baseline + 1, SegmentMappings(), "the import maps the pages once for its direct accesses");

        // The exporter's own memory is the pages: it sees the bytes at once.
        Assert.AreEqual(0x5A5A5A5Au, *(uint*)(segment.Address + 128));

        // An access in flight when the abort comes keeps the pages until it ends.
        Assert.IsTrue(node.Node.Exports.TryBeginDirectAccess(import, 0, 8, RsmPermissions.Read, out _));
        segment.Unpublish();
        Assert.AreEqual(baseline + 1, SegmentMappings());
        RsmExportService.EndDirectAccess(import);
        Assert.AreEqual(baseline, SegmentMappings(), "the last access after the abort unmaps them");
        AssertError(RsmError.ConnectionAborted, () => node.Node.Exports.TryBeginDirectAccess(import, 0, 8, RsmPermissions.Read, out _));
    }

    private static int SegmentMappings() => File.ReadLines("/proc/self/maps").Count(line => line.Contains("rsm-segment", StringComparison.Ordinal));

    private static ReadOnlySequence<byte> Chain(byte[] data, int first, int second)
    {
        var head = new Chunk(data.AsMemory(0, first), 0);
        Chunk middle = head.Append(data.AsMemory(first, second));
        Chunk tail = middle.Append(data.AsMemory(first + second));
        return new ReadOnlySequence<byte>(head, 0, tail, tail.Memory.Length);
    }

    private static void AssertError(RsmError expected, Action action) =>
        Assert.AreEqual(expected, Assert.ThrowsExactly<RsmException>(action).Error);

    private sealed class Chunk : ReadOnlySequenceSegment<byte>
    {
        public Chunk(ReadOnlyMemory<byte> memory, long runningIndex)
        {
            Memory = memory;
            RunningIndex = runningIndex;
        }

        public Chunk Append(ReadOnlyMemory<byte> memory)
        {
            var next = new Chunk(memory, RunningIndex + Memory.Length);
            Next = next;
            return next;
        }
    }

    private sealed class RecordingImport(RsmNode? node = null) : RsmRemoteImport
    {
        public int Aborts { get; private set; }

        public int AbortsAwaited { get; private set; }

        public List<uint> Grants { get; } = [];

        public bool GrantsUnderLock { get; private set; } = true;

        protected override void OnForceDisconnect() => Aborts++;

        protected override void OnAwaitAbortSeen() => AbortsAwaited++;

        protected override void OnDeliverSignal()
        {
        }

        protected override void OnGrantedModeChanged(uint mode)
        {
            Grants.Add(mode);
            GrantsUnderLock &= node is null || Monitor.IsEntered(node.SyncRoot);
        }
    }
}
