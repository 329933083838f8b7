using Rsm.Providers.Tcp.Internal.Wire;

namespace Rsm.Providers.Tcp.Tests;

/// <summary>A peer that breaks the framing after the handshake loses its connection; the listener serves everyone else.</summary>
[TestClass]
public sealed class MalformedFrameTests
{
    private const int MaxFrameSize = 4096;

    public enum Malformation
    {
        OversizedLength,
        HugeLength,
        BadMagic,
        BadVersion,
        UnknownOpcode,
        NonZeroReserved,
        HandshakeFrameAfterHandshake,
        TruncatedThenClosed,
    }

    [TestMethod]
    [DataRow(Malformation.OversizedLength, (int)ConnectionCloseReason.FrameTooLarge, "exceeds the maximum")]
    [DataRow(Malformation.HugeLength, (int)ConnectionCloseReason.FrameTooLarge, "exceeds the maximum")]
    [DataRow(Malformation.BadMagic, (int)ConnectionCloseReason.ProtocolViolation, "bad magic")]
    [DataRow(Malformation.BadVersion, (int)ConnectionCloseReason.ProtocolViolation, "version")]
    [DataRow(Malformation.UnknownOpcode, (int)ConnectionCloseReason.ProtocolViolation, "unknown opcode")]
    [DataRow(Malformation.NonZeroReserved, (int)ConnectionCloseReason.ProtocolViolation, "reserved")]
    [DataRow(Malformation.HandshakeFrameAfterHandshake, (int)ConnectionCloseReason.ProtocolViolation, "after the handshake")]
    [DataRow(Malformation.TruncatedThenClosed, (int)ConnectionCloseReason.ProtocolViolation, "middle of a frame")]
    public async Task Receive_MalformedFrame_ConnectionClosedWithReasonAndOthersKeepWorking(Malformation malformation, int expectedReason, string expectedText)
    {
        // The handshake timeout and silence are far beyond the test's waits: only the frame check can close the connection.
        await using var listener = new TestListener(2, o => o with { MaxFrameSize = MaxFrameSize, Timeout = TimeSpan.FromSeconds(60) });
        using RawPeer bad = await RawPeer.ConnectAuthenticatedAsync(listener.EndPoint, 1);
        ConnectionProbe victim = await listener.NextAcceptedAsync();
        byte[] good = RawPeer.Frame(new FrameHeader(Opcode.Put, 1, 3), [1, 2, 3]);

        await bad.SendAsync([.. good, .. Bytes(malformation)]);
        if (malformation == Malformation.TruncatedThenClosed)
        {
            bad.Socket.Shutdown(System.Net.Sockets.SocketShutdown.Send);
        }

        Exception? reason = await victim.Closed.WaitAsync(TestNodes.WaitLimit);
        await bad.WaitForEndAsync();

        RsmException error = Assert.IsInstanceOfType<RsmException>(reason);
        Assert.AreEqual(RsmError.ConnectionAborted, error.Error);
        StringAssert.Contains(error.Message, expectedText);
        Assert.AreEqual((ConnectionCloseReason)expectedReason, victim.Connection.CloseReason);
        Assert.AreEqual(1, victim.FrameCount, "only the well-formed frame before the bad one is delivered");
        CollectionAssert.AreEqual(new byte[] { 1, 2, 3 }, (await victim.NextFrameAsync()).Payload);

        ConnectionProbe dialer = await TestNodes.DialAsync(listener, 3, o => o with { MaxFrameSize = MaxFrameSize });
        ConnectionProbe accepted = await listener.NextAcceptedAsync();
        await dialer.Connection.SendAsync(new FrameHeader(Opcode.Get, 9, 0), new byte[MaxFrameSize]).AsTask().WaitAsync(TestNodes.WaitLimit);
        ReceivedFrame frame = await accepted.NextFrameAsync();
        Assert.AreEqual(9u, frame.Header.RequestId);
        Assert.AreEqual(3u, accepted.Connection.PeerNodeId);
        dialer.Connection.Close();
    }

    private static byte[] Bytes(Malformation malformation)
    {
        var valid = new FrameHeader(Opcode.Put, 2, 0);
        return malformation switch
        {
            // Only a header: the payload is never sent, so closing proves the length was judged before waiting for it.
            Malformation.OversizedLength => Header(valid with { Length = MaxFrameSize + 1 }),
            Malformation.HugeLength => Header(valid with { Length = uint.MaxValue }),
            Malformation.BadMagic => Header(valid with { Magic = 0x52534D54 }),
            Malformation.BadVersion => Header(valid with { Version = FrameHeader.CurrentVersion + 1 }),
            Malformation.UnknownOpcode => Header(valid with { Opcode = (Opcode)99 }),
            Malformation.NonZeroReserved => Header(valid with { Reserved = 1 }),
            Malformation.HandshakeFrameAfterHandshake => RawPeer.Frame(new FrameHeader(Opcode.Hello, 0, Handshake.HelloSize), new byte[Handshake.HelloSize]),
            Malformation.TruncatedThenClosed => [.. Header(valid with { Length = 100 }), .. new byte[10]],
            _ => throw new ArgumentOutOfRangeException(nameof(malformation)),
        };
    }

    private static byte[] Header(FrameHeader header)
    {
        byte[] bytes = new byte[FrameHeader.Size];
        header.Write(bytes);
        return bytes;
    }
}
