using Rsm.Engine;
using Rsm.Interop;

namespace Rsm.Providers.SharedMemory.Internal;

/// <summary>
/// The exporter's side of one importer in another process: admission with the credentials the kernel recorded for the
/// importer's connect (<paramref name="importer"/>, null when they could not be read, which refuses it),
/// then aborts, grants and events through its socket and eventfd.
/// </summary>
internal sealed class ImporterConnection(
    SharedMemoryTransport transport, SegmentListener listener, SafeDescriptorHandle socket, RsmCredentials? importer)
    : RsmRemoteImport, IReactorHandler
{
    private readonly TaskCompletionSource _abortSeen = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private RendezvousMessage _pending;
    private SafeDescriptorHandle? _pendingEvents;
    private bool _hasPending;
    private long _abortDeadline;
    private bool _admitted;
    private SafeDescriptorHandle? _importerEvents;

    public SafeDescriptorHandle Socket { get; } = socket;

    private RsmNode Node => transport.LocalNode;

    public bool OnReadable()
    {
        if (!_hasPending)
        {
            int received = Rendezvous.Receive(Socket, dontWait: true, out RendezvousMessage message, out SafeDescriptorHandle? first, out SafeDescriptorHandle? second);
            second?.Dispose();
            if (received < 0)
            {
                return true;
            }

            if (received > 0 && message.Op == Opcode.AbortSeen)
            {
                first?.Dispose();
                _abortSeen.TrySetResult();
                return true;
            }

            // A request, or the end of the stream (importer gone), is handled under the node's lock.
            _pending = received > 0 ? message : default;
            _pendingEvents = first;
            _hasPending = true;
        }

        // The reactor never waits for the node's lock: an unpublish holds it while it waits for the reactor.
        if (!Monitor.TryEnter(Node.SyncRoot))
        {
            return false;
        }

        try
        {
            _hasPending = false;
            SafeDescriptorHandle? events = _pendingEvents;
            _pendingEvents = null;
            switch (_pending.Op)
            {
                case Opcode.Connect when !_admitted:
                    Admit(_pending, events);
                    break;
                case Opcode.Post when !_admitted:
                    events?.Dispose();
                    Node.Exports.PostSignal(listener.SegmentId);
                    Close();
                    break;
                default:
                    events?.Dispose();
                    Close();
                    break;
            }
        }
        finally
        {
            Monitor.Exit(Node.SyncRoot);
        }

        return true;
    }

    protected override void OnForceDisconnect()
    {
        // All importers of a segment are told first and awaited after, so together they wait at most one timeout.
        _abortDeadline = Environment.TickCount64 + (long)transport.ConnectTimeout.TotalMilliseconds;
        // The importer answers AbortSeen; a peer that is gone cannot, and has nothing left to abort.
        if (!Rendezvous.Send(Socket, RendezvousMessage.Create(Opcode.Abort)))
        {
            _abortSeen.TrySetResult();
        }
    }

    protected override void OnAwaitAbortSeen()
    {
        _ = _abortSeen.Task.Wait(TimeSpan.FromMilliseconds(Math.Max(0, _abortDeadline - Environment.TickCount64)));
        Release();
        transport.Reactor.Remove(this);
    }

    protected override void OnDeliverSignal()
    {
        if (_importerEvents is { } events)
        {
            EventCounter.Post(events);
        }
    }

    protected override void OnGrantedModeChanged(uint mode)
    {
        RendezvousMessage grant = RendezvousMessage.Create(Opcode.Grant);
        grant.Mode = mode;
        _ = Rendezvous.Send(Socket, grant);
    }

    /// <summary>Judged by the engine with the credentials the kernel reported; the answer carries the segment's descriptors.</summary>
    private void Admit(in RendezvousMessage request, SafeDescriptorHandle? importerEvents)
    {
        RendezvousMessage reply = RendezvousMessage.Create(Opcode.Admit);
        var permission = (RsmPermissions)request.Permission;
        bool delivered = false;
        try
        {
            RendezvousMessage answer = reply;
            _ = Node.Exports.Admit(this, listener.SegmentId, request.Node, permission, importer, admission => delivered = Deliver(admission, answer, permission, importerEvents));
        }
        catch (RsmException ex)
        {
            importerEvents?.Dispose();
            reply.Status = (int)ex.Error;
            if (importer is null && ex.Error == RsmError.PermissionDenied)
            {
                reply.Reason = Refusal.CredentialsUnavailable;
            }

            _ = Rendezvous.Send(Socket, reply);
            Close();
            return;
        }

        if (!delivered)
        {
            importerEvents?.Dispose();
            Close();
            return;
        }

        _admitted = true;
        _importerEvents = importerEvents;
    }

    /// <summary>Sends the admission, with the lock held: an importer without write access gets a read-only descriptor of the pages.</summary>
    private bool Deliver(RsmAdmission admission, RendezvousMessage reply, RsmPermissions permission, SafeDescriptorHandle? importerEvents)
    {
        SafeDescriptorHandle? pages = admission.PagesDescriptor;
        if (pages is null)
        {
            return false;
        }

        SafeDescriptorHandle memory = (permission & RsmPermissions.Write) == 0 ? Rendezvous.ReopenReadOnly(pages) : pages;
        try
        {
            reply.Length = admission.Length;
            reply.Flags = (uint)admission.Flags;
            reply.Mode = admission.GrantedMode;
            reply.Node = admission.NodeId;
            reply.Uid = admission.OwnerUid;
            reply.Gid = admission.OwnerGid;
            return Rendezvous.Send(Socket, reply, memory, admission.EventsDescriptor);
        }
        finally
        {
            if (!ReferenceEquals(memory, pages))
            {
                memory.Dispose();
            }
        }
    }

    /// <summary>The importer went away or was refused: forget it and close its socket (on the reactor thread).</summary>
    private void Close()
    {
        if (_admitted)
        {
            Node.Exports.Release(this);
        }

        Release();
        _abortSeen.TrySetResult();
        transport.Reactor.Remove(this);
    }

    private void Release()
    {
        _admitted = false;
        Interlocked.Exchange(ref _importerEvents, null)?.Dispose();
    }
}
