using Rsm.Engine;
using Rsm.Providers.Tcp.Internal.Wire;

namespace Rsm.Providers.Tcp.Internal;

/// <summary>
/// The importer's side of a segment exported by another node over Tcp: gets, puts and lock operations are requests on
/// the shared connection to that node, puts in Explicit mode stay outstanding until the next close barrier, and a map is
/// a local mirror (<see cref="MirrorView"/>) refreshed at open barriers and shipped back at order and close barriers and unmap.
/// </summary>
internal sealed unsafe class TcpExportLink : RemoteExportLink
{
    private readonly ImporterChannel _channel;
    private readonly uint _importId;
    private readonly int _chunk;
    private readonly object _outstandingGate = new();
    private IAbortableImport? _importer;
    private int _outstanding;
    private int _firstError;
    private uint _grantedMode;
    private volatile bool _aborted;
    private bool _largeOutstanding;
    private IDataPlaneWindow? _window;
    private bool _windowAtomics;
    private volatile bool _windowData = true;

    private TcpExportLink(ImporterChannel channel, uint nodeId, uint importId, ulong length, ExportFlags flags, uint granted, int chunk, EventCounter events)
    {
        _channel = channel;
        _importId = importId;
        _chunk = chunk;
        NodeId = nodeId;
        Length = (nuint)length;
        Flags = flags;
        _grantedMode = granted;
        Events = events;
    }

    public override uint NodeId { get; }

    public override nuint Length { get; }

    public override ExportFlags Flags { get; }

    public override uint GrantedMode => _grantedMode;

    public override EventCounter Events { get; }

    public override bool IsDirect => false;

    /// <summary>
    /// Whether the import was aborted. Another thread may have set the flag and not yet aborted the import segment; the
    /// access that sees the flag aborts the segment itself (Abort is idempotent), so the engine's generation check after
    /// the access reports ConnectionAborted (40) and never a success with scratch bytes or a store that went nowhere.
    /// </summary>
    private bool Aborted
    {
        get
        {
            if (!_aborted)
            {
                return false;
            }

            _importer?.Abort();
            return true;
        }
    }

    /// <summary>Whether the import's bytes move on a data plane rather than in frames.</summary>
    public bool HasWindow => _window is not null;

    /// <summary>
    /// Asks the exporting node to admit this node's importer. With a data plane the request names it, and an exporter
    /// that speaks it answers with a grant of the import's window there.
    /// </summary>
    public static TcpExportLink Connect(ImporterChannel channel, uint nodeId, uint segmentId, RsmPermissions permission, RsmCredentials importer, int maxBody, IDataPlane? plane = null)
    {
        int planeSize = plane is null ? 0 : Messages.PlaneRequestSize(plane.Name, plane.LocalAddress.Length);
        Span<byte> body = stackalloc byte[Messages.ConnectFixedSize + (4 * 64) + planeSize];
        int length = Messages.WriteConnect(body, segmentId, permission, importer);
        if (plane is not null)
        {
            length += Messages.WritePlaneRequest(body[length..], plane.Name, plane.LocalAddress);
        }

        uint request = channel.NextRequestId();
        var pending = new PendingRequest();
        if (!channel.Send(Opcode.Connect, request, pending, body[..length]))
        {
            throw RsmThrow.Create(RsmError.RemoteNodeUnreachable, $"the connection to node {nodeId} is closed");
        }

        if (!pending.Wait(channel.RequestTimeout))
        {
            channel.Forget(request);
            throw RsmThrow.Create(RsmError.RemoteNodeUnreachable, $"node {nodeId} did not answer the connect within {channel.RequestTimeout}");
        }

        if (pending.Status != 0)
        {
            var error = (RsmError)pending.Status;
            throw RsmThrow.Create(error, $"node {nodeId} refused the connect to segment 0x{segmentId:x}: {error}");
        }

        if (pending.Body is not { Length: >= Messages.ConnectReplySize } reply)
        {
            throw RsmThrow.Create(RsmError.ConnectionAborted, $"node {nodeId} answered the connect without its details");
        }

        Messages.ReadConnectReply(reply, out uint importId, out ulong segmentLength, out ExportFlags flags, out uint granted);

        // Chunks stay page multiples (so element widths never straddle two frames) and fit the frame limit.
        int chunk = Math.Max(4096, (maxBody - Messages.PutFixedSize) & ~4095);
        var link = new TcpExportLink(channel, nodeId, importId, segmentLength, flags, granted, chunk, new EventCounter());
        if (plane is not null && reply.Length > Messages.ConnectReplySize + 2)
        {
            int grantLength = System.Buffers.Binary.BinaryPrimitives.ReadUInt16LittleEndian(reply.AsSpan(Messages.ConnectReplySize));
            if (reply.Length != Messages.ConnectReplySize + 2 + grantLength)
            {
                throw RsmThrow.Create(RsmError.ConnectionAborted, $"node {nodeId} answered the connect with a malformed grant");
            }

            // A grant that cannot be opened leaves the import on frames, which serve every access too.
            try
            {
                link._window = plane.Open(nodeId, reply.AsSpan(Messages.ConnectReplySize + 2, grantLength), channel.RequestTimeout);
                link._windowAtomics = plane.SupportsAtomics;
            }
            catch (RsmException)
            {
                link._window = null;
            }
        }

        return link;
    }

    public override void Attach(IAbortableImport importer)
    {
        _importer = importer;
        _channel.AddLink(_importId, this);
    }

    public override void Detach(IAbortableImport importer)
    {
        Interlocked.Exchange(ref _window, null)?.Dispose();
        _channel.RemoveLink(_importId);
        if (!_aborted)
        {
            Span<byte> id = stackalloc byte[Messages.ImportIdSize];
            System.Buffers.Binary.BinaryPrimitives.WriteUInt32LittleEndian(id, _importId);
            _ = _channel.Channel.Post(Opcode.Disconnect, 0, 0, id);
        }
    }

    public override ISegmentView MapView(long offset, nuint length, RsmPermissions protection, nint address, bool fixedAddress)
    {
        if (Aborted)
        {
            throw RsmThrow.Create(RsmError.ConnectionAborted, "the connection was forcibly disconnected");
        }

        return MirrorView.Create(this, offset, length, protection, address, fixedAddress);
    }

    public override void PostSignal(uint segmentId)
    {
        // Acknowledged, so the event is pending at the exporter when the post returns. The exporter's node decides where
        // it goes (the segment published under the id now, or nowhere: RSMAPI 4.3); losing the path to that node is an
        // error of its own (RSMAPI 3.8: path loss gives 40).
        Span<byte> id = stackalloc byte[Messages.ImportIdSize];
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32LittleEndian(id, segmentId);
        uint request = _channel.NextRequestId();
        var pending = new PendingRequest();
        if (!_channel.Send(Opcode.Signal, request, pending, id))
        {
            throw RsmThrow.Create(RsmError.ConnectionAborted, $"the connection to node {NodeId} is lost; the event was not delivered");
        }

        if (!pending.Wait(_channel.RequestTimeout))
        {
            _channel.Forget(request);
            throw RsmThrow.Create(RsmError.ConnectionAborted, $"node {NodeId} did not take the event within {_channel.RequestTimeout}");
        }

        if (pending.Status != 0)
        {
            throw RsmThrow.Create(RsmError.ConnectionAborted, $"the event did not reach node {NodeId}: {(RsmError)pending.Status}");
        }
    }

    public override void Read(long offset, Span<byte> destination, int accessSize)
    {
        if (Aborted)
        {
            // After a forced disconnect reads see scratch zeros: Explicit mode hides the abort until close barrier (F3).
            destination.Clear();
            return;
        }

        // On the plane the bytes come straight from the exporter's pages; a failure there is served with frames, which
        // also tell an import the exporter aborted (40) from a transport that failed.
        if (_windowData && _window is { } window && OnWindow(window.Read(offset, destination, accessSize), "get", offset, lockOperation: false))
        {
            if (Aborted)
            {
                destination.Clear();
            }

            return;
        }

        ReadFrames(offset, destination, accessSize);
    }

    /// <summary>A get served with frames.</summary>
    private void ReadFrames(long offset, Span<byte> destination, int accessSize)
    {
        fixed (byte* target = destination)
        {
            // Every chunk is requested back to back, then the replies are awaited: one round trip for the whole range.
            int count = (destination.Length + _chunk - 1) / _chunk;
            Span<uint> ids = count <= 64 ? stackalloc uint[count] : new uint[count];
            var pendings = new PendingRequest[count];
            Span<byte> body = stackalloc byte[Messages.GetSize];
            for (int i = 0; i < count; i++)
            {
                int start = i * _chunk;
                int n = Math.Min(_chunk, destination.Length - start);
                Messages.WriteGet(body, _importId, offset + start, n, accessSize);
                ids[i] = _channel.NextRequestId();
                pendings[i] = new PendingRequest { Destination = (nint)(target + start), Expected = n };
                if (!_channel.Send(Opcode.Get, ids[i], pendings[i], body))
                {
                    // The connection is gone: the import is aborted now, not only when the reader has wound down, and
                    // the destination is left alone until every reply already sent for is over.
                    OnAborted();
                    AwaitSent(ids[..i], pendings.AsSpan(0, i), "get");
                    destination.Clear();
                    return;
                }
            }

            Await(ids, pendings, "get", destination.Length);
            if (Aborted)
            {
                // Cut off by an abort: what the get returns is scratch zeros, as after it (F3, F7).
                destination.Clear();
            }
        }
    }

    public override void Write(long offset, ReadOnlySpan<byte> source, int accessSize, bool acknowledged)
    {
        if (Aborted)
        {
            // Stores after a forced disconnect go nowhere (F7); the abort shows at the close barrier (F3).
            return;
        }

        // A write on the plane returns once it was delivered into the exporter's memory, so nothing is outstanding
        // for the close barrier; a failure is served with frames (see Read).
        if (_windowData && _window is { } window && OnWindow(window.Write(offset, source, accessSize), "put", offset, lockOperation: false))
        {
            return;
        }

        int count = Math.Max(1, (source.Length + _chunk - 1) / _chunk);
        Span<uint> ids = acknowledged ? (count <= 64 ? stackalloc uint[count] : new uint[count]) : default;
        PendingRequest[]? pendings = acknowledged ? new PendingRequest[count] : null;
        Span<byte> head = stackalloc byte[Messages.PutFixedSize];
        for (int i = 0; i < count; i++)
        {
            int start = i * _chunk;
            int n = Math.Min(_chunk, source.Length - start);
            Messages.WritePut(head, _importId, offset + start, accessSize);
            if (!acknowledged)
            {
                // Explicit mode: nobody waits; the acknowledgement only counts down the puts the close barrier waits for.
                lock (_outstandingGate)
                {
                    _outstanding++;
                }

                if (n >= BriefSpin.NoSpinBytes)
                {
                    _largeOutstanding = true;
                }

                if (!_channel.SendUnawaited(Opcode.Put, head, source.Slice(start, n)))
                {
                    OnPipelinedAck((int)RsmError.ConnectionAborted);
                    OnAborted();
                    return;
                }

                continue;
            }

            ids[i] = _channel.NextRequestId();
            pendings![i] = new PendingRequest();
            if (!_channel.Send(Opcode.Put, ids[i], pendings[i], head, source.Slice(start, n)))
            {
                // Reported as the abort it is (40), never as a put that arrived.
                OnAborted();
                AwaitSent(ids[..i], pendings.AsSpan(0, i), "put");
                return;
            }
        }

        if (acknowledged)
        {
            Await(ids, pendings!, "put", source.Length);
        }
    }

    public override ulong Atomic(AtomicOperation operation, long offset, ulong value, ulong comparand, int size)
    {
        if (Aborted)
        {
            // The engine reports ConnectionAborted (40) for a lock operation on an aborted import.
            return 0;
        }

        // Every importer of a plane that runs lock operations runs them there, so they are atomic with each other.
        if (_windowAtomics && _window is { } window && OnWindow(window.Atomic(operation, offset, value, comparand, size, out ulong previous), "lock operation", offset, lockOperation: true))
        {
            return previous;
        }

        Span<byte> body = stackalloc byte[Messages.AtomicSize];
        Messages.WriteAtomic(body, _importId, operation, size, offset, value, comparand);
        uint id = _channel.NextRequestId();
        var pending = new PendingRequest();
        if (!_channel.Send(Opcode.Atomic, id, pending, body))
        {
            OnAborted();
            throw RsmThrow.Create(RsmError.ConnectionAborted, $"the connection to node {NodeId} is lost");
        }

        Await([id], [pending], "lock operation", size);
        return pending.Value;
    }

    public override void OpenBarrier(ISegmentView? view)
    {
        if (view is MirrorView mirror)
        {
            mirror.Refresh();
        }
    }

    public override RsmError OrderBarrier(ISegmentView? view)
    {
        // Frames on one connection arrive in order, so shipping the dirty pages now orders them before later writes.
        (view as MirrorView)?.ShipDirty();
        _ = _channel.Flush();
        return RsmError.Success;
    }

    public override RsmError CloseBarrier(ISegmentView? view)
    {
        (view as MirrorView)?.ShipDirty();
        _ = _channel.Flush();

        // The acknowledgements of a burst of small puts come back within microseconds: spin briefly before sleeping on
        // them. After a large put they cannot, and the spin would take a processor from the threads moving its bytes.
        if (!Interlocked.Exchange(ref _largeOutstanding, false))
        {
            _ = BriefSpin.UntilZero(ref _outstanding);
        }

        lock (_outstandingGate)
        {
            long deadline = Environment.TickCount64 + (long)_channel.RequestTimeout.TotalMilliseconds;
            while (_outstanding > 0)
            {
                long left = deadline - Environment.TickCount64;
                if (left <= 0)
                {
                    return RsmError.BarrierFailure;
                }

                Monitor.Wait(_outstandingGate, (int)left);
            }

            int error = _firstError;
            _firstError = 0;
            return (RsmError)error;
        }
    }

    /// <summary>An acknowledgement of a put nobody waits for; the first failure is kept for the next close barrier.</summary>
    public void OnPipelinedAck(int status)
    {
        if (status == (int)RsmError.ConnectionAborted)
        {
            // The exporter holds the import no more: it aborted it, and its Abort may still be on the way. The import is
            // aborted here before the failure is recorded, so the close barrier that reports 40 and every later one agree (F3).
            _aborted = true;
            _importer?.Abort();
        }

        lock (_outstandingGate)
        {
            if (status != 0 && _firstError == 0)
            {
                _firstError = status == (int)RsmError.ConnectionAborted ? status : (int)RsmError.BarrierFailure;
            }

            if (--_outstanding <= 0)
            {
                _outstanding = 0;
                Monitor.PulseAll(_outstandingGate);
            }
        }
    }

    public void OnAborted()
    {
        // The import is aborted before a close barrier waiting below wakes, so that barrier already sees it (F3).
        _aborted = true;
        _importer?.Abort();

        // Acknowledgements of an aborted import are not waited for: its close barrier reports the abort.
        lock (_outstandingGate)
        {
            if (_outstanding > 0)
            {
                _outstanding = 0;
                _firstError = _firstError == 0 ? (int)RsmError.ConnectionAborted : _firstError;
                Monitor.PulseAll(_outstandingGate);
            }
        }
    }

    public void OnGrant(uint mode) => _grantedMode = mode;

    /// <summary>
    /// What an access on the data plane came to: true when it was done; false when it failed there (a revoked grant, a
    /// lost peer), so that frames serve it and tell an aborted import from a failed transport. An access that did not
    /// complete in time may still land later, so it is not repeated: it is the BarrierFailure (38) frames report for a
    /// request that was not answered.
    /// </summary>
    private bool OnWindow(RsmError result, string what, long offset, bool lockOperation)
    {
        if (result == RsmError.Success)
        {
            return true;
        }

        if (result != RsmError.BarrierFailure)
        {
            return false;
        }

        // An access that timed out on the plane may belong to an import the exporter aborted meanwhile (it revokes the
        // grant first, and the abort notice may still be on its way): one byte read with frames asks the exporter, which
        // answers 40 for an import it holds no more, and the import is aborted here before the access returns.
        if (!Aborted)
        {
            Span<byte> probe = stackalloc byte[1];
            ReadFrames(offset, probe, 1);
        }

        if (Aborted)
        {
            return true;
        }

        if (!lockOperation)
        {
            // The exporter holds the import and answered in time: the plane lost this transfer (a fabric connection that
            // a peer's failure took down mid-transfer). Frames serve it, and every later get and put of this import, so
            // that no later transfer on the plane can be overtaken by the lost one should it still land. Lock operations
            // stay on the plane: they must be atomic with every other importer's.
            _windowData = false;
            return false;
        }

        throw RsmThrow.Create(RsmError.BarrierFailure, $"node {NodeId} did not complete a {what} on the fabric in time");
    }

    public void OnSignal() => Events.Post();

    /// <summary>After the connection was lost: waits for the requests sent before it went, which its end completes.</summary>
    private void AwaitSent(ReadOnlySpan<uint> ids, Span<PendingRequest> pendings, string what)
    {
        try
        {
            Await(ids, pendings.ToArray(), what, 0);
        }
        catch (RsmException)
        {
            // The abort is what the engine reports (40); these requests add nothing to it.
        }
    }

    private void Await(ReadOnlySpan<uint> ids, PendingRequest[] pendings, string what, int bytes)
    {
        RsmError failure = RsmError.Success;
        bool spin = bytes < BriefSpin.NoSpinBytes;
        for (int i = 0; i < pendings.Length; i++)
        {
            if (!pendings[i].Wait(_channel.RequestTimeout, spin))
            {
                for (int j = i; j < pendings.Length; j++)
                {
                    if (!_channel.Forget(ids[j]))
                    {
                        // Its reply is being received (into the caller's memory, for a get): the reader completes it,
                        // or the connection's end does, and only then may the caller have its memory back.
                        pendings[j].Wait(Timeout.InfiniteTimeSpan);
                    }
                }

                throw RsmThrow.Create(RsmError.BarrierFailure, $"node {NodeId} did not answer a {what} within {_channel.RequestTimeout}");
            }

            if (pendings[i].Status != 0 && failure == RsmError.Success)
            {
                failure = (RsmError)pendings[i].Status;
            }
        }

        // The exporter answers 40 only for an import it aborted, or the connection ended: the import is aborted from
        // here on even if the abort notice is still on its way (F3). Such a request is not an error of its own: the
        // engine reports the abort where the mode says (Implicit accesses at once, Explicit ones at close barrier).
        if (failure == RsmError.ConnectionAborted)
        {
            OnAborted();
            return;
        }

        if (failure != RsmError.Success)
        {
            throw RsmThrow.Create(failure == RsmError.ConnectionAborted ? failure : RsmError.BarrierFailure, $"node {NodeId} failed a {what}: {failure}");
        }
    }
}
