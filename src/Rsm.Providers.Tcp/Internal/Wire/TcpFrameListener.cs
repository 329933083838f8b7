using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Rsm.Engine;

namespace Rsm.Providers.Tcp.Internal.Wire;

/// <summary>
/// A node's listening socket: accepts connections, authenticates each with <see cref="TcpFrameConnection.AcceptAsync(Socket, HandshakeOptions, Action?, CancellationToken)"/>
/// concurrently, hands the authenticated ones to a callback (which owns them from then on) and drops the rest. One
/// failing peer never disturbs the others; <see cref="Dispose"/> stops accepting and abandons pending handshakes.
/// </summary>
/// <remarks>
/// <para>
/// Each handshake has one deadline, <see cref="HandshakeOptions.Timeout"/> counted from the accept, however its bytes
/// trickle in. At most <c>maxPendingHandshakes</c> handshakes are pending at once; when a new connection arrives at the
/// cap, the oldest pending handshake whose dialer has not yet sent a whole Hello is dropped to make room for it (or the
/// oldest of all, when every one has). A dialer that gets on with its handshake sends its Hello at once, so peers that
/// trickle or stall are the ones dropped, and a new connection is never turned away.
/// </para>
/// <para>
/// Failed handshakes and refused nodes are logged through a <see cref="LogRateLimiter"/> each: at most
/// <see cref="LogRateLimiter.DefaultPerInterval"/> lines per <see cref="LogRateLimiter.DefaultInterval"/> of either kind,
/// then one line with the number not logged.
/// </para>
/// </remarks>
internal sealed class TcpFrameListener : IDisposable, IAsyncDisposable
{
    /// <summary>The default cap on handshakes in progress at once; a connection beyond it makes room by dropping the oldest pending one.</summary>
    public const int DefaultMaxPendingHandshakes = 128;

    private const int Backlog = 512;
    private static readonly TimeSpan s_acceptRetryDelay = TimeSpan.FromMilliseconds(50);

    private readonly Socket _socket;
    private readonly HandshakeOptions _options;

    // What each accepted handshake runs with: the listener owns its deadline, which counts from the accept (the
    // connection's own timer would start later and could end it with a different reason).
    private readonly HandshakeOptions _acceptOptions;
    private readonly Action<TcpFrameConnection> _onAccepted;
    private readonly Action<Exception>? _onRefused;
    private readonly ILogger _logger;
    private readonly int _maxPendingHandshakes;
    private readonly CancellationTokenSource _stopping = new();
    private readonly Lock _pendingLock = new();
    private readonly LinkedList<PendingHandshake> _pending = new();
    private readonly LogRateLimiter _failureLog;
    private readonly LogRateLimiter _refusalLog;
    private Task _acceptLoop = Task.CompletedTask;
    private long _accepted;
    private long _refused;
    private long _evicted;
    private int _disposed;
    private Exception? _acceptFailure;

    private TcpFrameListener(Socket socket, HandshakeOptions options, Action<TcpFrameConnection> onAccepted, Action<Exception>? onRefused, int maxPendingHandshakes, TimeSpan logInterval, int logPerInterval)
    {
        _socket = socket;
        _options = options;
        _acceptOptions = options with { Timeout = Timeout.InfiniteTimeSpan };
        _onAccepted = onAccepted;
        _onRefused = onRefused;
        _logger = options.Logger ?? NullLogger.Instance;
        _maxPendingHandshakes = maxPendingHandshakes;
        LocalEndPoint = socket.LocalEndPoint!;
        _failureLog = new LogRateLimiter(logInterval, logPerInterval, (count, interval) => TcpWireLog.RefusalsSuppressed(_logger, _options.LocalNodeId, count, "failed handshakes", LocalEndPoint, interval.TotalSeconds));
        _refusalLog = new LogRateLimiter(logInterval, logPerInterval, (count, interval) => TcpWireLog.RefusalsSuppressed(_logger, _options.LocalNodeId, count, "refused nodes", LocalEndPoint, interval.TotalSeconds));
    }

    /// <summary>The bound address, with the actual port when port 0 was asked for.</summary>
    public EndPoint LocalEndPoint { get; }

    /// <summary>Handshakes in progress.</summary>
    public int PendingHandshakes
    {
        get
        {
            lock (_pendingLock)
            {
                return _pending.Count;
            }
        }
    }

    /// <summary>Connections authenticated and handed to the callback so far.</summary>
    public long AcceptedCount => Interlocked.Read(ref _accepted);

    /// <summary>Connections dropped so far: failed, refused, late and evicted handshakes.</summary>
    public long RefusedCount => Interlocked.Read(ref _refused);

    /// <summary>Pending handshakes dropped so far to make room for new connections.</summary>
    public long EvictedCount => Interlocked.Read(ref _evicted);

    /// <summary>Log lines of failed handshakes and refused nodes held back by the rate limit so far.</summary>
    public long SuppressedLogCount => _failureLog.SuppressedTotal + _refusalLog.SuppressedTotal;

    /// <summary>
    /// Why the listener cannot accept now: the error of the last accept when no accept has succeeded since, or why the
    /// accept loop ended before <see cref="Dispose"/>. Null while it accepts.
    /// </summary>
    public Exception? AcceptFailure => Volatile.Read(ref _acceptFailure);

    /// <summary>The listening socket, for tests that make it fail.</summary>
    internal Socket ListeningSocket => _socket;

    /// <summary>Whether <see cref="Dispose"/> stopped the listener.</summary>
    public bool IsDisposed => Volatile.Read(ref _disposed) != 0;

    /// <summary>Binds <paramref name="endPoint"/>, listens, and starts accepting.</summary>
    /// <param name="endPoint">The address to listen on; port 0 picks a free port (see <see cref="LocalEndPoint"/>).</param>
    /// <param name="options">The local identity, cluster key, admission and limits every accepted connection uses; its <see cref="HandshakeOptions.Timeout"/> is each handshake's deadline from the accept.</param>
    /// <param name="onAccepted">Receives each authenticated connection, not yet started; it owns the connection. If it throws, the connection is closed.</param>
    /// <param name="onRefused">Receives the reason for each dropped connection, if given (every one, not rate-limited).</param>
    /// <param name="maxPendingHandshakes">How many handshakes may be in progress at once.</param>
    /// <param name="logInterval">The interval of the log rate limits; zero for <see cref="LogRateLimiter.DefaultInterval"/>.</param>
    /// <param name="logPerInterval">The lines per interval of each log rate limit; zero for <see cref="LogRateLimiter.DefaultPerInterval"/>.</param>
    /// <returns>The running listener.</returns>
    /// <exception cref="ArgumentException"><paramref name="options"/> is invalid.</exception>
    /// <exception cref="RsmException">BadConfiguration (44): the address cannot be bound (in use, not local, not permitted).</exception>
    public static TcpFrameListener Start(EndPoint endPoint, HandshakeOptions options, Action<TcpFrameConnection> onAccepted, Action<Exception>? onRefused = null, int maxPendingHandshakes = DefaultMaxPendingHandshakes, TimeSpan logInterval = default, int logPerInterval = 0)
    {
        ArgumentNullException.ThrowIfNull(endPoint);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(onAccepted);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxPendingHandshakes);
        ArgumentOutOfRangeException.ThrowIfNegative(logPerInterval);
        options.Validate();

        var socket = new Socket(endPoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            socket.Bind(endPoint);
            socket.Listen(Backlog);
        }
        catch (SocketException ex)
        {
            socket.Dispose();
            throw RsmThrow.Create(RsmError.BadConfiguration, $"node {options.LocalNodeId} cannot listen on {endPoint}: {ex.Message}", ex);
        }

        var listener = new TcpFrameListener(
            socket,
            options,
            onAccepted,
            onRefused,
            maxPendingHandshakes,
            logInterval == default ? LogRateLimiter.DefaultInterval : logInterval,
            logPerInterval == 0 ? LogRateLimiter.DefaultPerInterval : logPerInterval);
        TcpWireLog.ListenerStarted(listener._logger, options.LocalNodeId, listener.LocalEndPoint);
        listener._acceptLoop = Task.Run(listener.AcceptLoopAsync);
        return listener;
    }

    /// <summary>
    /// Stops accepting and abandons handshakes in progress; logs the counts the rate limits still hold. Connections
    /// already handed over stay open. Idempotent.
    /// </summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        _stopping.Cancel();
        _socket.Dispose();
        _failureLog.Dispose();
        _refusalLog.Dispose();
    }

    /// <summary>Like <see cref="Dispose"/>, then waits for the accept loop to end.</summary>
    /// <returns>A task that completes when the accept loop has ended.</returns>
    public async ValueTask DisposeAsync()
    {
        Dispose();
        await _acceptLoop.ConfigureAwait(false);
    }

    private static EndPoint? RemoteOf(Socket socket)
    {
        try
        {
            return socket.RemoteEndPoint;
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
            // Reset already; the address is only for the log.
            return null;
        }
    }

    private async Task AcceptLoopAsync()
    {
        CancellationToken stopping = _stopping.Token;
        while (!stopping.IsCancellationRequested)
        {
            Socket accepted;
            try
            {
                accepted = await _socket.AcceptAsync(stopping).ConfigureAwait(false);
                Volatile.Write(ref _acceptFailure, null);
            }
            catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException || stopping.IsCancellationRequested)
            {
                if (!stopping.IsCancellationRequested)
                {
                    Volatile.Write(ref _acceptFailure, ex);
                }

                return;
            }
            catch (SocketException ex)
            {
                Volatile.Write(ref _acceptFailure, ex);
                // Out of descriptors or a connection reset before it was accepted: keep serving, without spinning.
                TcpWireLog.AcceptFailed(_logger, ex, _options.LocalNodeId, LocalEndPoint);
                try
                {
                    await Task.Delay(s_acceptRetryDelay, stopping).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return;
                }

                continue;
            }

            // The deadline runs from here, whatever the peer sends and however slowly.
            var pending = new PendingHandshake(RemoteOf(accepted), CancellationTokenSource.CreateLinkedTokenSource(stopping));
            if (_options.Timeout != Timeout.InfiniteTimeSpan)
            {
                pending.Cancellation.CancelAfter(_options.Timeout);
            }

            PendingHandshake? evicted = Track(pending);
            if (evicted is not null)
            {
                Evict(evicted);
            }

            // Each handshake runs on a thread of its own (see TcpFrameConnection.AcceptAsync), so a slow or silent peer
            // holds up neither this loop nor the thread pool.
            _ = HandshakeAsync(accepted, pending, stopping);
        }
    }

    /// <summary>Adds <paramref name="pending"/>; at the cap, takes out and returns the handshake to drop for it.</summary>
    private PendingHandshake? Track(PendingHandshake pending)
    {
        PendingHandshake? evicted = null;
        lock (_pendingLock)
        {
            if (_pending.Count >= _maxPendingHandshakes)
            {
                // Oldest first among those still waiting for their Hello; a dialer that gets on sends it at once.
                LinkedListNode<PendingHandshake>? victim = _pending.First;
                for (LinkedListNode<PendingHandshake>? node = _pending.First; node is not null; node = node.Next)
                {
                    if (!node.Value.HelloReceived)
                    {
                        victim = node;
                        break;
                    }
                }

                evicted = victim!.Value;
                evicted.Evicted = true;
                _pending.Remove(victim);
                evicted.Node = null;
            }

            pending.Node = _pending.AddLast(pending);
        }

        return evicted;
    }

    private void Evict(PendingHandshake evicted)
    {
        Interlocked.Increment(ref _evicted);
        try
        {
            // Shuts the socket down, which ends the handshake's wait at once (see TcpFrameConnection.AuthenticateAsync).
            evicted.Cancellation.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // It ended on its own meanwhile.
        }

        if (_failureLog.TryAcquire())
        {
            TcpWireLog.TooManyHandshakes(_logger, _options.LocalNodeId, _maxPendingHandshakes, LocalEndPoint, evicted.Remote);
        }
    }

    private void Untrack(PendingHandshake pending)
    {
        lock (_pendingLock)
        {
            if (pending.Node is not null)
            {
                _pending.Remove(pending.Node);
                pending.Node = null;
            }
        }

        pending.Cancellation.Dispose();
    }

    private async Task HandshakeAsync(Socket accepted, PendingHandshake pending, CancellationToken stopping)
    {
        TcpFrameConnection connection;
        try
        {
            // The listener alone knows why it cancelled: the deadline, room for a newer connection, or its stop.
            connection = await TcpFrameConnection.AcceptAsync(
                accepted,
                _acceptOptions,
                pending.OnHello,
                () => Volatile.Read(ref pending.Evicted) ? HandshakeFailure.Evicted : stopping.IsCancellationRequested ? HandshakeFailure.Cancelled : HandshakeFailure.Timeout,
                pending.Cancellation.Token).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            // The connection has closed the socket; a cancellation means the listener stops, the deadline passed, or the
            // handshake made room for a newer one (logged when it was dropped).
            if (!stopping.IsCancellationRequested)
            {
                Fail(ex, pending);
            }

            return;
        }
        finally
        {
            Untrack(pending);
        }

        if (stopping.IsCancellationRequested)
        {
            connection.Close();
            return;
        }

        try
        {
            _onAccepted(connection);
            Interlocked.Increment(ref _accepted);
        }
        catch (Exception ex)
        {
            TcpWireLog.AcceptedHandlerFailed(_logger, ex, _options.LocalNodeId, connection.PeerNodeId);
            connection.Close();
        }
    }

    private void Fail(Exception failure, PendingHandshake pending)
    {
        Exception reason;
        if (Volatile.Read(ref pending.Evicted))
        {
            reason = RsmThrow.Create(RsmError.InsufficientResources, $"{_maxPendingHandshakes} handshakes were pending on {LocalEndPoint}; the handshake of {pending.Remote} was dropped for a newer connection", failure);
        }
        else
        {
            reason = failure is OperationCanceledException
                ? RsmThrow.Create(RsmError.RemoteNodeUnreachable, $"the handshake with {pending.Remote} did not complete within {_options.Timeout.TotalMilliseconds:0} ms of its accept", failure)
                : failure;
            LogRateLimiter log = AdmissionRefusals.Of(failure) != AdmissionRefusal.None ? _refusalLog : _failureLog;
            if (log.TryAcquire())
            {
                TcpWireLog.HandshakeFailed(_logger, _options.LocalNodeId, pending.Remote, reason.Message);
            }
        }

        Report(reason);
    }

    private void Report(Exception reason)
    {
        Interlocked.Increment(ref _refused);
        try
        {
            _onRefused?.Invoke(reason);
        }
        catch (Exception ex)
        {
            TcpWireLog.AcceptedHandlerFailed(_logger, ex, _options.LocalNodeId, 0);
        }
    }

    /// <summary>One handshake in progress: its deadline and its place in the eviction order.</summary>
    private sealed class PendingHandshake(EndPoint? remote, CancellationTokenSource cancellation)
    {
        // Written under the listener's pending lock, read by the handshake once it has failed.
        public bool Evicted;

        private volatile bool _helloReceived;

        public EndPoint? Remote { get; } = remote;

        /// <summary>Ends the handshake: at its deadline, when it is dropped, or when the listener stops.</summary>
        public CancellationTokenSource Cancellation { get; } = cancellation;

        public LinkedListNode<PendingHandshake>? Node { get; set; }

        public bool HelloReceived => _helloReceived;

        public Action OnHello => () => _helloReceived = true;
    }
}
