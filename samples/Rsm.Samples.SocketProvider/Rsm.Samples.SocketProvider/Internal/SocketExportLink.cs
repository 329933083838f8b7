using System.Collections.Concurrent;
using System.Net.Sockets;
using Rsm.Engine;

namespace Rsm.Samples.Sockets.Internal;

/// <summary>
/// The importer's side of a segment: a connection to the segment's socket on which every access is a request with an
/// id, answered in turn, and a reader thread that hands answers to their waiting callers and applies the exporter's
/// pushes (abort, grant, event). Nothing maps the exporter's pages: a mapping is a <see cref="MirrorView"/>, refreshed
/// and shipped by the barriers of <see cref="RemoteExportLink"/>. Every wait is bounded by the request timeout; a
/// timeout or a lost connection aborts the import (later accesses report ConnectionAborted (40)).
/// </summary>
internal sealed unsafe class SocketExportLink : RemoteExportLink, IProviderResource
{
    private readonly SocketTransport _transport;
    private readonly string _name;
    private readonly Socket _socket;
    private readonly ConcurrentDictionary<uint, PendingRequest> _pending = new();
    private readonly object _putGate = new();
    private readonly Thread _reader;
    private IAbortableImport? _importer;
    private int _nextRequest;
    private int _outstandingPuts;
    private int _firstPutError;
    private int _aborted;
    private int _lost;
    private volatile bool _detached;
    private uint _grantedMode;

    private SocketExportLink(SocketTransport transport, string name, Socket socket, in Frame admission)
    {
        _transport = transport;
        _name = name;
        _socket = socket;
        _nextRequest = 1;
        _grantedMode = admission.Arg;
        Length = (nuint)admission.A;
        Flags = (ExportFlags)admission.B;
        NodeId = (uint)admission.C;
        Events = new EventCounter();
        _reader = new Thread(ReceiveLoop) { IsBackground = true, Name = "RsmSock import" };
    }

    public override uint NodeId { get; }

    public override nuint Length { get; }

    public override ExportFlags Flags { get; }

    public override bool IsDirect => false;

    /// <summary>The mode the exporter granted this node at admission or pushed since (informational: the exporter judges every access).</summary>
    public override uint GrantedMode => Volatile.Read(ref _grantedMode);

    public override EventCounter Events { get; }

    /// <summary>
    /// Whether the import was aborted. The reader thread sets the flag a moment before it aborts the import segment; the
    /// access that sees the flag aborts the segment itself (Abort is idempotent), so the engine's generation check after
    /// the access reports ConnectionAborted (40), never a success with scratch zeros or a put that went nowhere.
    /// </summary>
    private bool IsAborted
    {
        get
        {
            if (Volatile.Read(ref _aborted) == 0)
            {
                return false;
            }

            Volatile.Read(ref _importer)?.Abort();
            return true;
        }
    }

    private bool IsLost => Volatile.Read(ref _lost) != 0;

    /// <summary>Asks the exporter of (<paramref name="nodeId"/>, <paramref name="segmentId"/>) to admit this process.</summary>
    /// <exception cref="RsmException">The exporter's refusal (7, 8, 27); SegmentNotPublished (7) when nothing listens at the
    /// segment's name or it closed during the connect; RemoteNodeUnreachable (39) when it did not answer in time.</exception>
    public static SocketExportLink Connect(SocketTransport transport, uint nodeId, uint segmentId, RsmPermissions permission)
    {
        string name = transport.SegmentName(nodeId, segmentId);
        string segment = $"segment 0x{segmentId:x} on node {nodeId}";
        Socket socket = Dial(transport, name, segment);
        try
        {
            byte[] buffer = new byte[Frame.MaxMessage + 1];
            var request = new Frame(Opcode.Connect, 1) { Arg = transport.LocalNode.NodeId, A = (uint)permission };
            Frame reply;
            try
            {
                Wire.Send(socket, request, default, buffer);
                if (!Wire.TryReceive(socket, buffer, out reply, out _) || reply.Op != Opcode.Admit || reply.RequestId != 1)
                {
                    throw RsmThrow.Create(RsmError.SegmentNotPublished, $"{segment} was unpublished during the connect");
                }
            }
            catch (SocketException ex) when (ex.SocketErrorCode is SocketError.TimedOut or SocketError.WouldBlock)
            {
                throw RsmThrow.Create(RsmError.RemoteNodeUnreachable, $"the exporter of {segment} did not answer within {transport.TimeoutMilliseconds} ms", ex);
            }
            catch (SocketException ex)
            {
                throw RsmThrow.Create(RsmError.SegmentNotPublished, $"{segment} was unpublished during the connect ({ex.SocketErrorCode})", ex);
            }

            if (reply.Status != 0)
            {
                var error = (RsmError)reply.Status;
                string reason = (reply.Flags & FrameFlags.CredentialsUnavailable) != 0
                    ? " (it could not read this process's credentials from the socket, and refuses rather than judge without them)"
                    : string.Empty;
                throw RsmThrow.Create(error, $"the exporter of {segment} refused the connect: {error}{reason}");
            }

            var link = new SocketExportLink(transport, name, socket, reply);
            link.Start();
            return link;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    public override void Attach(IAbortableImport importer)
    {
        _ = Interlocked.Exchange(ref _importer, importer);

        // An abort that arrived between the admission and now is applied here (Abort is idempotent).
        if (IsAborted)
        {
            importer.Abort();
        }
    }

    public override void Detach(IAbortableImport importer)
    {
        _ = Interlocked.Exchange(ref _importer, null);
        _detached = true;
        if (!IsLost)
        {
            // Answered once every earlier request was served and the import left the segment.
            _ = Await([Begin(new Frame(Opcode.Disconnect), default)]);
        }

        Lose();
        if (Thread.CurrentThread != _reader)
        {
            _ = _reader.Join(_transport.TimeoutMilliseconds);
        }
    }

    public void Stop() => Lose();

    public override ISegmentView MapView(long offset, nuint length, RsmPermissions protection, nint address, bool fixedAddress)
    {
        if (IsAborted)
        {
            throw RsmThrow.Create(RsmError.ConnectionAborted, "the connection was forcibly disconnected");
        }

        return MirrorView.Create(this, offset, length, protection, address, fixedAddress);
    }

    public override void PostSignal(uint segmentId)
    {
        if (IsAborted)
        {
            // After an abort the event goes to whatever is published under the name now, if anything (RSMAPI 4.3).
            PostByName();
            return;
        }

        // Acknowledged, so the event is pending at the exporter when the post returns.
        if (Await([Begin(new Frame(Opcode.Signal), default)]) != 0)
        {
            throw RsmThrow.Create(RsmError.ConnectionAborted, $"the connection to node {NodeId} was lost; the event may not have been delivered");
        }
    }

    public override void Read(long offset, Span<byte> destination, int accessSize)
    {
        if (!IsAborted && !destination.IsEmpty)
        {
            fixed (byte* target = destination)
            {
                // Every chunk is asked for back to back, then the answers are awaited: one round trip for the whole range.
                var requests = new PendingRequest[Chunks(destination.Length)];
                for (int i = 0; i < requests.Length; i++)
                {
                    int start = i * Frame.MaxPayload;
                    int length = Math.Min(Frame.MaxPayload, destination.Length - start);
                    var get = new Frame(Opcode.Get) { Width = (byte)accessSize, Arg = (uint)length, A = (ulong)(offset + start) };
                    requests[i] = Begin(get, default, (nint)(target + start), length);
                }

                Conclude(Await(requests), "get");
            }
        }

        if (IsAborted)
        {
            // Cut off by an abort: what the get returns is scratch zeros (DECISIONS F3, F7).
            destination.Clear();
        }
    }

    public override void Write(long offset, ReadOnlySpan<byte> source, int accessSize, bool acknowledged)
    {
        // Stores after an abort go nowhere (DECISIONS F7); the engine reports the abort where the mode says (F3).
        if (IsAborted || source.IsEmpty)
        {
            return;
        }

        var requests = acknowledged ? new PendingRequest[Chunks(source.Length)] : null;
        for (int i = 0, start = 0; start < source.Length; i++, start += Frame.MaxPayload)
        {
            ReadOnlySpan<byte> chunk = source.Slice(start, Math.Min(Frame.MaxPayload, source.Length - start));
            var put = new Frame(Opcode.Put) { Width = (byte)accessSize, A = (ulong)(offset + start) };
            if (requests is not null)
            {
                requests[i] = Begin(put, chunk);
                continue;
            }

            // Explicit mode: nobody waits; the acknowledgement only counts down what the next close barrier waits for.
            lock (_putGate)
            {
                _outstandingPuts++;
            }

            put.Flags = FrameFlags.Unawaited;
            if (!TrySend(put, chunk))
            {
                OnUnawaitedAck((int)RsmError.ConnectionAborted);
                return;
            }
        }

        if (requests is not null)
        {
            Conclude(Await(requests), "put");
        }
    }

    public override ulong Atomic(AtomicOperation operation, long offset, ulong value, ulong comparand, int size)
    {
        if (IsAborted)
        {
            // The engine reports ConnectionAborted (40) for a lock operation of an aborted import.
            return 0;
        }

        var atomic = new Frame(Opcode.Atomic) { Width = (byte)size, Arg = (uint)operation, A = (ulong)offset, B = value, C = comparand };
        PendingRequest request = Begin(atomic, default);
        Conclude(Await([request]), "lock operation");
        return request.Value;
    }

    public override RsmError OrderBarrier(ISegmentView? view)
    {
        // Requests are served in the order they were sent; waiting for the unawaited puts also makes them visible to
        // the exporter's own reads once an unmap returns. Their failures are reported at the close barrier.
        _ = base.OrderBarrier(view);
        _ = AwaitUnawaitedPuts(takeError: false);
        return RsmError.Success;
    }

    public override RsmError CloseBarrier(ISegmentView? view)
    {
        _ = base.CloseBarrier(view);
        return AwaitUnawaitedPuts(takeError: true);
    }

    private static int Chunks(int length) => (length + Frame.MaxPayload - 1) / Frame.MaxPayload;

    private static Socket Dial(SocketTransport transport, string name, string segment)
    {
        Socket socket = Wire.NewSocket();
        socket.SendTimeout = transport.TimeoutMilliseconds;
        socket.ReceiveTimeout = transport.TimeoutMilliseconds;
        try
        {
            socket.Connect(new UnixDomainSocketEndPoint(name));
            return socket;
        }
        catch (SocketException ex)
        {
            socket.Dispose();
            throw ex.SocketErrorCode is SocketError.ConnectionRefused or SocketError.AddressNotAvailable
                ? RsmThrow.Create(RsmError.SegmentNotPublished, $"no {segment} is published (nothing listens at its socket)", ex)
                : RsmThrow.Create(RsmError.RemoteNodeUnreachable, $"the socket of {segment} did not take the connection: {ex.SocketErrorCode}", ex);
        }
    }

    private void Start()
    {
        if (!_transport.Provider.Track(this))
        {
            Events.Dispose();
            throw RsmThrow.Create(RsmError.InsufficientResources, "the Socket provider was disposed");
        }

        // The reader waits for pushes as long as the import lives.
        _socket.ReceiveTimeout = 0;
        _reader.Start();
    }

    /// <summary>The reader thread: answers go to their requests, pushes are applied, the end of the stream aborts the import.</summary>
    private void ReceiveLoop()
    {
        byte[] buffer = new byte[Frame.MaxMessage + 1];
        try
        {
            while (Wire.TryReceive(_socket, buffer, out Frame frame, out int length) && Dispatch(frame, buffer.AsSpan(Frame.Size, length), buffer))
            {
            }
        }
        catch (SocketException)
        {
        }
        catch (ObjectDisposedException)
        {
        }

        // The exporter unpublished, destroyed or died, or the connection was closed here.
        Lose();
    }

    private bool Dispatch(in Frame frame, ReadOnlySpan<byte> payload, byte[] buffer)
    {
        switch (frame.Op)
        {
            case Opcode.PutAck when (frame.Flags & FrameFlags.Unawaited) != 0:
                OnUnawaitedAck(frame.Status);
                return true;
            case Opcode.GetReply or Opcode.PutAck or Opcode.AtomicReply or Opcode.SignalAck or Opcode.DisconnectAck:
                if (_pending.TryRemove(frame.RequestId, out PendingRequest? request))
                {
                    request.Complete(frame.Status, frame.A, payload);
                }

                return true;
            case Opcode.Abort:
                OnAborted();

                // The exporter's unpublish or destroy returns once it has this (DECISIONS F3); it then closes the connection.
                Wire.Send(_socket, new Frame(Opcode.AbortSeen), default, buffer);
                return true;
            case Opcode.Grant:
                Volatile.Write(ref _grantedMode, frame.Arg);
                return true;
            case Opcode.Event:
                Events.Post();
                return true;
            default:
                return false;
        }
    }

    /// <summary>Registers a request and sends it; a request that cannot be sent is completed as ConnectionAborted.</summary>
    private PendingRequest Begin(Frame frame, ReadOnlySpan<byte> payload, nint destination = 0, int expected = 0)
    {
        var request = new PendingRequest(destination, expected);
        uint id;
        do
        {
            id = (uint)Interlocked.Increment(ref _nextRequest);
        }
        while (id == 0);

        frame.RequestId = id;
        _pending[id] = request;
        if (!TrySend(frame, payload) && _pending.TryRemove(id, out _))
        {
            request.Complete((int)RsmError.ConnectionAborted, 0, default);
        }

        return request;
    }

    private bool TrySend(in Frame frame, ReadOnlySpan<byte> payload)
    {
        if (IsLost)
        {
            return false;
        }

        byte[] buffer = System.Buffers.ArrayPool<byte>.Shared.Rent(Frame.Size + payload.Length);
        try
        {
            Wire.Send(_socket, frame, payload, buffer);
            return true;
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
            // Gone, or the exporter did not take the request within the timeout.
            Lose();
            return false;
        }
        finally
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>Waits for every request up to one deadline; the first failure, ConnectionAborted (40) when the connection was lost.</summary>
    private int Await(PendingRequest[] requests)
    {
        long deadline = Environment.TickCount64 + _transport.TimeoutMilliseconds;
        int failure = 0;
        foreach (PendingRequest request in requests)
        {
            if (!request.Wait(deadline))
            {
                // No answer in time: the connection counts as lost. Once abandoned, no answer touches the callers' memory.
                Lose();
                foreach (PendingRequest other in requests)
                {
                    _ = other.Abandon();
                }

                return (int)RsmError.ConnectionAborted;
            }

            if (failure == 0)
            {
                failure = request.Status;
            }
        }

        return failure;
    }

    /// <summary>
    /// The outcome of an access: success; ConnectionAborted (40), which the exporter answers only for an import it
    /// aborted, or the connection is gone: the import is aborted from here on and the engine reports it as the mode says;
    /// anything else is a refusal by the exporter, BarrierFailure (38).
    /// </summary>
    private void Conclude(int status, string what)
    {
        if (status == (int)RsmError.ConnectionAborted)
        {
            OnAborted();
        }
        else if (status != 0)
        {
            throw RsmThrow.Create(RsmError.BarrierFailure, $"the exporter of node {NodeId} refused a {what}: {(RsmError)status}");
        }
    }

    /// <summary>Waits, bounded, until every unawaited put was acknowledged; with <paramref name="takeError"/>, returns and clears the first failure.</summary>
    private RsmError AwaitUnawaitedPuts(bool takeError)
    {
        lock (_putGate)
        {
            long deadline = Environment.TickCount64 + _transport.TimeoutMilliseconds;
            while (_outstandingPuts > 0)
            {
                long left = deadline - Environment.TickCount64;
                if (left <= 0 || !Monitor.Wait(_putGate, (int)left))
                {
                    break;
                }
            }

            if (_outstandingPuts == 0)
            {
                int error = _firstPutError;
                if (takeError)
                {
                    _firstPutError = 0;
                }

                return (RsmError)error;
            }
        }

        // Not acknowledged in time: the connection counts as lost, and so does the import.
        Lose();
        return RsmError.ConnectionAborted;
    }

    private void OnUnawaitedAck(int status)
    {
        // The exporter answers 40 only for an import it aborted. The abort notice may still be on its way, but the import
        // is aborted before the close barrier that waits for this acknowledgement can return, so that barrier and every
        // later one report it (DECISIONS F3).
        if (status == (int)RsmError.ConnectionAborted)
        {
            OnAborted();
        }

        lock (_putGate)
        {
            if (status != 0 && _firstPutError == 0)
            {
                _firstPutError = status == (int)RsmError.ConnectionAborted ? status : (int)RsmError.BarrierFailure;
            }

            if (_outstandingPuts > 0 && --_outstandingPuts == 0)
            {
                Monitor.PulseAll(_putGate);
            }
        }
    }

    /// <summary>The exporter aborted the import, or can no longer be reached: accesses fail from now on.</summary>
    internal void OnAborted()
    {
        // The import is aborted first, so a close barrier woken below already sees its generation changed.
        _ = Interlocked.Exchange(ref _aborted, 1);
        Volatile.Read(ref _importer)?.Abort();
        lock (_putGate)
        {
            // Acknowledgements of an aborted import are not waited for; its close barrier reports the abort.
            if (_outstandingPuts > 0)
            {
                _outstandingPuts = 0;
                _firstPutError = _firstPutError == 0 ? (int)RsmError.ConnectionAborted : _firstPutError;
                Monitor.PulseAll(_putGate);
            }
        }
    }

    /// <summary>Ends the connection, once: the import is aborted (unless it is being disconnected) and every waiting request fails.</summary>
    private void Lose()
    {
        if (Interlocked.Exchange(ref _lost, 1) != 0)
        {
            return;
        }

        if (!_detached)
        {
            OnAborted();
        }

        // Also wakes the reader, which then ends.
        _socket.Dispose();
        foreach (uint id in _pending.Keys)
        {
            if (_pending.TryRemove(id, out PendingRequest? request))
            {
                request.Complete((int)RsmError.ConnectionAborted, 0, default);
            }
        }

        _transport.Provider.Untrack(this);
    }

    /// <summary>An event for whatever is published under the segment's name now, on a connection of its own; dropped when nothing is.</summary>
    private void PostByName()
    {
        using Socket socket = Wire.NewSocket();
        socket.SendTimeout = _transport.TimeoutMilliseconds;
        socket.ReceiveTimeout = _transport.TimeoutMilliseconds;
        byte[] buffer = new byte[Frame.MaxMessage + 1];
        try
        {
            socket.Connect(new UnixDomainSocketEndPoint(_name));
            Wire.Send(socket, new Frame(Opcode.Signal, 1), default, buffer);
            _ = Wire.TryReceive(socket, buffer, out _, out _);
        }
        catch (SocketException)
        {
            // Nothing is published under the name, or its exporter went away: the event is dropped (RSMAPI 4.3).
        }
    }
}
