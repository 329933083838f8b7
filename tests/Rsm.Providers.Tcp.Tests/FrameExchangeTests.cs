using Rsm.Providers.Tcp.Internal.Wire;

namespace Rsm.Providers.Tcp.Tests;

/// <summary>Frames between two authenticated connections: round trips, concurrent writers, closing, and the writer's checks.</summary>
[TestClass]
public sealed class FrameExchangeTests
{
    [TestMethod]
    [DataRow(0)]
    [DataRow(1)]
    [DataRow(64 * 1024)]
    public async Task SendAsync_Payload_ArrivesWhole(int length)
    {
        await using var listener = new TestListener(2);
        ConnectionProbe dialer = await TestNodes.DialAsync(listener, 1);
        ConnectionProbe acceptor = await listener.NextAcceptedAsync();
        byte[] payload = Pattern(length, seed: 3);

        await dialer.Connection.SendAsync(new FrameHeader(Opcode.Put, 42, 0, status: 0, flags: 9), payload).AsTask().WaitAsync(TestNodes.WaitLimit);
        ReceivedFrame frame = await acceptor.NextFrameAsync();

        Assert.AreEqual(Opcode.Put, frame.Header.Opcode);
        Assert.AreEqual(42u, frame.Header.RequestId);
        Assert.AreEqual((ushort)9, frame.Header.Flags);
        Assert.AreEqual((uint)length, frame.Header.Length);
        CollectionAssert.AreEqual(payload, frame.Payload);
        dialer.Connection.Close();
    }

    [TestMethod]
    [DataRow(0)]
    [DataRow(1)]
    [DataRow(64 * 1024)]
    public async Task Send_FromAcceptor_ArrivesWholeWithStatus(int length)
    {
        await using var listener = new TestListener(2);
        ConnectionProbe dialer = await TestNodes.DialAsync(listener, 1);
        ConnectionProbe acceptor = await listener.NextAcceptedAsync();
        byte[] payload = Pattern(length, seed: 5);

        await Task.Run(() => acceptor.Connection.Send(new FrameHeader(Opcode.GetReply, 7, 0, status: (int)RsmError.BadOffset), payload)).WaitAsync(TestNodes.WaitLimit);
        ReceivedFrame frame = await dialer.NextFrameAsync();

        Assert.AreEqual(Opcode.GetReply, frame.Header.Opcode);
        Assert.AreEqual(7u, frame.Header.RequestId);
        Assert.AreEqual((int)RsmError.BadOffset, frame.Header.Status);
        CollectionAssert.AreEqual(payload, frame.Payload);
        dialer.Connection.Close();
    }

    [TestMethod]
    public async Task SendAsync_HeadAndData_ArriveAsOnePayload()
    {
        await using var listener = new TestListener(2);
        ConnectionProbe dialer = await TestNodes.DialAsync(listener, 1);
        ConnectionProbe acceptor = await listener.NextAcceptedAsync();
        byte[] head = Pattern(16, seed: 1);
        byte[] data = Pattern(5000, seed: 2);

        await dialer.Connection.SendAsync(new FrameHeader(Opcode.Put, 1, 0), head, data).AsTask().WaitAsync(TestNodes.WaitLimit);
        ReceivedFrame frame = await acceptor.NextFrameAsync();

        CollectionAssert.AreEqual(head.Concat(data).ToArray(), frame.Payload);
        dialer.Connection.Close();
    }

    [TestMethod]
    public async Task Send_ConcurrentSenders_FramesDoNotInterleave()
    {
        const int Senders = 8;
        const int FramesPerSender = 250;
        await using var listener = new TestListener(2);
        ConnectionProbe dialer = await TestNodes.DialAsync(listener, 1);
        ConnectionProbe acceptor = await listener.NextAcceptedAsync();

        // Half the senders block in Send, half await SendAsync, all on the same connection at once.
        Task[] senders = [.. Enumerable.Range(0, Senders).Select(sender => Task.Run(async () =>
        {
            for (int seq = 0; seq < FramesPerSender; seq++)
            {
                var header = new FrameHeader(Opcode.Put, (uint)((sender << 16) | seq), 0, status: sender);
                byte[] payload = Pattern(((seq * 37) + (sender * 101)) % 9000, seed: (sender * 1000) + seq);
                if (sender % 2 == 0)
                {
                    dialer.Connection.Send(header, payload);
                }
                else
                {
                    await dialer.Connection.SendAsync(header, payload);
                }
            }
        }))];
        await Task.WhenAll(senders).WaitAsync(TestNodes.WaitLimit);

        int[] next = new int[Senders];
        for (int i = 0; i < Senders * FramesPerSender; i++)
        {
            ReceivedFrame frame = await acceptor.NextFrameAsync();
            int sender = (int)(frame.Header.RequestId >> 16);
            int seq = (int)(frame.Header.RequestId & 0xFFFF);
            Assert.AreEqual(sender, frame.Header.Status);
            Assert.AreEqual(next[sender]++, seq, $"frames of sender {sender} out of order");
            CollectionAssert.AreEqual(Pattern(((seq * 37) + (sender * 101)) % 9000, seed: (sender * 1000) + seq), frame.Payload, $"payload of sender {sender} frame {seq}");
        }

        Assert.IsFalse(acceptor.Connection.IsClosed);
        dialer.Connection.Close();
    }

    [TestMethod]
    public async Task Send_AfterClose_ConnectionAborted()
    {
        await using var listener = new TestListener(2);
        ConnectionProbe dialer = await TestNodes.DialAsync(listener, 1);

        dialer.Connection.Close();

        RsmException asyncError = await Assert.ThrowsExactlyAsync<RsmException>(() => dialer.Connection.SendAsync(new FrameHeader(Opcode.Put, 1, 0), new byte[4]).AsTask());
        RsmException syncError = Assert.ThrowsExactly<RsmException>(() => dialer.Connection.Send(new FrameHeader(Opcode.Put, 1, 0), new byte[4]));
        Assert.AreEqual(RsmError.ConnectionAborted, asyncError.Error);
        Assert.AreEqual(RsmError.ConnectionAborted, syncError.Error);
        Assert.IsFalse(dialer.Connection.TrySend(new FrameHeader(Opcode.Put, 1, 0), new byte[4]));
    }

    [TestMethod]
    public async Task Send_AfterPeerClosed_ConnectionAborted()
    {
        await using var listener = new TestListener(2);
        ConnectionProbe dialer = await TestNodes.DialAsync(listener, 1);
        ConnectionProbe acceptor = await listener.NextAcceptedAsync();

        acceptor.Connection.Close();
        await dialer.Closed.WaitAsync(TestNodes.WaitLimit);

        RsmException ex = await Assert.ThrowsExactlyAsync<RsmException>(() => dialer.Connection.SendAsync(new FrameHeader(Opcode.Put, 1, 0), new byte[4]).AsTask());
        Assert.AreEqual(RsmError.ConnectionAborted, ex.Error);
    }

    [TestMethod]
    public async Task Send_PayloadOverMaxFrameSize_ArgumentException()
    {
        await using var listener = new TestListener(2, o => o with { MaxFrameSize = 4096 });
        ConnectionProbe dialer = await TestNodes.DialAsync(listener, 1, o => o with { MaxFrameSize = 4096 });
        ConnectionProbe acceptor = await listener.NextAcceptedAsync();

        await Assert.ThrowsExactlyAsync<ArgumentException>(() => dialer.Connection.SendAsync(new FrameHeader(Opcode.Put, 1, 0), new byte[4097]).AsTask());
        Assert.ThrowsExactly<ArgumentException>(() => dialer.Connection.Send(new FrameHeader(Opcode.Put, 1, 0), new byte[4000], new byte[97]));
        await dialer.Connection.SendAsync(new FrameHeader(Opcode.Put, 2, 0), new byte[4096]).AsTask().WaitAsync(TestNodes.WaitLimit);

        ReceivedFrame frame = await acceptor.NextFrameAsync();
        Assert.AreEqual(2u, frame.Header.RequestId);
        Assert.AreEqual(4096, frame.Payload.Length);
        Assert.IsFalse(dialer.Connection.IsClosed);
        dialer.Connection.Close();
    }

    [TestMethod]
    [DataRow((byte)Opcode.Hello)]
    [DataRow((byte)Opcode.Proof)]
    [DataRow((byte)200)]
    public async Task Send_HandshakeOrUnknownOpcode_ArgumentException(byte opcode)
    {
        await using var listener = new TestListener(2);
        ConnectionProbe dialer = await TestNodes.DialAsync(listener, 1);

        Assert.ThrowsExactly<ArgumentException>(() => dialer.Connection.Send(new FrameHeader((Opcode)opcode, 1, 0), []));
        dialer.Connection.Close();
    }

    [TestMethod]
    public async Task Close_Repeated_ClosedCallbackRunsOnceAndPeerIsTold()
    {
        await using var listener = new TestListener(2);
        ConnectionProbe dialer = await TestNodes.DialAsync(listener, 1);
        ConnectionProbe acceptor = await listener.NextAcceptedAsync();

        dialer.Connection.Close();
        dialer.Connection.Close();
        await dialer.Connection.DisposeAsync();
        Exception? reason = await dialer.Closed.WaitAsync(TestNodes.WaitLimit);
        await dialer.Connection.Completion.WaitAsync(TestNodes.WaitLimit);
        await acceptor.Connection.Completion.WaitAsync(TestNodes.WaitLimit);

        Assert.IsNull(reason);
        Assert.AreEqual(1, dialer.ClosedCalls);
        Assert.AreEqual(ConnectionCloseReason.Local, dialer.Connection.CloseReason);
        Assert.AreEqual(1, acceptor.ClosedCalls);
        Assert.IsTrue(acceptor.Connection.CloseReason is ConnectionCloseReason.PeerGoodbye or ConnectionCloseReason.PeerClosed, acceptor.Connection.CloseReason.ToString());
    }

    [TestMethod]
    public async Task Close_WithReason_ClosedCallbackReceivesIt()
    {
        await using var listener = new TestListener(2);
        ConnectionProbe dialer = await TestNodes.DialAsync(listener, 1);

        dialer.Connection.Close("reply to an unknown request");
        dialer.Connection.Close();
        Exception? reason = await dialer.Closed.WaitAsync(TestNodes.WaitLimit);

        RsmException error = Assert.IsInstanceOfType<RsmException>(reason);
        Assert.AreEqual(RsmError.ConnectionAborted, error.Error);
        StringAssert.Contains(error.Message, "reply to an unknown request");
        Assert.AreEqual(ConnectionCloseReason.Local, dialer.Connection.CloseReason);
        Assert.AreSame(reason, dialer.Connection.CloseException);
    }

    [TestMethod]
    public async Task Close_BothSidesAtOnce_EachClosedCallbackRunsOnce()
    {
        await using var listener = new TestListener(2);
        ConnectionProbe dialer = await TestNodes.DialAsync(listener, 1);
        ConnectionProbe acceptor = await listener.NextAcceptedAsync();

        await Task.WhenAll(Task.Run(dialer.Connection.Close), Task.Run(acceptor.Connection.Close), Task.Run(dialer.Connection.Close)).WaitAsync(TestNodes.WaitLimit);
        await Task.WhenAll(dialer.Connection.Completion, acceptor.Connection.Completion).WaitAsync(TestNodes.WaitLimit);

        Assert.AreEqual(1, dialer.ClosedCalls);
        Assert.AreEqual(1, acceptor.ClosedCalls);
    }

    [TestMethod]
    public async Task Close_FromInsideFrameCallback_DoesNotDeadlock()
    {
        await using var listener = new TestListener(2);
        HandshakeOptions options = TestNodes.Options(1, 2);
        TcpFrameConnection dialer = await TcpFrameConnection.ConnectAsync(listener.EndPoint, options).AsTask().WaitAsync(TestNodes.WaitLimit);
        var closed = new TaskCompletionSource<Exception?>(TaskCreationOptions.RunContinuationsAsynchronously);
        dialer.Start(
            async (header, payload) => await dialer.DisposeAsync(),
            reason => closed.SetResult(reason));
        ConnectionProbe acceptor = await listener.NextAcceptedAsync();

        await acceptor.Connection.SendAsync(new FrameHeader(Opcode.Signal, 1, 0), new byte[4]).AsTask().WaitAsync(TestNodes.WaitLimit);

        Assert.IsNull(await closed.Task.WaitAsync(TestNodes.WaitLimit));
        await dialer.Completion.WaitAsync(TestNodes.WaitLimit);
    }

    [TestMethod]
    public async Task FrameCallback_Throws_ConnectionClosedWithHandlerFailed()
    {
        await using var listener = new TestListener(2);
        TcpFrameConnection dialer = await TcpFrameConnection.ConnectAsync(listener.EndPoint, TestNodes.Options(1, 2)).AsTask().WaitAsync(TestNodes.WaitLimit);
        var closed = new TaskCompletionSource<Exception?>(TaskCreationOptions.RunContinuationsAsynchronously);
        dialer.Start((_, _) => throw new InvalidOperationException("callback failure for the test"), reason => closed.SetResult(reason));
        ConnectionProbe acceptor = await listener.NextAcceptedAsync();

        await acceptor.Connection.SendAsync(new FrameHeader(Opcode.Signal, 1, 0), new byte[4]).AsTask().WaitAsync(TestNodes.WaitLimit);
        Exception? reason = await closed.Task.WaitAsync(TestNodes.WaitLimit);

        Assert.AreEqual(RsmError.ConnectionAborted, Assert.IsInstanceOfType<RsmException>(reason).Error);
        Assert.IsInstanceOfType<InvalidOperationException>(reason.InnerException);
        Assert.AreEqual(ConnectionCloseReason.HandlerFailed, dialer.CloseReason);
    }

    [TestMethod]
    public async Task Start_Twice_InvalidOperation()
    {
        await using var listener = new TestListener(2);
        ConnectionProbe dialer = await TestNodes.DialAsync(listener, 1);

        Assert.ThrowsExactly<InvalidOperationException>(() => dialer.Connection.Start((_, _) => ValueTask.CompletedTask, _ => { }));
        dialer.Connection.Close();
    }

    [TestMethod]
    public async Task Ping_FromPeer_AnsweredWithPongOfSameId()
    {
        await using var listener = new TestListener(2);
        using RawPeer peer = await RawPeer.ConnectAuthenticatedAsync(listener.EndPoint, 1);
        ConnectionProbe acceptor = await listener.NextAcceptedAsync();

        await peer.SendAsync(RawPeer.Frame(new FrameHeader(Opcode.Ping, 77, 0), []));
        byte[] reply = await peer.ReceiveAsync(FrameHeader.Size);

        Assert.IsTrue(FrameHeader.TryRead(reply, out FrameHeader pong));
        Assert.AreEqual(FrameProblem.None, pong.Validate(0));
        Assert.AreEqual(Opcode.Pong, pong.Opcode);
        Assert.AreEqual(77u, pong.RequestId);
        Assert.AreEqual(0, acceptor.FrameCount);
    }

    internal static byte[] Pattern(int length, int seed)
    {
        byte[] bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }
}
