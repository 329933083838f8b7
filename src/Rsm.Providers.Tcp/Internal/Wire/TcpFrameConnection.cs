using System.Buffers;
using System.IO.Pipelines;
using System.Net;
using System.Net.Sockets;
using System.Security.Authentication;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Rsm.Engine;

namespace Rsm.Providers.Tcp.Internal.Wire;

/// <summary>
/// One authenticated TCP connection between two nodes that carries <see cref="FrameHeader"/>-prefixed frames: a
/// handshake proves both node ids before anything else (<see cref="AcceptAsync(Socket, HandshakeOptions, CancellationToken)"/>, <see cref="ConnectAsync"/>), then one
/// reader thread hands each frame to a callback (<see cref="Start"/>) and one writer thread sends the frames of a bounded
/// queue (<see cref="TrySend"/>, <see cref="TrySendReferenced"/>, <see cref="TryPost"/>). Malformed or oversized frames, a
/// silent peer, a peer that takes nothing of its queue for the send timeout, a socket failure, the peer's goodbye or
/// <see cref="Close()"/> end the connection once; the closed callback then runs exactly once, after the last frame
/// callback returned. The socket is released only after both threads have left it.
/// </summary>
internal sealed partial class TcpFrameConnection : IAsyncDisposable, IDisposable
{
    // Big enough that a 1 MiB payload arrives in a few reads, small enough for many idle connections (zero-byte reads
    // keep an idle connection from holding a buffer at all).
    private const int ReadBufferSize = 64 * 1024;
    private const int MinimumReadSize = 4 * 1024;

    /// <summary>A payload from this size on that has not arrived yet may be received straight into memory an <see cref="IPayloadSink"/> offers.</summary>
    public const int DirectReadThreshold = 16 * 1024;

    private static readonly Exception s_closed = new IOException("The connection is closed.");

    // The local addresses of this process's dials whose handshakes are in progress (see IsDialOfThisProcess).
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<IPEndPoint, byte> s_dialing = new();

    private readonly Socket _socket;
    private readonly Stream _stream;
    private readonly PipeReader _reader;
    private readonly HandshakeOptions _options;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _closing = new();
    private readonly TaskCompletionSource _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Lock _stateLock = new();

    private bool _closed;
    private bool _started;
    private bool _readerCompleted;
    private ConnectionCloseReason _closeReason;

    // Who still uses the socket: the connection itself until it closes, and its reader and writer threads.
    private int _socketUsers = 1;
    private Exception? _closeException;
    private Func<FrameHeader, ReadOnlySequence<byte>, ValueTask>? _onFrame;
    private Action<Exception?>? _onClosed;
    private IPayloadSink? _payloadSink;
    private Action? _helloReceived;
    private Func<HandshakeFailure>? _cancellationReason;
    private HandshakeFailure _handshakeFailure;
    private long _lastReceived;
    private long _lastSent;

    // Set once the handshake is done: when the connection opened, and whether the active connections counted it.
    private long _openedAt;
    private bool _countedOpen;
    private bool _countedActive;

    private TcpFrameConnection(Socket socket, HandshakeOptions options, bool isDialer)
    {
        _socket = socket;
        _options = options;
        _logger = options.Logger ?? NullLogger.Instance;
        IsDialer = isDialer;
        RemoteEndPoint = TryGetEndPoint(socket, remote: true);
        LocalEndPoint = TryGetEndPoint(socket, remote: false);
        _stream = CreateStream(socket, options);
        _reader = PipeReader.Create(_stream, new StreamPipeReaderOptions(bufferSize: ReadBufferSize, minimumReadSize: MinimumReadSize, leaveOpen: true, useZeroByteReads: false));
    }

    /// <summary>The node id this side proved.</summary>
    public uint LocalNodeId => _options.LocalNodeId;

    /// <summary>The node id the peer proved in the handshake.</summary>
    public uint PeerNodeId { get; private set; }

    /// <summary>True on the side that dialed, false on the side that accepted.</summary>
    public bool IsDialer { get; }

    /// <summary>The peer's address, when the socket knew it.</summary>
    public EndPoint? RemoteEndPoint { get; }

    /// <summary>This side's address, when the socket knew it.</summary>
    public EndPoint? LocalEndPoint { get; }

    /// <summary>The largest payload a frame may carry in either direction.</summary>
    public int MaxFrameSize => _options.MaxFrameSize;

    /// <summary>Whether the connection has closed; sends fail from then on.</summary>
    public bool IsClosed => Volatile.Read(ref _closed);

    /// <summary>Why the connection closed, or <see cref="ConnectionCloseReason.None"/> while it is open.</summary>
    public ConnectionCloseReason CloseReason
    {
        get
        {
            lock (_stateLock)
            {
                return _closeReason;
            }
        }
    }

    /// <summary>What the closed callback received: null for an orderly close, else an exception describing the failure.</summary>
    public Exception? CloseException
    {
        get
        {
            lock (_stateLock)
            {
                return _closeException;
            }
        }
    }

    /// <summary>Completes once the connection has closed and, if it was started, the closed callback has returned.</summary>
    public Task Completion => _completion.Task;

    /// <summary>Closes the connection in order: a best-effort goodbye frame, then the socket. Idempotent.</summary>
    public void Close() => TryClose(ConnectionCloseReason.Local, null, sendGoodbye: true);

    /// <summary>
    /// Closes the connection because of a failure found above the wire (a reply that makes no sense, a peer to give up
    /// on): like <see cref="Close()"/>, but the closed callback receives an <see cref="RsmException"/> with
    /// ConnectionAborted (40) carrying <paramref name="reason"/>. Idempotent; the first reason stands.
    /// </summary>
    /// <param name="reason">Why, for the closed callback and the log.</param>
    public void Close(string reason)
    {
        ArgumentNullException.ThrowIfNull(reason);
        TryClose(ConnectionCloseReason.Local, RsmThrow.Create(RsmError.ConnectionAborted, $"node {LocalNodeId} closed its connection with node {PeerNodeId}: {reason}"), sendGoodbye: true);
    }

    /// <summary>Same as <see cref="Close()"/>. Does not wait for the closed callback (see <see cref="Completion"/>), so it may be called from inside a callback.</summary>
    public void Dispose() => Close();

    /// <summary>Same as <see cref="Close()"/>. Does not wait for the closed callback (see <see cref="Completion"/>), so it may be called from inside a callback.</summary>
    /// <returns>A completed task.</returns>
    public ValueTask DisposeAsync()
    {
        Close();
        return ValueTask.CompletedTask;
    }

    /// <inheritdoc/>
    public override string ToString() => $"node {LocalNodeId} {(IsDialer ? "->" : "<-")} node {PeerNodeId} ({RemoteEndPoint})";

    /// <summary>
    /// Moves the connection to closed with <paramref name="reason"/>, if it is not closed yet: records the reason, sends
    /// the goodbye when asked, wakes the reader and keep-alive, and releases the socket.
    /// </summary>
    /// <returns>False when the connection was already closed (its first reason stands).</returns>
    private bool TryClose(ConnectionCloseReason reason, Exception? exception, bool sendGoodbye)
    {
        bool completeReader;
        lock (_stateLock)
        {
            if (_closed)
            {
                return false;
            }

            _closed = true;
            _closeReason = reason;
            _closeException = exception;
            completeReader = !_started && !_readerCompleted;
            _readerCompleted |= completeReader;
        }

        LogClosed(reason, exception);
        if (_countedOpen)
        {
            _options.Metrics?.OnClosed(this, _countedActive, _openedAt, reason);
        }

        if (sendGoodbye)
        {
            TrySendGoodbye();
        }

        _closing.Cancel();
        try
        {
            // Ends the reader's and the writer's blocking calls; the socket itself goes when the last of them is done.
            _socket.Shutdown(SocketShutdown.Both);
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
            // Already reset by the peer: nothing left to shut down.
        }

        lock (_sendGate)
        {
            Monitor.PulseAll(_sendGate);
            _writerSleeps = false;
            _writerWake.Set();
        }

        if (completeReader)
        {
            _reader.Complete();
            _completion.TrySetResult();
        }

        ReleaseSocket();
        return true;
    }

    /// <summary>Starts the writer thread once the handshake has proven the peer.</summary>
    private void StartWriter()
    {
        Interlocked.Increment(ref _socketUsers);
        StartThread(WriteLoop, $"rsm tcp node {LocalNodeId} -> {PeerNodeId}");
    }

    /// <summary>One user of the socket is done with it; the last one disposes it.</summary>
    private void ReleaseSocket()
    {
        if (Interlocked.Decrement(ref _socketUsers) == 0)
        {
            _stream.Dispose();
            _socket.Dispose();
        }
    }

    private void LogClosed(ConnectionCloseReason reason, Exception? exception)
    {
        if (reason is ConnectionCloseReason.Local or ConnectionCloseReason.PeerGoodbye or ConnectionCloseReason.PeerClosed)
        {
            TcpWireLog.ConnectionClosed(_logger, LocalNodeId, PeerNodeId, reason);
        }
        else
        {
            TcpWireLog.ConnectionDropped(_logger, LocalNodeId, PeerNodeId, RemoteEndPoint, reason, exception?.Message ?? reason.ToString());
        }
    }

    private RsmException ClosedException()
    {
        ConnectionCloseReason reason;
        Exception? cause;
        lock (_stateLock)
        {
            reason = _closeReason;
            cause = _closeException;
        }

        string detail = $"the connection with node {PeerNodeId} at {RemoteEndPoint} is closed ({reason})";
        return cause is null ? RsmThrow.Create(RsmError.ConnectionAborted, detail) : RsmThrow.Create(RsmError.ConnectionAborted, detail, cause);
    }

    private static EndPoint? TryGetEndPoint(Socket socket, bool remote)
    {
        try
        {
            return remote ? socket.RemoteEndPoint : socket.LocalEndPoint;
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
            return null;
        }
    }

    private static int s_threads;

    /// <summary>The connection threads (readers and writers) alive in this process; each ends with its connection.</summary>
    public static int ThreadCount => Volatile.Read(ref s_threads);

    private static void StartThread(Action body, string name)
    {
        Interlocked.Increment(ref s_threads);
        try
        {
            new Thread(() =>
            {
                try
                {
                    body();
                }
                finally
                {
                    Interlocked.Decrement(ref s_threads);
                }
            })
            { IsBackground = true, Name = name }.Start();
        }
        catch
        {
            Interlocked.Decrement(ref s_threads);
            throw;
        }
    }

    private static bool IsTransportFailure(Exception ex) =>
        ex is IOException or SocketException or ObjectDisposedException or InvalidOperationException or OperationCanceledException or AuthenticationException;
}
