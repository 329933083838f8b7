using System.Net;
using System.Net.Sockets;
using Rsm.Providers.Tcp.Internal.Wire;

namespace Rsm.Providers.Tcp.Tests;

/// <summary>
/// A plain socket that speaks the protocol by hand: it can run the dialer's side of the handshake itself and then
/// send any bytes at all, well-formed or not, or fall silent.
/// </summary>
internal sealed class RawPeer : IDisposable
{
    private RawPeer(Socket socket) => Socket = socket;

    public Socket Socket { get; }

    public static async Task<RawPeer> ConnectAsync(EndPoint endPoint)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        await socket.ConnectAsync(endPoint).WaitAsync(TestNodes.WaitLimit);
        return new RawPeer(socket);
    }

    /// <summary>Connects and completes the dialer's side of the handshake as <paramref name="nodeId"/>.</summary>
    public static async Task<RawPeer> ConnectAuthenticatedAsync(EndPoint endPoint, uint nodeId, byte[]? key = null)
    {
        RawPeer peer = await ConnectAsync(endPoint);
        await peer.HandshakeAsync(nodeId, key ?? TestNodes.Key);
        return peer;
    }

    /// <summary>Builds a frame byte by byte, without the checks the connection's writer applies.</summary>
    public static byte[] Frame(FrameHeader header, ReadOnlySpan<byte> payload)
    {
        byte[] frame = new byte[FrameHeader.Size + payload.Length];
        header.Write(frame);
        payload.CopyTo(frame.AsSpan(FrameHeader.Size));
        return frame;
    }

    /// <summary>
    /// Runs Hello, HelloReply, Proof, and with the right proof reads the acceptor's Admitted, failing the test on a
    /// refusal; the proof is computed with <paramref name="proofKey"/> (defaults to <paramref name="key"/>).
    /// </summary>
    /// <returns>The node id the acceptor claimed.</returns>
    public async Task<uint> HandshakeAsync(uint nodeId, byte[] key, byte[]? proofKey = null)
    {
        (uint acceptorId, AdmissionRefusal refusal) = await TryHandshakeAsync(nodeId, key, proofKey);
        Assert.AreEqual(AdmissionRefusal.None, refusal, $"the acceptor refused node {nodeId}");
        return acceptorId;
    }

    /// <summary>Runs the dialer's side of the handshake and returns the acceptor's id and its answer (None when admitted; not read for a wrong proof key).</summary>
    public async Task<(uint AcceptorId, AdmissionRefusal Refusal)> TryHandshakeAsync(uint nodeId, byte[] key, byte[]? proofKey = null)
    {
        byte[] dialerNonce = new byte[Handshake.NonceSize];
        Handshake.NewNonce(dialerNonce);
        byte[] hello = new byte[Handshake.HelloSize];
        Handshake.WriteHello(hello, nodeId, dialerNonce);
        await SendAsync(Frame(new FrameHeader(Opcode.Hello, 0, (uint)hello.Length), hello));

        byte[] reply = await ReceiveAsync(FrameHeader.Size + Handshake.HelloReplySize);
        Assert.IsTrue(FrameHeader.TryRead(reply, out FrameHeader header));
        Assert.AreEqual(Opcode.HelloReply, header.Opcode);
        byte[] acceptorNonce = new byte[Handshake.NonceSize];
        byte[] acceptorMac = new byte[Handshake.MacSize];
        Handshake.ReadHelloReply(reply.AsSpan(FrameHeader.Size), out uint acceptorId, acceptorNonce, acceptorMac);
        Assert.IsTrue(Handshake.VerifyAcceptorMac(key, nodeId, acceptorId, dialerNonce, acceptorNonce, acceptorMac), "the acceptor's proof does not verify");

        byte[] proof = new byte[Handshake.ProofSize];
        Handshake.ComputeDialerMac(proofKey ?? key, nodeId, acceptorId, dialerNonce, acceptorNonce, proof);
        await SendAsync(Frame(new FrameHeader(Opcode.Proof, 0, (uint)proof.Length), proof));
        if (proofKey is not null && !proofKey.AsSpan().SequenceEqual(key))
        {
            return (acceptorId, AdmissionRefusal.None);
        }

        return (acceptorId, await ReadAdmissionAsync());
    }

    /// <summary>Reads the acceptor's last handshake frame: None for Admitted, else the refusal it carries.</summary>
    public async Task<AdmissionRefusal> ReadAdmissionAsync()
    {
        byte[] head = await ReceiveAsync(FrameHeader.Size);
        Assert.IsTrue(FrameHeader.TryRead(head, out FrameHeader header));
        if (header.Opcode == Opcode.Admitted)
        {
            Assert.AreEqual(0u, header.Length);
            return AdmissionRefusal.None;
        }

        Assert.AreEqual(Opcode.Refused, header.Opcode);
        Assert.AreEqual((int)RsmError.PermissionDenied, header.Status);
        Assert.AreEqual((uint)Handshake.RefusedSize, header.Length);
        return Handshake.ReadRefused(await ReceiveAsync(Handshake.RefusedSize));
    }

    public async Task SendAsync(byte[] bytes)
    {
        int sent = 0;
        while (sent < bytes.Length)
        {
            sent += await Socket.SendAsync(bytes.AsMemory(sent)).AsTask().WaitAsync(TestNodes.WaitLimit);
        }
    }

    public async Task<byte[]> ReceiveAsync(int count)
    {
        byte[] buffer = new byte[count];
        int received = 0;
        while (received < count)
        {
            int n = await Socket.ReceiveAsync(buffer.AsMemory(received)).AsTask().WaitAsync(TestNodes.WaitLimit);
            if (n == 0)
            {
                throw new EndOfStreamException($"the peer closed after {received} of {count} bytes");
            }

            received += n;
        }

        return buffer;
    }

    /// <summary>Reads and discards until the other side ends the stream (or resets it).</summary>
    public async Task WaitForEndAsync()
    {
        byte[] buffer = new byte[4096];
        try
        {
            while (await Socket.ReceiveAsync(buffer.AsMemory()).AsTask().WaitAsync(TestNodes.WaitLimit) > 0)
            {
            }
        }
        catch (SocketException)
        {
            // A reset ends the stream too.
        }
    }

    public void Dispose() => Socket.Dispose();
}
