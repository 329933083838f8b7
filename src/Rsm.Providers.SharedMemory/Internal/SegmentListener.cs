using Rsm.Engine;
using Rsm.Interop;

namespace Rsm.Providers.SharedMemory.Internal;

/// <summary>
/// The claim of a published segment id on the host: a listening socket at the segment's abstract name. Holding the
/// name is holding the id (SEGID_IN_USE for anyone else); closing it, or the death of the process, frees both.
/// </summary>
internal sealed class SegmentListener : IReactorHandler, IDisposable
{
    private readonly SharedMemoryTransport _transport;

    private SegmentListener(SharedMemoryTransport transport, uint segmentId, SafeDescriptorHandle socket)
    {
        _transport = transport;
        SegmentId = segmentId;
        Socket = socket;
    }

    public SafeDescriptorHandle Socket { get; }

    public uint SegmentId { get; }

    /// <summary>Claims the id; null when another socket on the host holds it.</summary>
    public static SegmentListener? TryClaim(SharedMemoryTransport transport, uint segmentId)
    {
        SafeDescriptorHandle? socket = Rendezvous.Listen(transport.SegmentName(transport.LocalNode.NodeId, segmentId));
        if (socket is null)
        {
            return null;
        }

        var listener = new SegmentListener(transport, segmentId, socket);
        transport.Reactor.Add(listener);
        return listener;
    }

    public bool OnReadable()
    {
        while (Rendezvous.Accept(Socket) is { } accepted)
        {
            // The credentials are read once, as the kernel recorded them at the importer's connect, and judged at its request.
            // Unreadable credentials are null here, and the engine refuses the connect with PermissionDenied (27).
            RsmCredentials? importer = null;
            try
            {
                importer = _transport.PeerCredentials.Read(accepted);
            }
            catch (RsmException)
            {
            }

            _transport.Reactor.Add(new ImporterConnection(_transport, this, accepted, importer));
        }

        return true;
    }

    /// <summary>Frees the name before unpublish returns, so the id can be published again at once.</summary>
    public void Dispose() => _transport.Reactor.Remove(this);
}
