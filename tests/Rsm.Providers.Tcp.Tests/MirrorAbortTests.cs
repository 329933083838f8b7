using System.Buffers;
using Rsm.Conformance;
using Rsm.Engine;
using Rsm.Providers.Tcp.Internal;
using Rsm.Providers.Tcp.Internal.Wire;

namespace Rsm.Providers.Tcp.Tests;

/// <summary>
/// An abort reaches a mirror on the connection's reader. It must not wait for a refresh that is itself waiting for a
/// reply only that reader can deliver: the abort returns while the refresh still waits. And an access that sees the
/// abort before the reader has told the import segment tells it itself, so that the engine reports it.
/// </summary>
[TestClass]
public sealed class MirrorAbortTests
{
    private static readonly TimeSpan s_requestTimeout = TimeSpan.FromSeconds(60);

    [TestMethod]
    public void Abort_WhileRefreshWaitsForItsReply_ReturnsAtOnce()
    {
        var importer = new ImporterChannel(s_requestTimeout);
        var exporter = new SilentExporter(importer);
        importer.Attach(exporter);
        TcpExportLink link = TcpExportLink.Connect(importer, 1, 0x10, RsmPermissions.ReadWrite, new RsmCredentials(1000, 1000, [], 0, 0), 1 << 20);
        using var mirror = (MirrorView)link.MapView(0, 4096, RsmPermissions.ReadWrite, 0, fixedAddress: false);

        // The refresh sends its get and waits; the exporter never answers.
        Task refresh = Task.Factory.StartNew(mirror.Refresh, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        Assert.IsTrue(exporter.GetSent.Wait(TimeSpan.FromSeconds(30)), "the refresh sent no get");

        Task abort = Task.Run(mirror.Abort);
        Assert.IsTrue(abort.Wait(TimeSpan.FromSeconds(30)), "the abort waited for the refresh");
        Assert.IsFalse(refresh.IsCompleted, "the refresh ended early, so the check proves nothing");

        // The connection's end releases the refresh: its get is cut off, and the import is aborted, so from now on
        // the link reports CONN_ABORTED (40) where the engine asks it (a new mapping here).
        importer.OnClosed(exporter, null);
        Assert.IsTrue(refresh.Wait(TimeSpan.FromSeconds(30)), "the connection's end did not release the refresh");
        RsmException aborted = Assert.ThrowsExactly<RsmException>(() => link.MapView(0, 4096, RsmPermissions.ReadWrite, 0, fixedAddress: false));
        Assert.AreEqual(RsmError.ConnectionAborted, aborted.Error);
    }

    [TestMethod]
    public void Access_WhileTheReaderIsBetweenFlagAndAbort_AbortsTheImportBeforeItReturns()
    {
        var importer = new ImporterChannel(s_requestTimeout);
        var exporter = new SilentExporter(importer);
        importer.Attach(exporter);
        TcpExportLink link = TcpExportLink.Connect(importer, 1, 0x10, RsmPermissions.ReadWrite, new RsmCredentials(1000, 1000, [], 0, 0), 1 << 20);
        using var import = new HeldAbortImport();
        link.Attach(import);

        // The reader has set the link's flag and is about to abort the import segment (held here): an access in between
        // must abort the segment itself, or the engine's generation check would let it report success.
        Task reader = Task.Factory.StartNew(link.OnAborted, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        Assert.IsTrue(import.Entered.Wait(TimeSpan.FromSeconds(30)), "the abort never reached the import segment");

        byte[] read = [1, 2, 3, 4, 5, 6, 7, 8];
        link.Read(0, read, 8);
        CollectionAssert.AreEqual(new byte[8], read, "a get cut off by the abort returns scratch zeros");
        int seen = import.AbortsOn(Environment.CurrentManagedThreadId);
        Assert.IsGreaterThanOrEqualTo(1, seen, "the get returned before the import was aborted");
        link.Write(0, read, 8, acknowledged: true);
        int afterPut = import.AbortsOn(Environment.CurrentManagedThreadId);
        Assert.IsGreaterThan(seen, afterPut, "the put returned before the import was aborted");
        Assert.AreEqual(0UL, link.Atomic(AtomicOperation.FetchAdd, 0, 1, 0, 8));
        Assert.IsGreaterThan(afterPut, import.AbortsOn(Environment.CurrentManagedThreadId), "the lock operation returned before the import was aborted");
        Assert.IsFalse(exporter.GetSent.IsSet, "an access of an aborted import reached the exporter");

        import.Release.Set();
        Assert.IsTrue(reader.Wait(TimeSpan.FromSeconds(30)), "the reader's abort did not return");
    }

    /// <summary>Admits the connect at once and never answers anything else.</summary>
    private sealed class SilentExporter(ImporterChannel importer) : IFrameChannel
    {
        public ManualResetEventSlim GetSent { get; } = new();

        public uint PeerNodeId => 1;

        public bool Send(Opcode opcode, uint requestId, int status, ReadOnlySpan<byte> head, ReadOnlySpan<byte> data = default, FrameFlags flags = FrameFlags.None, bool cork = false)
        {
            if (opcode == Opcode.Connect)
            {
                byte[] reply = new byte[Messages.ConnectReplySize];
                Messages.WriteConnectReply(reply, 7, 4096, ExportFlags.None, 0x1B6, 1000, 1000);
                importer.OnFrame(this, new FrameHeader(Opcode.ConnectReply, requestId, (uint)reply.Length), new ReadOnlySequence<byte>(reply));
            }
            else if (opcode == Opcode.Get)
            {
                GetSent.Set();
            }

            return true;
        }

        public bool SendReferenced(Opcode opcode, uint requestId, ReadOnlySpan<byte> head, nint data, int length, TcpFrameConnection.IFrameCompletion completion)
        {
            completion.OnFrameDone(true);
            return true;
        }

        public bool Post(Opcode opcode, uint requestId, int status, ReadOnlySpan<byte> body, FrameFlags flags = FrameFlags.None) => true;

        public bool Flush() => true;

        public void Close(string reason)
        {
        }
    }
}
