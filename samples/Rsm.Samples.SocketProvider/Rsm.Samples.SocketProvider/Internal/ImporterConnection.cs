using System.Net.Sockets;
using Rsm.Engine;

namespace Rsm.Samples.Sockets.Internal;

/// <summary>
/// The exporter's side of one importer: a thread reads its requests in order and hands each to the node's export
/// service (<see cref="RsmNode.Exports"/>), which admits, checks and copies under the node's lock; the answer is sent
/// afterwards, without it. Pushes (abort, grant, event) are queued on the socket without waiting
/// (<see cref="Socket.SendAsync(ReadOnlyMemory{byte}, SocketFlags, CancellationToken)"/>), so they are safe under the
/// node's lock; a peer that lets too many pile up is dropped. The end of the stream (the importer disconnected or died)
/// releases the import.
/// </summary>
internal sealed class ImporterConnection : RsmRemoteImport, IProviderResource
{
    // Pushes nobody has taken yet; an importer that lets more pile up is not reading and is dropped.
    private const int MaxQueuedPushes = 65536;

    private readonly SocketTransport _transport;
    private readonly uint _segmentId;
    private readonly Socket _socket;
    private readonly RsmCredentials? _importer;
    private readonly TaskCompletionSource _abortSeen = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private long _abortDeadline;
    private int _queuedPushes;
    private int _closed;
    private bool _connectSeen;

    /// <param name="transport">The exporter's transport.</param>
    /// <param name="segmentId">The id of the listener that accepted the importer: its requests are about whatever is published under it.</param>
    /// <param name="socket">The accepted socket.</param>
    /// <param name="importer">The importer's credentials as the kernel reported them; null when they could not be read.</param>
    public ImporterConnection(SocketTransport transport, uint segmentId, Socket socket, RsmCredentials? importer)
    {
        _transport = transport;
        _segmentId = segmentId;
        _socket = socket;
        _importer = importer;
    }

    private RsmExportService Exports => _transport.LocalNode.Exports;

    public void Start()
    {
        if (!_transport.Provider.Track(this))
        {
            _socket.Dispose();
            return;
        }

        // Until it is admitted, the importer has one timeout to say what it wants.
        _socket.ReceiveTimeout = _transport.TimeoutMilliseconds;
        _socket.SendTimeout = _transport.TimeoutMilliseconds;
        new Thread(Serve) { IsBackground = true, Name = "RsmSock export" }.Start();
    }

    public void Stop() => Close();

    protected override void OnForceDisconnect()
    {
        // All importers of a segment are told first and awaited after, so together they wait at most one timeout.
        _abortDeadline = Environment.TickCount64 + _transport.TimeoutMilliseconds;
        if (!Push(new Frame(Opcode.Abort)))
        {
            // A peer that is gone cannot answer, and has nothing left to abort.
            _abortSeen.TrySetResult();
        }
    }

    protected override void OnAwaitAbortSeen()
    {
        _ = _abortSeen.Task.Wait(TimeSpan.FromMilliseconds(Math.Max(0, _abortDeadline - Environment.TickCount64)));

        // The import is over: the importer posts later events through a new connection to the name.
        Exports.Release(this);
        Close();
    }

    protected override void OnDeliverSignal() => _ = Push(new Frame(Opcode.Event));

    protected override void OnGrantedModeChanged(uint mode) => _ = Push(new Frame(Opcode.Grant) { Arg = mode });

    private void Serve()
    {
        byte[] request = new byte[Frame.MaxMessage + 1];
        byte[] reply = new byte[Frame.MaxMessage];
        try
        {
            while (Wire.TryReceive(_socket, request, out Frame frame, out int length)
                && Handle(frame, request.AsSpan(Frame.Size, length), reply))
            {
            }
        }
        catch (SocketException)
        {
            // Gone, timed out before it asked for anything, or did not take an answer in time.
        }
        catch (ObjectDisposedException)
        {
        }
        finally
        {
            Exports.Release(this);
            _abortSeen.TrySetResult();
            Close();
        }
    }

    /// <summary>Serves one request; false ends the connection.</summary>
    private bool Handle(in Frame frame, ReadOnlySpan<byte> payload, byte[] reply)
    {
        var answer = new Frame(frame.Op + 1, frame.RequestId);
        ReadOnlySpan<byte> data = default;
        try
        {
            switch (frame.Op)
            {
                case Opcode.Connect when !_connectSeen:
                    _connectSeen = true;
                    return Admit(frame, reply);

                case Opcode.AbortSeen:
                    _abortSeen.TrySetResult();
                    return true;

                case Opcode.Signal:
                    // To whichever segment is published under the name now; none drops the event (RSMAPI 4.3).
                    Exports.PostSignal(_segmentId);
                    break;

                case Opcode.Get when frame.Width is 1 or 2 or 4 or 8 && frame.Arg <= Frame.MaxPayload:
                {
                    Span<byte> bytes = reply.AsSpan(Frame.Size, (int)frame.Arg);
                    Exports.Read(this, (long)frame.A, bytes, frame.Width);
                    data = bytes;
                    break;
                }

                case Opcode.Put when frame.Width is 1 or 2 or 4 or 8:
                    answer.Flags = frame.Flags & FrameFlags.Unawaited;
                    Exports.Write(this, (long)frame.A, payload, frame.Width);
                    break;

                case Opcode.Atomic when frame.Arg <= (uint)AtomicOperation.FetchAdd:
                    answer.A = Exports.Atomic(this, (AtomicOperation)frame.Arg, (long)frame.A, frame.B, frame.C, frame.Width);
                    break;

                case Opcode.Disconnect:
                    Exports.Release(this);
                    Wire.Send(_socket, answer, default, reply);
                    return false;

                default:
                    // Not a request an importer makes, or malformed.
                    return false;
            }
        }
        catch (RsmException ex)
        {
            // Checked again here, whatever the importer checked: the answer is the engine's error.
            answer.Status = (int)ex.Error;
            data = default;
        }

        Wire.Send(_socket, answer, data, reply);
        return true;
    }

    /// <summary>Judged by the engine with the credentials the kernel reported and the node id the importer declares.</summary>
    private bool Admit(in Frame request, byte[] reply)
    {
        var answer = new Frame(Opcode.Admit, request.RequestId);
        try
        {
            // The admission is queued on the socket with the node's lock held, before the import joins the segment, so
            // no push for it can overtake it.
            _ = Exports.Admit(this, _segmentId, request.Arg, (RsmPermissions)(uint)Math.Min(request.A, uint.MaxValue), _importer, admission => Push(answer with
            {
                Arg = admission.GrantedMode,
                A = admission.Length,
                B = (ulong)admission.Flags,
                C = admission.NodeId,
            }));
        }
        catch (RsmException ex)
        {
            answer.Status = (int)ex.Error;
            answer.Flags = _importer is null && ex.Error == RsmError.PermissionDenied ? FrameFlags.CredentialsUnavailable : FrameFlags.None;
            Wire.Send(_socket, answer, default, reply);
            return false;
        }

        if (!IsAdmitted)
        {
            return false;
        }

        // Admitted: the importer may stay idle as long as it likes.
        _socket.ReceiveTimeout = 0;
        return true;
    }

    /// <summary>Queues a message without waiting for the importer; false when the connection is closed or the importer is not reading.</summary>
    private bool Push(in Frame frame)
    {
        if (Volatile.Read(ref _closed) != 0)
        {
            return false;
        }

        if (Interlocked.Increment(ref _queuedPushes) > MaxQueuedPushes)
        {
            Interlocked.Decrement(ref _queuedPushes);

            // Closed off this thread: a push may run with the node's lock held.
            ThreadPool.UnsafeQueueUserWorkItem(static connection => connection.Close(), this, preferLocal: false);
            return false;
        }

        byte[] message = new byte[Frame.Size];
        frame.Write(message);
        try
        {
            ValueTask<int> sending = _socket.SendAsync(new ReadOnlyMemory<byte>(message), SocketFlags.None);
            if (sending.IsCompletedSuccessfully)
            {
                Interlocked.Decrement(ref _queuedPushes);
                return true;
            }

            _ = CompletePush(sending);
            return true;
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
            Interlocked.Decrement(ref _queuedPushes);
            return false;
        }
    }

    private async Task CompletePush(ValueTask<int> sending)
    {
        try
        {
            _ = await sending.ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException or OperationCanceledException)
        {
            Close();
        }
        finally
        {
            Interlocked.Decrement(ref _queuedPushes);
        }
    }

    private void Close()
    {
        if (Interlocked.Exchange(ref _closed, 1) == 0)
        {
            _socket.Dispose();
            _transport.Provider.Untrack(this);
        }
    }
}
