using System.Net;
using System.Net.Sockets;
using Rsm.Engine;
using Rsm.Providers.Tcp.Internal;
using Rsm.Providers.Tcp.Internal.Wire;

namespace Rsm.Conformance.Tests;

/// <summary>
/// An importing node spoken by hand over a plain blocking socket: it runs the dialer's side of the handshake, connects
/// to a segment, and then sends whatever frames a fault needs (gets it never reads the replies of, half a put, pings)
/// or nothing at all. Every call on the socket is bounded by its send and receive timeouts.
/// </summary>
internal sealed class RawSegmentPeer : IDisposable
{
    // TCP_INFO of SOL_TCP: its first byte is the connection's state.
    private const int SolTcp = 6;
    private const int TcpInfo = 11;
    private const byte TcpEstablished = 1;

    private static readonly TimeSpan s_ioLimit = TimeSpan.FromSeconds(10);

    private readonly Thread _pinger;
    private readonly CancellationTokenSource _stopPinging = new();
    private readonly Dictionary<uint, long> _getOffsets = [];
    private TimeSpan _pingInterval;
    private uint _nextRequest;
    private volatile bool _pinging;
    private IPEndPoint? _ownEnd;
    private IPEndPoint? _exporterEnd;

    private RawSegmentPeer(Socket socket)
    {
        Socket = socket;
        _pinger = new Thread(PingLoop) { IsBackground = true, Name = "raw peer pings" };
    }

    public Socket Socket { get; }

    /// <summary>The import id the exporter gave the segment connect.</summary>
    public uint ImportId { get; private set; }

    /// <summary>The pings sent so far.</summary>
    public int PingsSent { get; private set; }

    /// <summary>
    /// Whether the kernel still reports both ends of the connection established. The exporter's end counts: when it
    /// closes with replies still queued for this peer, its end of stream waits behind them and this end cannot tell.
    /// </summary>
    public bool IsEstablished
    {
        get
        {
            try
            {
                Span<byte> info = stackalloc byte[256];
                if (Socket.GetRawSocketOption(SolTcp, TcpInfo, info) <= 0 || info[0] != TcpEstablished)
                {
                    return false;
                }
            }
            catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
            {
                return false;
            }

            return TcpTable.StateOf(_exporterEnd!, _ownEnd!) == TcpTable.Established;
        }
    }

    /// <summary>Dials <paramref name="exporter"/> and proves <paramref name="nodeId"/> with <paramref name="key"/>.</summary>
    /// <remarks>
    /// Like a node's own dial, it tries again for a while when the exporter still holds a connection of the same node id
    /// (a peer reset just before may not have been seen there yet).
    /// </remarks>
    public static RawSegmentPeer Open(IPEndPoint exporter, uint nodeId, byte[] key)
    {
        long deadline = Environment.TickCount64 + (long)s_ioLimit.TotalMilliseconds;
        AdmissionRefusal refusal;
        RawSegmentPeer? peer;
        while ((refusal = TryOpen(exporter, nodeId, key, out peer)) == AdmissionRefusal.AlreadyConnected && Environment.TickCount64 < deadline)
        {
            Thread.Sleep(20);
        }

        Assert.AreEqual(AdmissionRefusal.None, refusal, $"the exporter refused node {nodeId}");
        return peer!;
    }

    /// <summary>
    /// Dials <paramref name="exporter"/> and proves <paramref name="nodeId"/> with <paramref name="key"/>: the peer and
    /// None when admitted, or no peer (the socket closed) and the exporter's refusal.
    /// </summary>
    public static AdmissionRefusal TryOpen(IPEndPoint exporter, uint nodeId, byte[] key, out RawSegmentPeer? admitted)
    {
        admitted = null;
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp)
        {
            NoDelay = true,
            ReceiveTimeout = (int)s_ioLimit.TotalMilliseconds,
            SendTimeout = (int)s_ioLimit.TotalMilliseconds,
        };
        var peer = new RawSegmentPeer(socket);
        try
        {
            socket.Connect(exporter);
            peer._ownEnd = (IPEndPoint)socket.LocalEndPoint!;
            peer._exporterEnd = (IPEndPoint)socket.RemoteEndPoint!;
            AdmissionRefusal refusal = peer.Handshake(nodeId, key);
            if (refusal != AdmissionRefusal.None)
            {
                peer.Dispose();
                return refusal;
            }

            admitted = peer;
            return AdmissionRefusal.None;
        }
        catch
        {
            peer.Dispose();
            throw;
        }
    }

    /// <summary>Connects to segment <paramref name="segmentId"/> for reading and writing and keeps the import id.</summary>
    public void ConnectSegment(uint segmentId)
    {
        Span<byte> body = stackalloc byte[Messages.ConnectFixedSize];
        int length = Messages.WriteConnect(body, segmentId, RsmPermissions.ReadWrite, RsmCredentials.ReadCurrent());
        uint request = ++_nextRequest;
        Send(Frame(new FrameHeader(Opcode.Connect, request, (uint)length), body[..length]));
        (FrameHeader header, byte[] reply) = ReceiveFrame();
        Assert.AreEqual(Opcode.ConnectReply, header.Opcode, "the exporter's answer to the raw connect");
        Assert.AreEqual(0, header.Status, $"the exporter refused the raw connect to 0x{segmentId:x}: {(RsmError)header.Status}");
        Assert.AreEqual(request, header.RequestId);
        Messages.ReadConnectReply(reply, out uint importId, out _, out _, out _);
        ImportId = importId;
    }

    /// <summary>Sends <paramref name="count"/> gets of <paramref name="length"/> bytes at once, the i-th at <paramref name="offsetOf"/>(i).</summary>
    public void SendGets(int count, int length, Func<int, long> offsetOf)
    {
        const int Size = FrameHeader.Size + Messages.GetSize;
        byte[] frames = new byte[count * Size];
        for (int i = 0; i < count; i++)
        {
            Span<byte> frame = frames.AsSpan(i * Size, Size);
            uint request = ++_nextRequest;
            _getOffsets[request] = offsetOf(i);
            new FrameHeader(Opcode.Get, request, Messages.GetSize).Write(frame);
            Messages.WriteGet(frame[FrameHeader.Size..], ImportId, _getOffsets[request], length, 1);
        }

        Send(frames);
    }

    /// <summary>Sends the header of a put of <paramref name="data"/>.Length bytes at <paramref name="offset"/>, and the first <paramref name="sent"/> of them.</summary>
    public void SendPartialPut(long offset, ReadOnlySpan<byte> data, int sent)
    {
        byte[] head = new byte[FrameHeader.Size + Messages.PutFixedSize];
        new FrameHeader(Opcode.Put, ++_nextRequest, (uint)(Messages.PutFixedSize + data.Length)).Write(head);
        Messages.WritePut(head.AsSpan(FrameHeader.Size), ImportId, offset, 1);
        Send(head);
        Send(data[..sent]);
    }

    /// <summary>Sends one Ping every <paramref name="interval"/> on a thread of its own until the socket fails or <see cref="Dispose"/>.</summary>
    public void StartPinging(TimeSpan interval)
    {
        _pingInterval = interval;
        _pinging = true;
        _pinger.Start();
    }

    /// <summary>Reads exactly <paramref name="count"/> bytes of whatever the exporter sent.</summary>
    public void ReceiveExactly(int count)
    {
        byte[] buffer = new byte[count];
        ReceiveInto(buffer);
    }

    /// <summary>Polls until the exporter has closed or reset the connection; the time it took, or null after <paramref name="limit"/>.</summary>
    public TimeSpan? AwaitDropped(long since, TimeSpan limit)
    {
        long deadline = since + (long)limit.TotalMilliseconds;
        while (IsEstablished)
        {
            if (Environment.TickCount64 >= deadline)
            {
                return null;
            }

            Thread.Sleep(10);
        }

        return TimeSpan.FromMilliseconds(Environment.TickCount64 - since);
    }

    /// <summary>
    /// Reads everything the exporter had sent until the end of the stream or a reset, at most <paramref name="limit"/>,
    /// and checks each get reply against <paramref name="expected"/>: status 0, <paramref name="replyLength"/> bytes, the
    /// exporter's bytes at the offset its get asked for (as far as they arrived, for a reply cut off by the end).
    /// </summary>
    public DrainResult Drain(TimeSpan limit, int replyLength, Func<long, int, byte[]> expected)
    {
        long deadline = Environment.TickCount64 + (long)limit.TotalMilliseconds;
        var result = new DrainResult();
        byte[] header = new byte[FrameHeader.Size];
        byte[] payload = new byte[replyLength + Messages.ImportIdSize];
        try
        {
            while (Environment.TickCount64 < deadline)
            {
                int got = ReceiveSome(header);
                result.Bytes += got;
                if (got < header.Length)
                {
                    result.Ending = got == 0 ? "end of stream" : "end of stream in a frame header";
                    return result;
                }

                Assert.IsTrue(FrameHeader.TryRead(header, out FrameHeader frame));
                Assert.AreEqual(FrameHeader.MagicValue, frame.Magic, "the exporter's frames stay in step");
                Assert.IsLessThanOrEqualTo((uint)payload.Length, frame.Length, $"a {frame.Opcode} frame of {frame.Length} bytes");
                Span<byte> body = payload.AsSpan(0, (int)frame.Length);
                got = ReceiveSome(body);
                result.Bytes += got;
                if (frame.Opcode == Opcode.GetReply)
                {
                    // Whole or cut off by the end, a reply carries the exporter's bytes from the offset its get asked for.
                    Assert.AreEqual(0, frame.Status, $"get reply #{frame.RequestId}");
                    Assert.AreEqual(replyLength, body.Length, $"get reply #{frame.RequestId}");
                    Assert.IsTrue(_getOffsets.TryGetValue(frame.RequestId, out long offset), $"get reply #{frame.RequestId} answers no get");
                    Assert.IsTrue(body[..got].SequenceEqual(expected(offset, got)), $"get reply #{frame.RequestId} does not carry the exporter's bytes at {offset}");
                }

                if (got < body.Length)
                {
                    result.Ending = $"end of stream in a {frame.Opcode} frame ({got} of {body.Length} bytes)";
                    result.CutOff++;
                    return result;
                }

                if (frame.Opcode == Opcode.GetReply)
                {
                    result.Replies++;
                }
                else
                {
                    result.Others.Add(frame.Opcode);
                }
            }

            result.Ending = $"still open after {limit.TotalSeconds} s";
        }
        catch (SocketException ex) when (ex.SocketErrorCode is SocketError.ConnectionReset)
        {
            result.Ending = "connection reset";
        }

        return result;
    }

    /// <summary>Closes with linger 0: the exporter sees a reset, wherever it was in a frame.</summary>
    public void Reset()
    {
        try
        {
            Socket.LingerState = new LingerOption(true, 0);
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
            // Gone already.
        }

        Dispose();
    }

    public void Dispose()
    {
        _pinging = false;
        _stopPinging.Cancel();
        Socket.Dispose();
        if (_pinger.IsAlive)
        {
            _ = _pinger.Join(s_ioLimit);
        }
    }

    private void PingLoop()
    {
        byte[] ping = new byte[FrameHeader.Size];
        uint id = 0x70000000;
        while (_pinging && !_stopPinging.Token.WaitHandle.WaitOne(_pingInterval))
        {
            new FrameHeader(Opcode.Ping, ++id, 0).Write(ping);
            try
            {
                Send(ping);
                PingsSent++;
            }
            catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
            {
                return;
            }
        }
    }

    private AdmissionRefusal Handshake(uint nodeId, byte[] key)
    {
        byte[] dialerNonce = new byte[Rsm.Providers.Tcp.Internal.Wire.Handshake.NonceSize];
        Rsm.Providers.Tcp.Internal.Wire.Handshake.NewNonce(dialerNonce);
        byte[] hello = new byte[Rsm.Providers.Tcp.Internal.Wire.Handshake.HelloSize];
        Rsm.Providers.Tcp.Internal.Wire.Handshake.WriteHello(hello, nodeId, dialerNonce);
        Send(Frame(new FrameHeader(Opcode.Hello, 0, (uint)hello.Length), hello));

        (FrameHeader header, byte[] reply) = ReceiveFrame();
        Assert.AreEqual(Opcode.HelloReply, header.Opcode);
        byte[] acceptorNonce = new byte[Rsm.Providers.Tcp.Internal.Wire.Handshake.NonceSize];
        byte[] acceptorMac = new byte[Rsm.Providers.Tcp.Internal.Wire.Handshake.MacSize];
        Rsm.Providers.Tcp.Internal.Wire.Handshake.ReadHelloReply(reply, out uint acceptorId, acceptorNonce, acceptorMac);
        Assert.IsTrue(Rsm.Providers.Tcp.Internal.Wire.Handshake.VerifyAcceptorMac(key, nodeId, acceptorId, dialerNonce, acceptorNonce, acceptorMac), "the exporter's proof does not verify");

        byte[] proof = new byte[Rsm.Providers.Tcp.Internal.Wire.Handshake.ProofSize];
        Rsm.Providers.Tcp.Internal.Wire.Handshake.ComputeDialerMac(key, nodeId, acceptorId, dialerNonce, acceptorNonce, proof);
        Send(Frame(new FrameHeader(Opcode.Proof, 0, (uint)proof.Length), proof));

        (FrameHeader answer, byte[] refusal) = ReceiveFrame();
        if (answer.Opcode == Opcode.Refused)
        {
            Assert.AreEqual((int)RsmError.PermissionDenied, answer.Status);
            return Rsm.Providers.Tcp.Internal.Wire.Handshake.ReadRefused(refusal);
        }

        Assert.AreEqual(Opcode.Admitted, answer.Opcode, "the exporter's answer to the proof");
        return AdmissionRefusal.None;
    }

    /// <summary>The next frame other than the exporter's keep-alive.</summary>
    private (FrameHeader Header, byte[] Payload) ReceiveFrame()
    {
        while (true)
        {
            byte[] head = new byte[FrameHeader.Size];
            ReceiveInto(head);
            Assert.IsTrue(FrameHeader.TryRead(head, out FrameHeader header));
            Assert.IsLessThanOrEqualTo(1u << 16, header.Length, $"an unexpected {header.Opcode} frame of {header.Length} bytes");
            byte[] payload = new byte[header.Length];
            ReceiveInto(payload);
            if (header.Opcode is not (Opcode.Ping or Opcode.Pong))
            {
                return (header, payload);
            }
        }
    }

    private static byte[] Frame(FrameHeader header, ReadOnlySpan<byte> payload)
    {
        byte[] frame = new byte[FrameHeader.Size + payload.Length];
        header.Write(frame);
        payload.CopyTo(frame.AsSpan(FrameHeader.Size));
        return frame;
    }

    private void Send(ReadOnlySpan<byte> bytes)
    {
        lock (Socket)
        {
            while (!bytes.IsEmpty)
            {
                bytes = bytes[Socket.Send(bytes, SocketFlags.None)..];
            }
        }
    }

    private void ReceiveInto(Span<byte> buffer)
    {
        if (ReceiveSome(buffer) < buffer.Length)
        {
            throw new EndOfStreamException($"the exporter closed the connection before {buffer.Length} bytes arrived");
        }
    }

    /// <summary>Fills <paramref name="buffer"/> unless the stream ends first; the bytes received.</summary>
    private int ReceiveSome(Span<byte> buffer)
    {
        int received = 0;
        while (received < buffer.Length)
        {
            int n = Socket.Receive(buffer[received..], SocketFlags.None);
            if (n == 0)
            {
                break;
            }

            received += n;
        }

        return received;
    }
}

/// <summary>What <see cref="RawSegmentPeer.Drain"/> found.</summary>
internal sealed class DrainResult
{
    public long Bytes { get; set; }

    /// <summary>Whole get replies; each, and the part of one cut off, checked byte for byte.</summary>
    public int Replies { get; set; }

    /// <summary>Frames cut off by the end of the stream.</summary>
    public int CutOff { get; set; }

    /// <summary>Other frames (keep-alive, abort, goodbye).</summary>
    public List<Opcode> Others { get; } = [];

    public string Ending { get; set; } = "not read";

    public override string ToString() =>
        $"{Bytes} bytes, {Replies} whole get replies, {CutOff} cut off, other frames [{string.Join(", ", Others)}], then {Ending}";
}
