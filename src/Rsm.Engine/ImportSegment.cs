namespace Rsm.Engine;

/// <summary>The engine's import segment: RSMAPI 3.3-3.8 and the import state machine of 4.3.</summary>
internal sealed partial class ImportSegment : IImportSegment, IRsmBarrierHost, IImporterLink, IAbortableImport
{
    private readonly RsmEngineController _controller;
    private readonly ExportLink _export;
    private readonly EventCounter _events;
    private readonly ushort _connectGeneration;
    private readonly bool _lockOperations;
    private readonly bool _direct;

    // Guards this import's own state (mapping, poll references, disconnect); never held across I/O or a wait for a peer.
    private readonly object _gate = new();
    private int _liveGeneration;
    private volatile State _state = State.Connected;
    private int _aborted;
    private ISegmentView? _view;
    private long _mapOffset;
    private nuint _mapLength;
    private nint _viewBase;

    // What the current view lets through: the protection of an explicit map, the granted permission of the implicit one (DECISIONS D10).
    private RsmPermissions _viewAccess;
    private MappingWindow? _mapping;
    private RsmBarrier? _barrier;
    private volatile RsmBarrierMode _mode = RsmBarrierMode.Implicit;
    private int _pollReferences;
    private RsmPollHandle? _pollHandle;

    public ImportSegment(RsmEngineController controller, RsmNode importerNode, ExportLink export, uint segmentId, RsmPermissions permission, uint grantedMode, ushort generationSeed, EventCounter? events = null)
    {
        _controller = controller;
        ImporterNode = importerNode;
        _export = export;
        _events = events ?? new EventCounter();
        GrantedMode = grantedMode;
        SegmentId = segmentId;
        NodeId = export.NodeId;
        Permission = permission;
        Length = export.Length;
        _lockOperations = (export.Flags & ExportFlags.LockOperations) != 0;
        _direct = export.IsDirect;

        // The generation slot starts anywhere and is incremented at connect; the snapshot is that value (RSMAPI 3.3 step i).
        _liveGeneration = (ushort)(generationSeed + 1);
        if (_liveGeneration == 0)
        {
            _liveGeneration = 1;
        }

        _connectGeneration = (ushort)_liveGeneration;
    }

    private enum State
    {
        Connected,
        Mapped,
        Disconnected,
    }

    public uint SegmentId { get; }

    public uint NodeId { get; }

    public nuint Length { get; }

    public RsmPermissions Permission { get; }

    public IRsmMapping? Mapping => _mapping;

    internal RsmNode ImporterNode { get; }

    /// <summary>The mode granted to this importer's node, as the exporter last decided or pushed it.</summary>
    public uint GrantedMode { get; private set; }

    internal bool IsAborted => Volatile.Read(ref _aborted) != 0;

    uint IImporterLink.ImporterNodeId => ImporterNode.NodeId;

    void IImporterLink.AwaitAbortSeen()
    {
    }

    void IImporterLink.UpdateGrantedMode(uint mode) => GrantedMode = mode;

    public RsmBarrierMode GetMode()
    {
        EnsureConnected();
        return _mode;
    }

    public void SetMode(RsmBarrierMode mode)
    {
        EnsureConnected();
        if (mode is not RsmBarrierMode.Explicit and not RsmBarrierMode.Implicit)
        {
            RsmThrow.Error(RsmError.BadMode, $"barrier mode {(int)mode} is neither Explicit (0) nor Implicit (1)");
        }

        _mode = mode;
    }

    public void Disconnect()
    {
        RsmOperation operation = _controller.StartOperation(RsmOperationKind.Disconnect);
        try
        {
            DisconnectCore();
            operation.Complete();
        }
        catch (Exception ex)
        {
            operation.Fail(ex);
            throw;
        }
    }

    private void DisconnectCore()
    {
        ISegmentView? view = null;
        try
        {
            lock (_gate)
            {
                EnsureConnected();
                if (_state == State.Mapped)
                {
                    if (_mapping is not null)
                    {
                        RsmThrow.Error(RsmError.SegmentStillMapped, "the segment is still explicitly mapped; unmap it first");
                    }

                    view = TakeViewLocked();
                }

                if (_pollReferences > 0)
                {
                    RsmThrow.Error(RsmError.PollDescriptorInUse, $"{_pollReferences} poll handle reference(s) are still held");
                }

                _state = State.Disconnected;
            }
        }
        finally
        {
            // A view goes away without the lock: a copy of remote pages ships its stores first.
            view?.Dispose();
        }

        _export.Detach(this);
        _events.Dispose();
        _controller.OnImportDisconnected(this);
    }

    public void Dispose()
    {
        ISegmentView? view = null;
        lock (_gate)
        {
            if (_state == State.Disconnected)
            {
                return;
            }

            _pollReferences = 0;
            if (_state == State.Mapped)
            {
                view = TakeViewLocked();
            }
        }

        view?.Dispose();
        try
        {
            Disconnect();
        }
        catch (RsmException ex) when (ex.Error is RsmError.BadSegmentHandle or RsmError.SegmentStillMapped or RsmError.PollDescriptorInUse)
        {
            // Another caller disconnected, mapped or took a poll reference meanwhile: dispose never throws.
        }
    }

    /// <summary>Forced disconnect (unpublish, destroy, exporter death): the view goes to scratch pages and the generation moves on.</summary>
    public void ForceDisconnect()
    {
        if (Interlocked.Exchange(ref _aborted, 1) != 0)
        {
            return;
        }

        Interlocked.Exchange(ref _liveGeneration, (ushort)(_liveGeneration + 1));
        _view?.Abort();
        _controller.OnForcedDisconnect(this);
    }

    void IAbortableImport.Abort() => ForceDisconnect();

    public void DeliverSignal()
    {
        if (_state != State.Disconnected)
        {
            _events.Post();
        }
    }

    public void SignalPost(RsmSignalFlags flags = RsmSignalFlags.None)
    {
        EnsureConnected();

        // The event goes to whichever segment is published under the id now (RSMAPI 4.3); none means it is dropped.
        _export.PostSignal(SegmentId);
    }

    public void SignalWait(int timeoutMilliseconds, CancellationToken cancellationToken = default)
    {
        EnsureConnected();
        SignalWaiter.Wait(GetPollHandleUncounted(), timeoutMilliseconds, cancellationToken);
    }

    public ValueTask SignalWaitAsync(int timeoutMilliseconds, CancellationToken cancellationToken = default)
    {
        EnsureConnected();
        return SignalWaiter.WaitAsync(GetPollHandleUncounted(), timeoutMilliseconds, cancellationToken);
    }

    public RsmPollHandle GetPollHandle()
    {
        lock (_gate)
        {
            EnsureConnected();
            _pollReferences++;
            return GetPollHandleUncounted();
        }
    }

    public void ReleasePollHandle()
    {
        lock (_gate)
        {
            EnsureConnected();
            if (_pollReferences > 0)
            {
                _pollReferences--;
            }
        }
    }

    private RsmPollHandle GetPollHandleUncounted() => _pollHandle ??= new RsmPollHandle(this, _events);

    private void EnsureConnected()
    {
        if (_state == State.Disconnected)
        {
            RsmThrow.Error(RsmError.BadSegmentHandle, "the import segment was disconnected");
        }
    }
}
