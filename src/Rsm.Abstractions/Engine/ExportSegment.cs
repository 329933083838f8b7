using System.Diagnostics;

namespace Rsm.Engine;

/// <summary>The engine's export segment: the state machine of RSMAPI 4.2 with the check order of 3.2.</summary>
internal sealed partial class ExportSegment : IExportSegment
{
    private readonly RsmEngineController _controller;
    private readonly RsmNode _node;
    private readonly RsmCredentials _creator;
    private readonly List<IImporterLink> _importers = [];
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
        RsmAccessEntry[] list = accessList.ToArray();
        using Activity? activity = _controller.StartOperation("rsm.publish");
        long started = Stopwatch.GetTimestamp();
        lock (RsmNode.Gate)
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
                    claim = _node.Published.ContainsKey(id) ? null : _controller.Transport.ClaimSegmentId(this, id);
                }
                while (claim is null);
            }
            else
            {
                if (_node.Published.ContainsKey(id))
                {
                    RsmThrow.Error(RsmError.SegmentIdInUse, $"segment id 0x{id:x} is already published on node {_node.NodeId}");
                }

                claim = _controller.Transport.ClaimSegmentId(this, id)
                    ?? throw RsmThrow.Create(RsmError.SegmentIdInUse, $"segment id 0x{id:x} is already published on node {_node.NodeId} by another process");
            }

            _node.Published.Add(id, this);
            _claim = claim;
            _accessList = list;
            _segmentId = id;
            _state = State.Published;
            _controller.OnPublished(id, list.Length);
            _controller.RecordDuration("publish", started);
            return id;
        }
    }

    public void Unpublish()
    {
        lock (RsmNode.Gate)
        {
            EnsureAlive();
            if (_state != State.Published)
            {
                RsmThrow.Error(RsmError.SegmentNotPublished, "the segment is not published");
            }

            EnsureCreator("unpublish");
            WithdrawLocked();
        }
    }

    public void Republish(ReadOnlySpan<RsmAccessEntry> accessList)
    {
        RsmAccessEntry[] list = accessList.ToArray();
        lock (RsmNode.Gate)
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
        lock (RsmNode.Gate)
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
        lock (RsmNode.Gate)
        {
            EnsureAlive();
            if (_pollReferences > 0)
            {
                RsmThrow.Error(RsmError.PollDescriptorInUse, $"{_pollReferences} poll handle reference(s) are still held");
            }

            if (_state == State.Published)
            {
                WithdrawLocked();
            }

            _state = State.Destroyed;
            _node.ExportCount--;
            _node.ExportedBytes -= Length;
            ISegmentBacking? backing = _backing;
            _backing = null;
            backing?.Dispose();
            _events.Dispose();
            _controller.OnExportDestroyed(Length);
        }
    }

    public void Dispose()
    {
        lock (RsmNode.Gate)
        {
            if (_state == State.Destroyed)
            {
                return;
            }

            _pollReferences = 0;
            Destroy();
        }
    }

    public void SignalPost(RsmSignalFlags flags = RsmSignalFlags.None)
    {
        // Delivering is a non-blocking eventfd write per importer, so it happens under the lock without copying the list.
        lock (RsmNode.Gate)
        {
            EnsureAlive();
            foreach (IImporterLink importer in _importers)
            {
                importer.DeliverSignal();
            }
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
        lock (RsmNode.Gate)
        {
            EnsureAlive();
            _pollReferences++;
            return GetPollHandleUncounted();
        }
    }

    public void ReleasePollHandle()
    {
        lock (RsmNode.Gate)
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

    internal void AddImporter(IImporterLink importer) => _importers.Add(importer);

    internal void RemoveImporter(IImporterLink importer) => _importers.Remove(importer);

    private void WithdrawLocked()
    {
        _node.Published.Remove(_segmentId);
        _state = State.Bound;
        IDisposable? claim = _claim;
        _claim = null;
        claim?.Dispose();
        IImporterLink[] importers = [.. _importers];
        _importers.Clear();
        foreach (IImporterLink importer in importers)
        {
            importer.ForceDisconnect();
        }

        // Every importer has seen the abort before the call returns, so its next access reports 40 (DECISIONS F3).
        foreach (IImporterLink importer in importers)
        {
            importer.AwaitAbortSeen();
        }

        int aborted = importers.Length;
        _accessList = [];
        _controller.OnUnpublished(_segmentId, aborted);
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
}
