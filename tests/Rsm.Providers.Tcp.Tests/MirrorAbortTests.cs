using System.Buffers;
using Rsm.Engine;
using Rsm.Providers.Tcp.Internal;
using Rsm.Providers.Tcp.Internal.Wire;

namespace Rsm.Providers.Tcp.Tests;

/// <summary>
/// An abort reaches a mirror on the connection's reader. It must not wait for a refresh that is itself waiting for a
/// reply only that reader can deliver: the abort returns while the refresh still waits.
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
