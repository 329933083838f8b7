using System.Net;
using System.Net.Sockets;
using Rsm.Providers.Tcp.Internal.Wire;

namespace Rsm.Providers.Tcp.Tests;

/// <summary>The mutual authentication that opens every connection.</summary>
[TestClass]
public sealed class HandshakeTests
{
    [TestMethod]
    [DataRow(1u, 2u)]
    [DataRow(2u, 1u)]
    public async Task Connect_SameKey_BothSidesReportProvenPeerIds(uint dialerId, uint acceptorId)
    {
        await using var listener = new TestListener(acceptorId);

        ConnectionProbe dialer = await TestNodes.DialAsync(listener, dialerId);
        ConnectionProbe acceptor = await listener.NextAcceptedAsync();

        Assert.AreEqual(acceptorId, dialer.Connection.PeerNodeId);
        Assert.AreEqual(dialerId, dialer.Connection.LocalNodeId);
        Assert.IsTrue(dialer.Connection.IsDialer);
        Assert.AreEqual(dialerId, acceptor.Connection.PeerNodeId);
        Assert.AreEqual(acceptorId, acceptor.Connection.LocalNodeId);
        Assert.IsFalse(acceptor.Connection.IsDialer);
        dialer.Connection.Close();
    }

    [TestMethod]
    public async Task Connect_WrongKey_BothSidesFailAndNothingIsHandedOver()
    {
        await using var listener = new TestListener(2);

        RsmException ex = await Assert.ThrowsExactlyAsync<RsmException>(() =>
            TcpFrameConnection.ConnectAsync(listener.EndPoint, TestNodes.Options(1, 2, TestNodes.OtherKey)).AsTask().WaitAsync(TestNodes.WaitLimit));
        Exception refused = await listener.NextRefusedAsync();

        Assert.AreEqual(RsmError.PermissionDenied, ex.Error);
        Assert.IsInstanceOfType<RsmException>(refused);
        Assert.AreEqual(0, listener.Listener.AcceptedCount);
        Assert.IsFalse(listener.TryGetAccepted(out _));
    }

    [TestMethod]
    public async Task Accept_ProofWithWrongKey_PermissionDenied()
    {
        await using var listener = new TestListener(2);
        using RawPeer peer = await RawPeer.ConnectAsync(listener.EndPoint);

        // The raw dialer knows the key well enough to check the acceptor, then proves with another one.
        await peer.HandshakeAsync(1, TestNodes.Key, proofKey: TestNodes.OtherKey);
        Exception refused = await listener.NextRefusedAsync();
        await peer.WaitForEndAsync();

        Assert.AreEqual(RsmError.PermissionDenied, Assert.IsInstanceOfType<RsmException>(refused).Error);
        StringAssert.Contains(refused.Message, "node id 1");
        Assert.AreEqual(0, listener.Listener.AcceptedCount);
    }

    [TestMethod]
    public async Task Connect_Expecting5_Reaching6_RemoteNodeUnreachable()
    {
        await using var listener = new TestListener(6);

        RsmException ex = await Assert.ThrowsExactlyAsync<RsmException>(() =>
            TcpFrameConnection.ConnectAsync(listener.EndPoint, TestNodes.Options(1, expectedPeer: 5)).AsTask().WaitAsync(TestNodes.WaitLimit));
        Exception refused = await listener.NextRefusedAsync();

        Assert.AreEqual(RsmError.RemoteNodeUnreachable, ex.Error);
        StringAssert.Contains(ex.Message, "node 6");
        Assert.IsInstanceOfType<RsmException>(refused);
        Assert.AreEqual(0, listener.Listener.AcceptedCount);
    }

    [TestMethod]
    public async Task Accept_PeerSendsNothing_DroppedAfterTimeout()
    {
        await using var listener = new TestListener(2, o => o with { Timeout = TimeSpan.FromMilliseconds(300) });
        using RawPeer peer = await RawPeer.ConnectAsync(listener.EndPoint);

        Exception refused = await listener.NextRefusedAsync();
        await peer.WaitForEndAsync();

        Assert.AreEqual(RsmError.RemoteNodeUnreachable, Assert.IsInstanceOfType<RsmException>(refused).Error);
        StringAssert.Contains(refused.Message, "did not complete within 300 ms");
        Assert.AreEqual(0, listener.Listener.PendingHandshakes);
    }

    [TestMethod]
    public async Task Accept_SilentPeerPending_OtherDialersStillAuthenticate()
    {
        // Handshakes wait for their peers with blocking reads: a silent peer must hold up only its own.
        await using var listener = new TestListener(2, o => o with { Timeout = TimeSpan.FromSeconds(60) });
        using RawPeer silent = await RawPeer.ConnectAsync(listener.EndPoint);

        ConnectionProbe dialer = await TestNodes.DialAsync(listener, 1);
        ConnectionProbe acceptor = await listener.NextAcceptedAsync();

        Assert.AreEqual(1u, acceptor.Connection.PeerNodeId);
        Assert.AreEqual(1, listener.Listener.PendingHandshakes, "the silent peer's handshake should still be waiting");
        dialer.Connection.Close();
    }

    [TestMethod]
    public async Task Connect_AcceptorNeverAnswers_RemoteNodeUnreachableAfterTimeout()
    {
        using var mute = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        mute.Bind(TestNodes.AnyPort);
        mute.Listen();
        HandshakeOptions options = TestNodes.Options(1, 2) with { Timeout = TimeSpan.FromMilliseconds(300) };

        RsmException ex = await Assert.ThrowsExactlyAsync<RsmException>(() =>
            TcpFrameConnection.ConnectAsync(mute.LocalEndPoint!, options).AsTask().WaitAsync(TestNodes.WaitLimit));

        Assert.AreEqual(RsmError.RemoteNodeUnreachable, ex.Error);
    }

    [TestMethod]
    public async Task Connect_NothingListens_RemoteNodeUnreachable()
    {
        EndPoint closed;
        using (var probe = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp))
        {
            probe.Bind(TestNodes.AnyPort);
            closed = probe.LocalEndPoint!;
        }

        RsmException ex = await Assert.ThrowsExactlyAsync<RsmException>(() =>
            TcpFrameConnection.ConnectAsync(closed, TestNodes.Options(1, 2)).AsTask().WaitAsync(TestNodes.WaitLimit));

        Assert.AreEqual(RsmError.RemoteNodeUnreachable, ex.Error);
    }

    [TestMethod]
    public async Task Connect_Cancelled_OperationCanceled()
    {
        using var mute = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        mute.Bind(TestNodes.AnyPort);
        mute.Listen();
        using var cancel = new CancellationTokenSource();
        ValueTask<TcpFrameConnection> connecting = TcpFrameConnection.ConnectAsync(mute.LocalEndPoint!, TestNodes.Options(1, 2), cancel.Token);

        await cancel.CancelAsync();

        await Assert.ThrowsAsync<OperationCanceledException>(() => connecting.AsTask().WaitAsync(TestNodes.WaitLimit));
    }

    [TestMethod]
    public async Task Accept_OtherFrameInsteadOfHello_RefusedAtOnce()
    {
        await using var listener = new TestListener(2, o => o with { Timeout = TimeSpan.FromSeconds(60) });
        using RawPeer peer = await RawPeer.ConnectAsync(listener.EndPoint);

        await peer.SendAsync(RawPeer.Frame(new FrameHeader(Opcode.Get, 1, 0), []));
        Exception refused = await listener.NextRefusedAsync();
        await peer.WaitForEndAsync();

        Assert.AreEqual(RsmError.RemoteNodeUnreachable, Assert.IsInstanceOfType<RsmException>(refused).Error);
        StringAssert.Contains(refused.Message, "expects Hello");
    }

    [TestMethod]
    public async Task Accept_HelloAnnouncingHugePayload_RefusedWithoutWaitingForIt()
    {
        // The handshake timeout is far beyond the test's wait, so only the header check can end this handshake.
        await using var listener = new TestListener(2, o => o with { Timeout = TimeSpan.FromSeconds(60) });
        using RawPeer peer = await RawPeer.ConnectAsync(listener.EndPoint);

        await peer.SendAsync(RawPeer.Frame(new FrameHeader(Opcode.Hello, 0, uint.MaxValue), new byte[100]));
        Exception refused = await listener.NextRefusedAsync();
        await peer.WaitForEndAsync();

        Assert.AreEqual(RsmError.RemoteNodeUnreachable, Assert.IsInstanceOfType<RsmException>(refused).Error);
        StringAssert.Contains(refused.Message, "exceeds the maximum");
    }

    [TestMethod]
    public async Task Connect_ShortClusterKey_ArgumentException()
    {
        HandshakeOptions options = TestNodes.Options(1, 2, new byte[15]);

        await Assert.ThrowsExactlyAsync<ArgumentException>(() => TcpFrameConnection.ConnectAsync(TestNodes.AnyPort, options).AsTask());
    }

    [TestMethod]
    public async Task Listener_Disposed_StopsAccepting()
    {
        var listener = new TestListener(2);
        EndPoint endPoint = listener.EndPoint;

        await listener.DisposeAsync();

        RsmException ex = await Assert.ThrowsExactlyAsync<RsmException>(() =>
            TcpFrameConnection.ConnectAsync(endPoint, TestNodes.Options(1, 2)).AsTask().WaitAsync(TestNodes.WaitLimit));
        Assert.AreEqual(RsmError.RemoteNodeUnreachable, ex.Error);
    }

    [TestMethod]
    public async Task Listener_HandlerThrows_ConnectionClosedAndListenerKeepsServing()
    {
        int calls = 0;
        var accepted = new TaskCompletionSource<TcpFrameConnection>(TaskCreationOptions.RunContinuationsAsynchronously);
        await using TcpFrameListener listener = TcpFrameListener.Start(TestNodes.AnyPort, TestNodes.Options(2), connection =>
        {
            if (Interlocked.Increment(ref calls) == 1)
            {
                throw new InvalidOperationException("handler failure for the test");
            }

            accepted.SetResult(connection);
        });

        await using TcpFrameConnection first = await TcpFrameConnection.ConnectAsync(listener.LocalEndPoint, TestNodes.Options(1, 2)).AsTask().WaitAsync(TestNodes.WaitLimit);
        var firstProbe = new ConnectionProbe(first);
        await firstProbe.Closed.WaitAsync(TestNodes.WaitLimit);
        await using TcpFrameConnection second = await TcpFrameConnection.ConnectAsync(listener.LocalEndPoint, TestNodes.Options(1, 2)).AsTask().WaitAsync(TestNodes.WaitLimit);
        TcpFrameConnection secondAccepted = await accepted.Task.WaitAsync(TestNodes.WaitLimit);

        Assert.IsTrue(first.IsClosed);
        Assert.IsFalse(second.IsClosed);
        Assert.AreEqual(1u, secondAccepted.PeerNodeId);
        secondAccepted.Close();
    }
}
