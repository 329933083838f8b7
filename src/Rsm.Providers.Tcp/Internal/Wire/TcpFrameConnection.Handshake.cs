using System.Buffers;
using System.Diagnostics;
using System.Globalization;
using System.IO.Pipelines;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging.Abstractions;
using Rsm.Engine;

namespace Rsm.Providers.Tcp.Internal.Wire;

/// <content>Establishing a connection: dialing, accepting, and the mutual authentication of <see cref="Handshake"/>.</content>
internal sealed partial class TcpFrameConnection
{
    /// <summary>
    /// Authenticates the dialer on a freshly accepted socket and returns the connection, not yet started. The socket
    /// belongs to the connection from now on; on failure it is closed.
    /// </summary>
    /// <param name="socket">A connected socket from an accept.</param>
    /// <param name="options">The local identity, cluster key and limits; <see cref="HandshakeOptions.ExpectedPeerNodeId"/> is not used.</param>
    /// <param name="cancellationToken">Cancels the handshake (the socket is closed and the cancellation rethrown).</param>
    /// <returns>The connection, with <see cref="PeerNodeId"/> the dialer's proven node id.</returns>
    /// <exception cref="RsmException">
    /// PermissionDenied (27): the dialer did not prove the cluster key or, with TLS, presented a certificate that is not
    /// trusted, not mapped to a node id, or mapped to another node id than it claims. RemoteNodeUnreachable (39): the TLS
    /// handshake failed otherwise, or the dialer sent something other than the expected handshake frame, closed the
    /// connection, or did not finish within <see cref="HandshakeOptions.Timeout"/>.
    /// </exception>
    public static ValueTask<TcpFrameConnection> AcceptAsync(Socket socket, HandshakeOptions options, CancellationToken cancellationToken = default) =>
        AcceptAsync(socket, options, helloReceived: null, cancellationToken);

    /// <summary>
    /// Like <see cref="AcceptAsync(Socket, HandshakeOptions, CancellationToken)"/>, and tells <paramref name="helloReceived"/>
    /// (on the handshake's thread) once the dialer's Hello has arrived whole, which a listener uses to tell a dialer that
    /// is getting on with its handshake from one that trickles.
    /// </summary>
    /// <param name="socket">A connected socket from an accept.</param>
    /// <param name="options">The local identity, cluster key and limits.</param>
    /// <param name="helloReceived">Called once when the Hello has arrived, if given.</param>
    /// <param name="cancellationToken">Cancels the handshake (the socket is closed and the cancellation rethrown).</param>
    /// <returns>The connection, with <see cref="PeerNodeId"/> the dialer's proven node id.</returns>
    /// <remarks>A failure is not logged here: the caller reports it (the listener does so at a bounded rate).</remarks>
    /// <exception cref="RsmException">As <see cref="AcceptAsync(Socket, HandshakeOptions, CancellationToken)"/>; PermissionDenied (27) also when <see cref="HandshakeOptions.Admit"/> refused the dialer.</exception>
    public static ValueTask<TcpFrameConnection> AcceptAsync(Socket socket, HandshakeOptions options, Action? helloReceived, CancellationToken cancellationToken = default) =>
        AcceptAsync(socket, options, helloReceived, cancellationReason: null, cancellationToken);

    /// <summary>
    /// Like <see cref="AcceptAsync(Socket, HandshakeOptions, Action?, CancellationToken)"/>; when
    /// <paramref name="cancellationToken"/> ends the handshake, <paramref name="cancellationReason"/> tells why, for
    /// <see cref="HandshakeOptions.Metrics"/> (a listener cancels at its deadline, to make room, or when it stops).
    /// </summary>
    /// <param name="socket">A connected socket from an accept.</param>
    /// <param name="options">The local identity, cluster key and limits.</param>
    /// <param name="helloReceived">Called once when the Hello has arrived, if given.</param>
    /// <param name="cancellationReason">Why the token was cancelled, asked once it was; null for <see cref="HandshakeFailure.Cancelled"/>.</param>
    /// <param name="cancellationToken">Cancels the handshake (the socket is closed and the cancellation rethrown).</param>
    /// <returns>The connection, with <see cref="PeerNodeId"/> the dialer's proven node id.</returns>
    public static ValueTask<TcpFrameConnection> AcceptAsync(Socket socket, HandshakeOptions options, Action? helloReceived, Func<HandshakeFailure>? cancellationReason, CancellationToken cancellationToken = default) =>
        OnOwnThread(() => AcceptCoreAsync(socket, options, helloReceived, cancellationReason, cancellationToken));

    /// <summary>
    /// Whether <paramref name="remoteEndPoint"/>, the dialer's address as an acceptor sees it, is the local address of a
    /// dial of this process whose handshake is in progress: only this process can hold that address then, so a connection
    /// from it is one of this process's own nodes.
    /// </summary>
    public static bool IsDialOfThisProcess(EndPoint? remoteEndPoint) =>
        Normalize(remoteEndPoint) is IPEndPoint endPoint && s_dialing.ContainsKey(endPoint);

    private static IPEndPoint? Normalize(EndPoint? endPoint) =>
        endPoint is IPEndPoint ip && ip.Address.IsIPv4MappedToIPv6 ? new IPEndPoint(ip.Address.MapToIPv4(), ip.Port) : endPoint as IPEndPoint;

    private static async ValueTask<TcpFrameConnection> AcceptCoreAsync(Socket socket, HandshakeOptions options, Action? helloReceived, Func<HandshakeFailure>? cancellationReason, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(socket);
        ArgumentNullException.ThrowIfNull(options);
        try
        {
            options.Validate();
            socket.NoDelay = true;
        }
        catch
        {
            socket.Dispose();
            throw;
        }

        using CancellationTokenSource timeout = StartTimeout(options, cancellationToken);
        var connection = new TcpFrameConnection(socket, options, isDialer: false) { _helloReceived = helloReceived, _cancellationReason = cancellationReason };
        await connection.AuthenticateAsync(timeout.Token, cancellationToken).ConfigureAwait(false);
        return connection;
    }

    /// <summary>
    /// Dials <paramref name="endPoint"/>, authenticates both sides, and returns the connection, not yet started.
    /// </summary>
    /// <param name="endPoint">The peer's address (an <see cref="IPEndPoint"/> or a <see cref="DnsEndPoint"/>).</param>
    /// <param name="options">The local identity, cluster key and limits, and the node id expected at <paramref name="endPoint"/>.</param>
    /// <param name="cancellationToken">Cancels dialing and the handshake (the socket is closed and the cancellation rethrown).</param>
    /// <returns>The connection, with <see cref="PeerNodeId"/> equal to <see cref="HandshakeOptions.ExpectedPeerNodeId"/>.</returns>
    /// <exception cref="RsmException">
    /// PermissionDenied (27): the acceptor did not prove the cluster key or, with TLS, presented a certificate that is not
    /// trusted, not mapped to a node id, or mapped to another node id than it proved. RemoteNodeUnreachable (39): nothing
    /// accepts at <paramref name="endPoint"/>, the TLS handshake failed otherwise, the acceptor proved another node id than
    /// expected, sent something other than the expected handshake frame, closed the connection, or dialing and the
    /// handshake took longer than <see cref="HandshakeOptions.Timeout"/>.
    /// </exception>
    public static ValueTask<TcpFrameConnection> ConnectAsync(EndPoint endPoint, HandshakeOptions options, CancellationToken cancellationToken = default) =>
        OnOwnThread(() => DialCoreAsync(endPoint, options, cancellationToken));

    /// <summary>
    /// Runs a dial or an accept on a thread of its own: both block while they wait for the peer (see
    /// <see cref="BlockingSocketStream"/>), and the caller of the asynchronous method must not be held up.
    /// </summary>
    private static ValueTask<TcpFrameConnection> OnOwnThread(Func<ValueTask<TcpFrameConnection>> establish) =>
        new(Task.Factory.StartNew(() => establish().AsTask(), CancellationToken.None, TaskCreationOptions.LongRunning | TaskCreationOptions.DenyChildAttach, TaskScheduler.Default).Unwrap());

    private static async ValueTask<TcpFrameConnection> DialCoreAsync(EndPoint endPoint, HandshakeOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(endPoint);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();

        using CancellationTokenSource timeout = StartTimeout(options, cancellationToken);
        Socket socket = endPoint.AddressFamily is AddressFamily.InterNetwork or AddressFamily.InterNetworkV6
            ? new Socket(endPoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp)
            : new Socket(SocketType.Stream, ProtocolType.Tcp);
        try
        {
            socket.NoDelay = true;
            await ConnectBlockingAsync(socket, endPoint, timeout.Token).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            socket.Dispose();
            cancellationToken.ThrowIfCancellationRequested();
            string detail = ex is OperationCanceledException
                ? $"node {options.ExpectedPeerNodeId} at {endPoint} did not accept within {Milliseconds(options.Timeout)} ms"
                : $"node {options.ExpectedPeerNodeId} at {endPoint} cannot be reached: {ex.Message}";
            TcpWireLog.HandshakeFailed(options.Logger ?? NullLogger.Instance, options.LocalNodeId, endPoint, detail);
            if (ex is SocketException or OperationCanceledException or IOException)
            {
                throw RsmThrow.Create(RsmError.RemoteNodeUnreachable, detail, ex);
            }

            throw;
        }

        // While the handshake runs, the acceptor may ask whether this address is a dial of its own process.
        IPEndPoint? localEnd = Normalize(TryGetEndPoint(socket, remote: false));
        if (localEnd is not null)
        {
            s_dialing.TryAdd(localEnd, 0);
        }

        try
        {
            var connection = new TcpFrameConnection(socket, options, isDialer: true);
            await connection.AuthenticateAsync(timeout.Token, cancellationToken).ConfigureAwait(false);
            return connection;
        }
        finally
        {
            if (localEnd is not null)
            {
                s_dialing.TryRemove(localEnd, out _);
            }
        }
    }

    /// <summary>
    /// Connects with a blocking call on a thread of its own, so the socket never joins the runtime's socket engine (see
    /// <see cref="BlockingSocketStream"/>) and the dial can still time out. On cancellation the socket is disposed and
    /// the dial goes on to fail; the call itself ends when the kernel gives up on the address.
    /// </summary>
    private static async Task ConnectBlockingAsync(Socket socket, EndPoint endPoint, CancellationToken cancellationToken)
    {
        Task connect = Task.Factory.StartNew(() => socket.Connect(endPoint), CancellationToken.None, TaskCreationOptions.LongRunning | TaskCreationOptions.DenyChildAttach, TaskScheduler.Default);
        try
        {
            await connect.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            socket.Dispose();
            _ = connect.ContinueWith(static t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
            throw;
        }
    }

    private static CancellationTokenSource StartTimeout(HandshakeOptions options, CancellationToken cancellationToken)
    {
        var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        if (options.Timeout != Timeout.InfiniteTimeSpan)
        {
            timeout.CancelAfter(options.Timeout);
        }

        return timeout;
    }

    private static string Milliseconds(TimeSpan value) => value.TotalMilliseconds.ToString("0", CultureInfo.InvariantCulture);

    private async ValueTask AuthenticateAsync(CancellationToken handshakeToken, CancellationToken callerToken)
    {
        RsmException failure;
        HandshakeFailure kind;
        long started = Stopwatch.GetTimestamp();

        // Reads and writes block (see BlockingSocketStream): a timeout or a cancellation shuts the socket down, which
        // ends the call that waits.
        using CancellationTokenRegistration interrupt = handshakeToken.UnsafeRegister(static state => ((TcpFrameConnection)state!).InterruptHandshake(), this);
        try
        {
            await AuthenticateTlsAsync(handshakeToken).ConfigureAwait(false);
            if (IsDialer)
            {
                await DialerHandshakeAsync(handshakeToken).ConfigureAwait(false);
            }
            else
            {
                await AcceptorHandshakeAsync(handshakeToken).ConfigureAwait(false);
            }

            long now = Environment.TickCount64;
            _lastReceived = now;
            _lastSent = now;
            OnHandshakeDone(started);
            StartWriter();
            TcpWireLog.ConnectionEstablished(_logger, LocalNodeId, PeerNodeId, RemoteEndPoint, IsDialer ? "dialed" : "accepted");
            return;
        }
        catch (Exception) when (callerToken.IsCancellationRequested)
        {
            Abort("the handshake was cancelled");
            _options.Metrics?.OnHandshake(LocalNodeId, IsDialer, started, _cancellationReason?.Invoke() ?? HandshakeFailure.Cancelled);
            throw new OperationCanceledException(callerToken);
        }
        catch (Exception ex) when (ex is OperationCanceledException || (handshakeToken.IsCancellationRequested && (ex is RsmException || IsTransportFailure(ex))))
        {
            failure = RsmThrow.Create(RsmError.RemoteNodeUnreachable, $"the handshake with {RemoteEndPoint} did not complete within {Milliseconds(_options.Timeout)} ms", ex);
            kind = HandshakeFailure.Timeout;
        }
        catch (RsmException ex)
        {
            failure = ex;

            // The throw sites name what went wrong; a refusal of this side's own certificate check is an authentication failure.
            kind = _handshakeFailure != HandshakeFailure.None ? _handshakeFailure
                : ex.Error == RsmError.PermissionDenied ? HandshakeFailure.AuthenticationFailed
                : HandshakeFailure.TransportError;
        }
        catch (Exception ex) when (IsTransportFailure(ex))
        {
            failure = RsmThrow.Create(RsmError.RemoteNodeUnreachable, $"the connection with {RemoteEndPoint} failed during the handshake: {ex.Message}", ex);
            kind = HandshakeFailure.TransportError;
        }

        Abort(failure.Message);
        _options.Metrics?.OnHandshake(LocalNodeId, IsDialer, started, kind);
        throw failure;
    }

    /// <summary>Counts the handshake begun at <paramref name="started"/> as done and the connection as open; before the writer starts, so that its close always finds it counted.</summary>
    private void OnHandshakeDone(long started)
    {
        if (_options.Metrics is not { } metrics)
        {
            return;
        }

        metrics.OnHandshake(LocalNodeId, IsDialer, started, HandshakeFailure.None);
        _openedAt = Stopwatch.GetTimestamp();
        _countedActive = metrics.OnOpened(this);
        _countedOpen = true;
    }

    /// <summary>Notes what a handshake failure is, for <see cref="HandshakeOptions.Metrics"/>, and returns <paramref name="exception"/> to throw.</summary>
    private RsmException HandshakeError(HandshakeFailure failure, RsmException exception)
    {
        _handshakeFailure = failure;
        return exception;
    }

    private void InterruptHandshake()
    {
        try
        {
            _socket.Shutdown(SocketShutdown.Both);
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
            // Already closed: nothing waits on it.
        }
    }

    /// <summary>Ends a connection whose handshake failed: nobody has seen it, so there is no callback and no goodbye.</summary>
    private void Abort(string reason)
    {
        // An acceptor's failures are logged by whoever accepted (the listener, at a bounded rate): anybody can cause them.
        if (IsDialer)
        {
            TcpWireLog.HandshakeFailed(_logger, LocalNodeId, RemoteEndPoint, reason);
        }

        lock (_stateLock)
        {
            _closed = true;
            _closeReason = ConnectionCloseReason.TransportError;
            _readerCompleted = true;
        }

        _closing.Cancel();
        _stream.Dispose();
        _socket.Dispose();
        _reader.Complete(s_closed);
        _completion.TrySetResult();
    }

    private async ValueTask DialerHandshakeAsync(CancellationToken cancellationToken)
    {
        byte[] dialerNonce = new byte[Handshake.NonceSize];
        Handshake.NewNonce(dialerNonce);
        byte[] hello = new byte[Handshake.HelloSize];
        Handshake.WriteHello(hello, LocalNodeId, dialerNonce);
        await WriteHandshakeFrameAsync(Opcode.Hello, hello, cancellationToken).ConfigureAwait(false);

        (_, byte[] reply) = await ReadHandshakeFrameAsync(Opcode.HelloReply, Handshake.HelloReplySize, cancellationToken).ConfigureAwait(false);
        byte[] acceptorNonce = new byte[Handshake.NonceSize];
        byte[] acceptorMac = new byte[Handshake.MacSize];
        Handshake.ReadHelloReply(reply, out uint acceptorId, acceptorNonce, acceptorMac);
        if (!Handshake.VerifyAcceptorMac(_options.ClusterKey, LocalNodeId, acceptorId, dialerNonce, acceptorNonce, acceptorMac))
        {
            throw HandshakeError(HandshakeFailure.AuthenticationFailed, RsmThrow.Create(RsmError.PermissionDenied, $"the node at {RemoteEndPoint} claiming node id {acceptorId} did not prove the cluster key"));
        }

        CheckCertificateNodeId(acceptorId);

        if (acceptorId != _options.ExpectedPeerNodeId)
        {
            throw HandshakeError(HandshakeFailure.UnexpectedNode, RsmThrow.Create(RsmError.RemoteNodeUnreachable, $"{RemoteEndPoint} is node {acceptorId}, not the expected node {_options.ExpectedPeerNodeId}"));
        }

        byte[] proof = new byte[Handshake.ProofSize];
        Handshake.ComputeDialerMac(_options.ClusterKey, LocalNodeId, acceptorId, dialerNonce, acceptorNonce, proof);
        await WriteHandshakeFrameAsync(Opcode.Proof, proof, cancellationToken).ConfigureAwait(false);

        (FrameHeader answer, byte[] refusal) = await ReadHandshakeFrameAsync(Opcode.Admitted, 0, cancellationToken, Opcode.Refused, Handshake.RefusedSize).ConfigureAwait(false);
        if (answer.Opcode == Opcode.Refused)
        {
            AdmissionRefusal why = Handshake.ReadRefused(refusal);
            throw HandshakeError(HandshakeFailure.Refused, RsmThrow.Create(RsmError.PermissionDenied, $"node {acceptorId} at {RemoteEndPoint} refused this node ({LocalNodeId}): {AdmissionRefusals.Describe(why, LocalNodeId)}").With(why));
        }

        PeerNodeId = acceptorId;
    }

    private async ValueTask AcceptorHandshakeAsync(CancellationToken cancellationToken)
    {
        (_, byte[] hello) = await ReadHandshakeFrameAsync(Opcode.Hello, Handshake.HelloSize, cancellationToken).ConfigureAwait(false);
        _helloReceived?.Invoke();
        byte[] dialerNonce = new byte[Handshake.NonceSize];
        Handshake.ReadHello(hello, out uint claimedId, dialerNonce);
        CheckCertificateNodeId(claimedId);

        byte[] acceptorNonce = new byte[Handshake.NonceSize];
        Handshake.NewNonce(acceptorNonce);
        byte[] mac = new byte[Handshake.MacSize];
        Handshake.ComputeAcceptorMac(_options.ClusterKey, claimedId, LocalNodeId, dialerNonce, acceptorNonce, mac);
        byte[] reply = new byte[Handshake.HelloReplySize];
        Handshake.WriteHelloReply(reply, LocalNodeId, acceptorNonce, mac);
        await WriteHandshakeFrameAsync(Opcode.HelloReply, reply, cancellationToken).ConfigureAwait(false);

        (_, byte[] proof) = await ReadHandshakeFrameAsync(Opcode.Proof, Handshake.ProofSize, cancellationToken).ConfigureAwait(false);
        if (!Handshake.VerifyDialerMac(_options.ClusterKey, claimedId, LocalNodeId, dialerNonce, acceptorNonce, proof))
        {
            throw HandshakeError(HandshakeFailure.AuthenticationFailed, RsmThrow.Create(RsmError.PermissionDenied, $"the peer at {RemoteEndPoint} claiming node id {claimedId} did not prove the cluster key"));
        }

        // Only now is the claimed id an identity, and only now is it judged: a refusal tells nothing to a peer without the key.
        PeerNodeId = claimedId;
        AdmissionRefusal refusal = _options.Admit?.Invoke(this) ?? AdmissionRefusal.None;
        if (refusal != AdmissionRefusal.None)
        {
            byte[] refused = new byte[Handshake.RefusedSize];
            Handshake.WriteRefused(refused, refusal);
            try
            {
                await WriteHandshakeFrameAsync(Opcode.Refused, refused, cancellationToken, (int)RsmError.PermissionDenied).ConfigureAwait(false);
            }
            catch (Exception ex) when (IsTransportFailure(ex) || ex is OperationCanceledException)
            {
                // The dialer is gone or too slow to hear it; it is refused all the same.
            }

            throw HandshakeError(HandshakeFailure.Refused, RsmThrow.Create(RsmError.PermissionDenied, $"node {claimedId} at {RemoteEndPoint} was refused: {AdmissionRefusals.Describe(refusal, claimedId, _options.MaxNodeId)}").With(refusal));
        }

        await WriteHandshakeFrameAsync(Opcode.Admitted, [], cancellationToken).ConfigureAwait(false);
    }

    private async ValueTask WriteHandshakeFrameAsync(Opcode opcode, byte[] payload, CancellationToken cancellationToken, int status = 0)
    {
        // Before the writer thread starts, the handshake writes its frames itself.
        byte[] frame = new byte[FrameHeader.Size + payload.Length];
        new FrameHeader(opcode, 0, (uint)payload.Length, status).Write(frame);
        payload.CopyTo(frame, FrameHeader.Size);
        await _stream.WriteAsync(frame, cancellationToken).ConfigureAwait(false);
        await _stream.FlushAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Reads the one frame the handshake expects next. Its header is judged before the payload is waited for, so a
    /// peer cannot make the handshake buffer more than a handshake message.
    /// </summary>
    /// <remarks>
    /// An <paramref name="alternative"/> opcode (0 for none) of <paramref name="alternativeLength"/> bytes is accepted
    /// too; it alone may carry a status (a refusal's PermissionDenied).
    /// </remarks>
    private async ValueTask<(FrameHeader Header, byte[] Payload)> ReadHandshakeFrameAsync(Opcode expected, int expectedLength, CancellationToken cancellationToken, Opcode alternative = 0, int alternativeLength = 0)
    {
        while (true)
        {
            ReadResult result = await _reader.ReadAsync(cancellationToken).ConfigureAwait(false);
            ReadOnlySequence<byte> buffer = result.Buffer;
            if (FrameHeader.TryRead(buffer, out FrameHeader header))
            {
                FrameProblem problem = header.Validate(Handshake.MaxMessageSize);
                if (problem != FrameProblem.None)
                {
                    _reader.AdvanceTo(buffer.Start);
                    throw HandshakeError(HandshakeFailure.ProtocolViolation, RsmThrow.Create(RsmError.RemoteNodeUnreachable, $"the peer at {RemoteEndPoint} sent a frame with {header.Describe(problem, Handshake.MaxMessageSize)} during the handshake"));
                }

                bool isExpected = header.Opcode == expected && header.Length == (uint)expectedLength && header.Status == 0;
                bool isAlternative = alternative != 0 && header.Opcode == alternative && header.Length == (uint)alternativeLength;
                if (!isExpected && !isAlternative)
                {
                    _reader.AdvanceTo(buffer.Start);
                    throw HandshakeError(HandshakeFailure.ProtocolViolation, RsmThrow.Create(RsmError.RemoteNodeUnreachable, $"the peer at {RemoteEndPoint} sent {header} where the handshake expects {expected} with {expectedLength} bytes"));
                }

                long frameLength = FrameHeader.Size + header.Length;
                if (buffer.Length >= frameLength)
                {
                    byte[] payload = buffer.Slice(FrameHeader.Size, header.Length).ToArray();
                    _reader.AdvanceTo(buffer.GetPosition(frameLength));
                    return (header, payload);
                }
            }

            if (result.IsCompleted)
            {
                _reader.AdvanceTo(buffer.Start);
                throw HandshakeError(HandshakeFailure.PeerClosed, RsmThrow.Create(RsmError.RemoteNodeUnreachable, $"the peer at {RemoteEndPoint} closed the connection during the handshake, before sending {expected}"));
            }

            _reader.AdvanceTo(buffer.Start, buffer.End);
        }
    }
}
