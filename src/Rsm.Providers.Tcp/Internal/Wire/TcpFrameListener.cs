using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Rsm.Engine;

namespace Rsm.Providers.Tcp.Internal.Wire;

/// <summary>
/// A node's listening socket: accepts connections, authenticates each with <see cref="TcpFrameConnection.AcceptAsync"/>
/// concurrently, hands the authenticated ones to a callback (which owns them from then on) and drops the rest. One
/// failing peer never disturbs the others; <see cref="Dispose"/> stops accepting and abandons pending handshakes.
/// </summary>
internal sealed class TcpFrameListener : IDisposable, IAsyncDisposable
{
    /// <summary>The default cap on handshakes in progress at once; connections beyond it are closed at once.</summary>
    public const int DefaultMaxPendingHandshakes = 128;

    private const int Backlog = 512;
    private static readonly TimeSpan s_acceptRetryDelay = TimeSpan.FromMilliseconds(50);

    private readonly Socket _socket;
    private readonly HandshakeOptions _options;
    private readonly Action<TcpFrameConnection> _onAccepted;
    private readonly Action<Exception>? _onRefused;
    private readonly ILogger _logger;
    private readonly int _maxPendingHandshakes;
    private readonly CancellationTokenSource _stopping = new();
    private Task _acceptLoop = Task.CompletedTask;
    private int _pendingHandshakes;
    private long _accepted;
    private long _refused;
    private int _disposed;

    private TcpFrameListener(Socket socket, HandshakeOptions options, Action<TcpFrameConnection> onAccepted, Action<Exception>? onRefused, int maxPendingHandshakes)
    {
        _socket = socket;
        _options = options;
        _onAccepted = onAccepted;
        _onRefused = onRefused;
        _logger = options.Logger ?? NullLogger.Instance;
        _maxPendingHandshakes = maxPendingHandshakes;
        LocalEndPoint = socket.LocalEndPoint!;
    }

    /// <summary>The bound address, with the actual port when port 0 was asked for.</summary>
    public EndPoint LocalEndPoint { get; }

    /// <summary>Handshakes in progress.</summary>
    public int PendingHandshakes => Volatile.Read(ref _pendingHandshakes);

    /// <summary>Connections authenticated and handed to the callback so far.</summary>
    public long AcceptedCount => Interlocked.Read(ref _accepted);

    /// <summary>Connections dropped so far: failed handshakes and connections over the pending-handshake cap.</summary>
    public long RefusedCount => Interlocked.Read(ref _refused);

    /// <summary>Binds <paramref name="endPoint"/>, listens, and starts accepting.</summary>
    /// <param name="endPoint">The address to listen on; port 0 picks a free port (see <see cref="LocalEndPoint"/>).</param>
    /// <param name="options">The local identity, cluster key and limits every accepted connection uses.</param>
    /// <param name="onAccepted">Receives each authenticated connection, not yet started; it owns the connection. If it throws, the connection is closed.</param>
    /// <param name="onRefused">Receives the reason for each dropped connection, if given.</param>
    /// <param name="maxPendingHandshakes">How many handshakes may be in progress at once.</param>
    /// <returns>The running listener.</returns>
    /// <exception cref="ArgumentException"><paramref name="options"/> is invalid.</exception>
    /// <exception cref="RsmException">BadConfiguration (44): the address cannot be bound (in use, not local, not permitted).</exception>
    public static TcpFrameListener Start(EndPoint endPoint, HandshakeOptions options, Action<TcpFrameConnection> onAccepted, Action<Exception>? onRefused = null, int maxPendingHandshakes = DefaultMaxPendingHandshakes)
    {
        ArgumentNullException.ThrowIfNull(endPoint);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(onAccepted);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxPendingHandshakes);
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

        var listener = new TcpFrameListener(socket, options, onAccepted, onRefused, maxPendingHandshakes);
        TcpWireLog.ListenerStarted(listener._logger, options.LocalNodeId, listener.LocalEndPoint);
        listener._acceptLoop = Task.Run(listener.AcceptLoopAsync);
        return listener;
    }

    /// <summary>Stops accepting and abandons handshakes in progress. Connections already handed over stay open. Idempotent.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        _stopping.Cancel();
        _socket.Dispose();
    }

    /// <summary>Like <see cref="Dispose"/>, then waits for the accept loop to end.</summary>
    /// <returns>A task that completes when the accept loop has ended.</returns>
    public async ValueTask DisposeAsync()
    {
        Dispose();
        await _acceptLoop.ConfigureAwait(false);
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
            }
            catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException || stopping.IsCancellationRequested)
            {
                return;
            }
            catch (SocketException ex)
            {
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

            if (Interlocked.Increment(ref _pendingHandshakes) > _maxPendingHandshakes)
            {
                Interlocked.Decrement(ref _pendingHandshakes);
                Refuse(accepted);
                continue;
            }

            // Each handshake runs on a thread of its own (see TcpFrameConnection.AcceptAsync), so a slow or silent peer
            // holds up neither this loop nor the thread pool.
            _ = HandshakeAsync(accepted, stopping);
        }
    }

    private void Refuse(Socket accepted)
    {
        EndPoint? remote = null;
        try
        {
            remote = accepted.RemoteEndPoint;
        }
        catch (SocketException)
        {
            // Reset already; the address is only for the log.
        }

        accepted.Dispose();
        TcpWireLog.TooManyHandshakes(_logger, _options.LocalNodeId, _maxPendingHandshakes, LocalEndPoint, remote);
        Report(RsmThrow.Create(RsmError.InsufficientResources, $"{_maxPendingHandshakes} handshakes are already in progress on {LocalEndPoint}; the connection from {remote} was closed"));
    }

    private async Task HandshakeAsync(Socket accepted, CancellationToken stopping)
    {
        TcpFrameConnection connection;
        try
        {
            connection = await TcpFrameConnection.AcceptAsync(accepted, _options, stopping).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            // The connection has logged why and closed the socket; a cancellation means the listener stops.
            if (!stopping.IsCancellationRequested)
            {
                Report(ex);
            }

            return;
        }
        finally
        {
            Interlocked.Decrement(ref _pendingHandshakes);
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
}
