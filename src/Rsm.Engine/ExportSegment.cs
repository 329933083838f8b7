using Rsm.Diagnostics;

namespace Rsm.Engine;

/// <summary>The engine's export segment: the state machine of RSMAPI 4.2 with the check order of 3.2.</summary>
internal sealed partial class ExportSegment : IExportSegment
{
    private readonly RsmEngineController _controller;
    private readonly RsmNode _node;
    private readonly RsmCredentials _creator;
    private readonly List<IImporterLink> _importers = [];
    private IImporterLink[]? _importerSnapshot;
    private readonly EventCounter _events = new();
    private ISegmentBacking? _backing;
    private RsmAccessEntry[] _accessList = [];
    private volatile State _state = State.Bound;
    private uint _segmentId;
    private int _pollReferences;
    private RsmPollHandle? _pollHandle;
    private IDisposable? _claim;

    public ExportSegment(RsmEngineController controller, ISegmentBacking backing, ExportFlags flags, RsmCredentials creator)
    {
        _controller = controller;
        _node = controller.Transport.LocalNode;
        _backing = backing;
        _creator = creator;
        Flags = flags;
        Length = backing.Length;
        DefaultMode = Octal.Mode0777 & ~creator.Umask;
    }

    private enum State
    {
        Bound,
        Published,
        Destroyed,
    }

    public nint Address => _backing?.Address ?? 0;

    public nuint Length { get; }

    public ExportFlags Flags { get; }

    public bool IsPublished => _state == State.Published;

    public uint SegmentId => _state == State.Published ? _segmentId : 0;

    /// <summary>The creator's default mode, <c>0777 &amp; ~umask</c>.</summary>
    public uint DefaultMode { get; }

    public RsmCredentials Creator => _creator;

    internal ISegmentBacking Backing => _backing ?? throw RsmThrow.Create(RsmError.BadSegmentHandle, "the export segment was destroyed");

    internal EventCounter Events => _events;

    internal RsmNode Node => _node;

    public uint Publish(uint segmentId, ReadOnlySpan<RsmAccessEntry> accessList = default)
    {
        RsmOperation operation = _controller.StartOperation(RsmOperationKind.Publish);
        try
        {
            uint result = PublishCore(segmentId, accessList);
            operation.Activity?.SetTag(RsmTelemetry.SegmentIdTag, result);
            operation.Complete();
            return result;
        }
        catch (Exception ex)
        {
            operation.Fail(ex);
            throw;
        }
    }

    private uint PublishCore(uint segmentId, ReadOnlySpan<RsmAccessEntry> accessList)
    {
        RsmAccessEntry[] list = accessList.ToArray();
        lock (_node.Gate)
        {
            EnsureAlive();
            if (_state == State.Published)
            {
                RsmThrow.Error(RsmError.SegmentAlreadyPublished, $"the segment is already published as 0x{_segmentId:x}");
            }

            if (IsReservedForLibrary(segmentId))
            {
                RsmThrow.Error(RsmError.ReservedSegmentId, $"segment id 0x{segmentId:x} lies in a reserved range");
            }

            EnsureCreator("publish");
            ValidateAccessList(list);
            uint id = segmentId;
            IDisposable? claim;
            if (id == 0)
            {
                // An auto id another process of the node holds is skipped, as one held in this process is.
                do
                {
                    id = _node.TakeAutoId() ?? throw RsmThrow.Create(RsmError.InsufficientResources, "the node's auto-assigned segment ids are exhausted");
                    claim = _node.Published.ContainsKey(id) ? null : _controller.Transport.ClaimSegmentId(id);
                }
                while (claim is null);
            }
            else
            {
                if (_node.Published.ContainsKey(id))
                {
                    RsmThrow.Error(RsmError.SegmentIdInUse, $"segment id 0x{id:x} is already published on node {_node.NodeId}");
                }

                claim = _controller.Transport.ClaimSegmentId(id)
                    ?? throw RsmThrow.Create(RsmError.SegmentIdInUse, $"segment id 0x{id:x} is already published on node {_node.NodeId} by another process");
            }

            _node.Published.Add(id, this);
            _claim = claim;
            _accessList = list;
            _segmentId = id;
            _state = State.Published;
            _controller.OnPublished(id, list.Length);
            return id;
        }
    }

    public void Unpublish()
    {
        RsmOperation operation = _controller.StartOperation(RsmOperationKind.Unpublish);
        try
        {
            UnpublishCore();
            operation.Complete();
        }
        catch (Exception ex)
        {
            operation.Fail(ex);
            throw;
        }
    }

    private void UnpublishCore()
    {
        Withdrawal withdrawn;
        lock (_node.Gate)
        {
            EnsureAlive();
            if (_state != State.Published)
            {
                RsmThrow.Error(RsmError.SegmentNotPublished, "the segment is not published");
            }

            EnsureCreator("unpublish");
            withdrawn = WithdrawLocked();
        }

        CompleteWithdrawal(withdrawn);
    }

    public void Republish(ReadOnlySpan<RsmAccessEntry> accessList)
    {
        RsmOperation operation = _controller.StartOperation(RsmOperationKind.Republish);
        try
        {
            RepublishCore(accessList);
            operation.Complete();
        }
        catch (Exception ex)
        {
            operation.Fail(ex);
            throw;
        }
    }

    private void RepublishCore(ReadOnlySpan<RsmAccessEntry> accessList)
    {
        RsmAccessEntry[] list = accessList.ToArray();
        lock (_node.Gate)
        {
            EnsureAlive();
            if (_state != State.Published)
            {
                RsmThrow.Error(RsmError.SegmentNotPublished, "the segment is not published");
            }

            EnsureCreator("republish");
            ValidateAccessList(list);
            _accessList = list;

            // Every importing node's live connection takes the new permission; later connects from it are judged with it (RSMAPI 5.4).
            foreach (IImporterLink importer in _importers)
            {
                importer.UpdateGrantedMode(AccessCheck.GrantedMode(list, importer.ImporterNodeId, DefaultMode) ?? 0);
            }
        }
    }

    public void Rebind(nint address, nuint length, long offset = 0)
    {
        RsmOperation operation = _controller.StartOperation(RsmOperationKind.Rebind);
        try
        {
            RebindCore(address, length, offset);
            operation.Complete();
        }
        catch (Exception ex)
        {
            operation.Fail(ex);
            throw;
        }
    }

    private void RebindCore(nint address, nuint length, long offset)
    {
        lock (_node.Gate)
        {
            EnsureAlive();
            if (address == 0)
            {
                RsmThrow.Error(RsmError.BadAddress, "the new address is null");
            }

            if ((Flags & ExportFlags.AllowRebind) == 0)
            {
                RsmThrow.Error(RsmError.RebindNotAllowed, "the segment was created without AllowRebind");
            }

            EnsureCreator("rebind");
            if (length != Length)
            {
                RsmThrow.Error(RsmError.BadLength, $"rebind length {length} differs from the segment length {Length}");
            }

            ISegmentBacking backing = Backing;
            if (address == backing.Address)
            {
                return;
            }

            if (!PageMemory.IsAligned(address))
            {
                RsmThrow.Error(RsmError.BadAddress, $"address 0x{address:x} is not page aligned");
            }

            backing.Rebind(address);
        }
    }

    public void Destroy()
    {
        RsmOperation operation = _controller.StartOperation(RsmOperationKind.Destroy);
        try
        {
            DestroyCore();
            operation.Complete();
        }
        catch (Exception ex)
        {
            operation.Fail(ex);
            throw;
        }
    }

    private void DestroyCore()
    {
        Withdrawal withdrawn = default;
        lock (_node.Gate)
        {
            EnsureAlive();
            if (_pollReferences > 0)
            {
                RsmThrow.Error(RsmError.PollDescriptorInUse, $"{_pollReferences} poll handle reference(s) are still held");
            }

            if (_state == State.Published)
            {
                withdrawn = WithdrawLocked();
            }

            // From here on every call on the handle reports BadSegmentHandle (5), and no importer can reach it.
            _state = State.Destroyed;
            _node.ExportCount--;
            _node.ExportedBytes -= Length;
        }

        CompleteWithdrawal(withdrawn);

        // The backing goes only after the importers have seen their abort; requests served under the lock see it gone.
        ISegmentBacking? backing;
        lock (_node.Gate)
        {
            backing = _backing;
            _backing = null;
            backing?.Dispose();
        }

        _events.Dispose();
        _controller.OnExportDestroyed(Length);
    }

    public void Dispose()
    {
        lock (_node.Gate)
        {
            if (_state == State.Destroyed)
            {
                return;
            }

            _pollReferences = 0;
        }

        try
        {
            Destroy();
        }
        catch (RsmException ex) when (ex.Error is RsmError.BadSegmentHandle or RsmError.PollDescriptorInUse)
        {
            // Destroyed meanwhile by another caller, or a poll reference taken again since: dispose never throws.
        }
    }

    public void SignalPost(RsmSignalFlags flags = RsmSignalFlags.None)
    {
        IImporterLink[] importers;
        lock (_node.Gate)
        {
            EnsureAlive();
            importers = _importerSnapshot ??= [.. _importers];
        }

        // Delivered without the lock: a delivery only queues the event, and a transport drops an importer that cannot take it.
        foreach (IImporterLink importer in importers)
        {
            importer.DeliverSignal();
        }
    }

    public void SignalWait(int timeoutMilliseconds, CancellationToken cancellationToken = default)
    {
        EnsureAlive();
        SignalWaiter.Wait(GetPollHandleUncounted(), timeoutMilliseconds, cancellationToken);
    }

    public ValueTask SignalWaitAsync(int timeoutMilliseconds, CancellationToken cancellationToken = default)
    {
        EnsureAlive();
        return SignalWaiter.WaitAsync(GetPollHandleUncounted(), timeoutMilliseconds, cancellationToken);
    }

    public RsmPollHandle GetPollHandle()
    {
        lock (_node.Gate)
        {
            EnsureAlive();
            _pollReferences++;
            return GetPollHandleUncounted();
        }
    }

    public void ReleasePollHandle()
    {
        lock (_node.Gate)
        {
            EnsureAlive();
            if (_pollReferences > 0)
            {
                _pollReferences--;
            }
        }
    }

    /// <summary>Admits an importer (RSMAPI 3.3 step e, exporter side): published, listed in the access list.</summary>
    internal uint AcceptConnect(uint importerNode)
    {
        if (_state != State.Published)
        {
            RsmThrow.Error(RsmError.SegmentNotPublished, $"segment 0x{_segmentId:x} is not published");
        }

        // A node that still holds a live connection is judged with the mode last pushed to it (RSMAPI 5.4).
        foreach (IImporterLink importer in _importers)
        {
            if (importer.ImporterNodeId == importerNode)
            {
                return importer.GrantedMode;
            }
        }

        uint? granted = AccessCheck.GrantedMode(_accessList, importerNode, DefaultMode);
        if (granted is null)
        {
            RsmThrow.Error(RsmError.SegmentNotPublishedToNode, $"segment 0x{_segmentId:x} is not published to node {importerNode}");
        }

        return granted.Value;
    }

    /// <summary>Adds an importer; called with the node's lock held.</summary>
    internal void AddImporter(IImporterLink importer)
    {
        _importers.Add(importer);
        _importerSnapshot = null;
    }

    /// <summary>Removes an importer; called with the node's lock held.</summary>
    internal void RemoveImporter(IImporterLink importer)
    {
        if (_importers.Remove(importer))
        {
            _importerSnapshot = null;
        }
    }

    /// <summary>
    /// Takes the segment out of the node's table and its importers out of the segment, with the node's lock held; the
    /// importers are aborted and awaited afterwards, without it (<see cref="CompleteWithdrawal"/>).
    /// </summary>
    private Withdrawal WithdrawLocked()
    {
        _node.Published.Remove(_segmentId);
        _state = State.Bound;
        IDisposable? claim = _claim;
        _claim = null;
        claim?.Dispose();
        IImporterLink[] importers = [.. _importers];
        _importers.Clear();
        _importerSnapshot = null;
        _accessList = [];
        return new Withdrawal(_segmentId, importers);
    }

    /// <summary>Aborts the importers of a withdrawal and waits, bounded, until each has seen it; called without the node's lock.</summary>
    private void CompleteWithdrawal(Withdrawal withdrawn)
    {
        if (withdrawn.Importers is not { } importers)
        {
            return;
        }

        foreach (IImporterLink importer in importers)
        {
            importer.ForceDisconnect();
        }

        // Every importer has seen the abort before the call returns, so its next access reports 40 (DECISIONS F3). The
        // waits run side by side in effect: each ends at the same deadline, set when its abort was sent.
        foreach (IImporterLink importer in importers)
        {
            importer.AwaitAbortSeen();
        }

        _controller.OnUnpublished(withdrawn.SegmentId, importers.Length);
    }

    private void ValidateAccessList(RsmAccessEntry[] list)
    {
        RsmTransport transport = _controller.Transport;
        if (list.Length > 64 || (transport.LocalNodeAccessListOnly && list.Length > 1))
        {
            RsmThrow.Error(RsmError.BadAccessList, $"the access list has {list.Length} entries");
        }

        uint maxNode = transport.Attributes.MaxNodes;
        foreach (RsmAccessEntry entry in list)
        {
            if (entry.NodeId > maxNode || (transport.LocalNodeAccessListOnly && entry.NodeId != _node.NodeId) || entry.Permission > Octal.Mode0666)
            {
                RsmThrow.Error(RsmError.BadAccessList, $"access entry (node {entry.NodeId}, permission {Octal.Format(entry.Permission)}) is invalid");
            }
        }
    }

    private static bool IsReservedForLibrary(uint id) => (id >= 1 && id <= 0x3FFFFF) || id >= RsmNode.AutoIdBase;

    private void EnsureCreator(string operation)
    {
        if (Environment.ProcessId != _creator.ProcessId)
        {
            RsmThrow.Error(RsmError.NotCreator, $"only the creating process ({_creator.ProcessId}) may {operation} the segment");
        }
    }

    private void EnsureAlive()
    {
        if (_state == State.Destroyed)
        {
            RsmThrow.Error(RsmError.BadSegmentHandle, "the export segment was destroyed");
        }
    }

    private RsmPollHandle GetPollHandleUncounted() => _pollHandle ??= new RsmPollHandle(this, _events);

    /// <summary>What an unpublish or destroy took out under the lock: the id and the importers to abort.</summary>
    private readonly record struct Withdrawal(uint SegmentId, IImporterLink[]? Importers);
}
