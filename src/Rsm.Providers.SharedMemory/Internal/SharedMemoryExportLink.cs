using Rsm.Engine;
using Rsm.Interop;

namespace Rsm.Providers.SharedMemory.Internal;

/// <summary>
/// The importer's side of a segment exported by another process (or another node of this one): the memfd the exporter
/// passed, mapped for every view; the exporter's eventfd for posts; the socket on which aborts arrive.
/// </summary>
internal sealed class SharedMemoryExportLink : RemoteExportLink, IReactorHandler
{
    private readonly object _gate = new();
    private readonly SharedMemoryTransport _transport;
    private readonly string _name;
    private SafeDescriptorHandle? _memory;
    private SafeDescriptorHandle? _exporterEvents;
    private IAbortableImport? _importer;
    private bool _closed;
    private uint _grantedMode;

    private SharedMemoryExportLink(SharedMemoryTransport transport, string name, SafeDescriptorHandle socket, in RendezvousMessage admit, SafeDescriptorHandle memory, SafeDescriptorHandle exporterEvents, EventCounter events)
    {
        _transport = transport;
        _name = name;
        Socket = socket;
        NodeId = admit.Node;
        Length = (nuint)admit.Length;
        Flags = (ExportFlags)admit.Flags;
        _grantedMode = admit.Mode;
        _memory = memory;
        _exporterEvents = exporterEvents;
        Events = events;
    }

    public SafeDescriptorHandle Socket { get; }

    public override uint NodeId { get; }

    public override nuint Length { get; }

    public override ExportFlags Flags { get; }

    public override EventCounter Events { get; }

    /// <summary>The mode the exporter last granted or pushed to this node (informational; the exporter judges every connect).</summary>
    public override uint GrantedMode => _grantedMode;

    /// <summary>Asks the exporter of (<paramref name="nodeId"/>, <paramref name="segmentId"/>) to admit this process.</summary>
    public static SharedMemoryExportLink Connect(SharedMemoryTransport transport, uint nodeId, uint segmentId, RsmPermissions permission)
    {
        string name = transport.SegmentName(nodeId, segmentId);
        SafeDescriptorHandle socket = Rendezvous.Connect(name, transport.ConnectTimeout)
            ?? throw RsmThrow.Create(RsmError.SegmentNotPublished, $"no segment is published as 0x{segmentId:x} on node {nodeId}");
        var events = new EventCounter();
        SafeDescriptorHandle? memory = null;
        SafeDescriptorHandle? exporterEvents = null;
        try
        {
            RendezvousMessage request = RendezvousMessage.Create(Opcode.Connect);
            request.Node = transport.LocalNode.NodeId;
            request.Permission = (uint)permission;
            if (!Rendezvous.Send(socket, request, events.Handle))
            {
                throw RsmThrow.Create(RsmError.SegmentNotPublished, $"segment 0x{segmentId:x} on node {nodeId} was unpublished during connect");
            }

            int received = Rendezvous.Receive(socket, dontWait: false, out RendezvousMessage reply, out memory, out exporterEvents);
            if (received < 0)
            {
                throw RsmThrow.Create(RsmError.RemoteNodeUnreachable, $"the exporter of segment 0x{segmentId:x} on node {nodeId} did not answer within {transport.ConnectTimeout}");
            }

            if (received == 0 || reply.Op != Opcode.Admit)
            {
                throw RsmThrow.Create(RsmError.SegmentNotPublished, $"segment 0x{segmentId:x} on node {nodeId} was unpublished during connect");
            }

            if (reply.Status != 0)
            {
                var error = (RsmError)reply.Status;
                string reason = reply.Reason == Refusal.CredentialsUnavailable
                    ? " (it could not read this process's credentials from the rendezvous socket and refuses rather than judge without them)"
                    : string.Empty;
                throw RsmThrow.Create(error, $"the exporter of segment 0x{segmentId:x} on node {nodeId} refused the connect: {error}{reason}");
            }

            if (memory is null || exporterEvents is null)
            {
                throw RsmThrow.Create(RsmError.InsufficientResources, "the exporter's answer carried no segment descriptors");
            }

            var link = new SharedMemoryExportLink(transport, name, socket, reply, memory, exporterEvents, events);
            memory = null;
            exporterEvents = null;
            return link;
        }
        catch
        {
            socket.Dispose();
            events.Dispose();
            memory?.Dispose();
            exporterEvents?.Dispose();
            throw;
        }
    }

    public override ISegmentView MapView(long offset, nuint length, RsmPermissions protection, nint address, bool fixedAddress)
    {
        lock (_gate)
        {
            SafeDescriptorHandle memory = _memory ?? throw RsmThrow.Create(RsmError.ConnectionAborted, "the connection was forcibly disconnected");
            return FileView.Map(memory, offset, length, protection, address, fixedAddress);
        }
    }

    public override void PostSignal(uint segmentId)
    {
        SafeDescriptorHandle? events;
        lock (_gate)
        {
            events = _exporterEvents;
        }

        if (events is not null)
        {
            EventCounter.Post(events);
            return;
        }

        // After an abort the event goes to whatever is published under the name now, if anything (RSMAPI 4.3).
        using SafeDescriptorHandle? socket = Rendezvous.Connect(_name, _transport.ConnectTimeout);
        if (socket is not null)
        {
            _ = Rendezvous.Send(socket, RendezvousMessage.Create(Opcode.Post));
        }
    }

    public override void Attach(IAbortableImport importer)
    {
        _importer = importer;
        _transport.Reactor.Add(this);
    }

    public override void Detach(IAbortableImport importer)
    {
        ReleaseDescriptors();
        _transport.Reactor.Remove(this);
    }

    public bool OnReadable()
    {
        int received = Rendezvous.Receive(Socket, dontWait: true, out RendezvousMessage message, out SafeDescriptorHandle? first, out SafeDescriptorHandle? second);
        first?.Dispose();
        second?.Dispose();
        if (received < 0)
        {
            return true;
        }

        if (received > 0 && message.Op == Opcode.Grant)
        {
            _grantedMode = message.Mode;
            return true;
        }

        // Abort, or the exporter's end of the stream (it unpublished, destroyed, or died): the import is aborted.
        _importer?.Abort();
        ReleaseDescriptors();
        if (received > 0 && message.Op == Opcode.Abort)
        {
            _ = Rendezvous.Send(Socket, RendezvousMessage.Create(Opcode.AbortSeen));
            return true;
        }

        _transport.Reactor.Remove(this);
        return true;
    }

    private void ReleaseDescriptors()
    {
        lock (_gate)
        {
            if (_closed)
            {
                return;
            }

            _closed = true;
            _memory?.Dispose();
            _memory = null;
            _exporterEvents?.Dispose();
            _exporterEvents = null;
        }
    }
}
