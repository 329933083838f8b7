using Rsm.Engine;
using Rsm.Interop;

namespace Rsm.Providers.SharedMemory.Internal;

/// <summary>
/// The exporter's side of one importer in another process: admission with the credentials the kernel recorded for the
/// importer's connect (<paramref name="importer"/>, or <paramref name="credentialFailure"/> when they could not be read),
/// then aborts, grants and events through its socket and eventfd.
/// </summary>
internal sealed class ImporterConnection(
    SharedMemoryTransport transport, SegmentListener listener, SafeDescriptorHandle socket, RsmCredentials? importer, RsmException? credentialFailure)
    : IReactorHandler, IImporterLink
{
    private readonly TaskCompletionSource _abortSeen = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private RendezvousMessage _pending;
    private SafeDescriptorHandle? _pendingEvents;
    private bool _hasPending;
    private long _abortDeadline;
    private bool _admitted;
    private SafeDescriptorHandle? _importerEvents;

    public SafeDescriptorHandle Socket { get; } = socket;

    public uint ImporterNodeId { get; private set; }

    public uint GrantedMode { get; private set; }

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

        if (!Monitor.TryEnter(listener.Export.Node.Gate))
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
                    listener.Export.Node.FindPublished(listener.SegmentId)?.Events.Post();
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
            Monitor.Exit(listener.Export.Node.Gate);
        }

        return true;
    }

    public void ForceDisconnect()
    {
        // All importers of a segment are told first and awaited after, so together they wait at most one timeout.
        _abortDeadline = Environment.TickCount64 + (long)transport.ConnectTimeout.TotalMilliseconds;
        // The importer answers AbortSeen; a peer that is gone cannot, and has nothing left to abort.
        if (!Rendezvous.Send(Socket, RendezvousMessage.Create(Opcode.Abort)))
        {
            _abortSeen.TrySetResult();
        }
    }

    public void AwaitAbortSeen()
    {
        _ = _abortSeen.Task.Wait(TimeSpan.FromMilliseconds(Math.Max(0, _abortDeadline - Environment.TickCount64)));
        Release();
        transport.Reactor.Remove(this);
    }

    public void DeliverSignal()
    {
        if (_importerEvents is { } events)
        {
            EventCounter.Post(events);
        }
    }

    public void UpdateGrantedMode(uint mode)
    {
        GrantedMode = mode;
        RendezvousMessage grant = RendezvousMessage.Create(Opcode.Grant);
        grant.Mode = mode;
        _ = Rendezvous.Send(Socket, grant);
    }

    private void Admit(in RendezvousMessage request, SafeDescriptorHandle? importerEvents)
    {
        ExportSegment export = listener.Export;
        RendezvousMessage reply = RendezvousMessage.Create(Opcode.Admit);
        SafeDescriptorHandle? memory = null;
        bool owned = false;
        try
        {
            if (!export.IsPublished || export.SegmentId != listener.SegmentId)
            {
                throw RsmThrow.Create(RsmError.SegmentNotPublished, $"segment 0x{listener.SegmentId:x} is not published");
            }

            var permission = (RsmPermissions)request.Permission;
            if ((request.Permission & ~(uint)RsmPermissions.ReadWrite) != 0)
            {
                throw RsmThrow.Create(RsmError.PermissionDenied, $"permission {Octal.Format(request.Permission)} has bits outside 0600");
            }

            uint granted = export.AcceptConnect(request.Node);
            if (importer is null)
            {
                reply.Reason = Refusal.CredentialsUnavailable;
                throw credentialFailure ?? RsmThrow.Create(RsmError.PermissionDenied, "the importer's credentials are not known");
            }

            if (!AccessCheck.IsAllowed(permission, granted, importer, export.Creator.Uid, export.Creator.Gid))
            {
                throw RsmThrow.Create(RsmError.PermissionDenied, $"{importer} may not connect with {Octal.Format((uint)permission)}");
            }

            var binding = (SharedPageBinding)export.Backing;
            memory = binding.Descriptor;
            if ((permission & RsmPermissions.Write) == 0)
            {
                // An importer without write access gets a read-only descriptor: it cannot map the pages writable.
                memory = Rendezvous.ReopenReadOnly(binding.Descriptor);
                owned = true;
            }

            reply.Length = export.Length;
            reply.Flags = (uint)export.Flags;
            reply.Mode = granted;
            reply.Node = export.Node.NodeId;
            reply.Uid = export.Creator.Uid;
            reply.Gid = export.Creator.Gid;
            if (!Rendezvous.Send(Socket, reply, memory, export.Events.Handle))
            {
                importerEvents?.Dispose();
                Close();
                return;
            }

            _admitted = true;
            _importerEvents = importerEvents;
            ImporterNodeId = request.Node;
            GrantedMode = granted;
            export.AddImporter(this);
        }
        catch (RsmException ex)
        {
            importerEvents?.Dispose();
            reply.Status = (int)ex.Error;
            _ = Rendezvous.Send(Socket, reply);
            Close();
        }
        finally
        {
            if (owned)
            {
                memory!.Dispose();
            }
        }
    }

    /// <summary>The importer went away or was refused: forget it and close its socket (on the reactor thread).</summary>
    private void Close()
    {
        if (_admitted)
        {
            listener.Export.RemoveImporter(this);
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
