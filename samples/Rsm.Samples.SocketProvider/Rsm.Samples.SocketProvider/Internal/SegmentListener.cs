using System.Net.Sockets;
using Rsm.Engine;

namespace Rsm.Samples.Sockets.Internal;

/// <summary>
/// The claim of a published segment id on the host: a socket listening at the segment's abstract name. Holding the
/// name is holding the id (SegmentIdInUse for anyone else); closing it, or the death of the process, frees both. A
/// thread of its own accepts importers, reads their credentials and hands each to an <see cref="ImporterConnection"/>.
/// </summary>
internal sealed class SegmentListener : IDisposable, IProviderResource
{
    private readonly SocketTransport _transport;
    private readonly uint _segmentId;
    private readonly Socket _socket;
    private volatile bool _stopped;

    private SegmentListener(SocketTransport transport, uint segmentId, Socket socket)
    {
        _transport = transport;
        _segmentId = segmentId;
        _socket = socket;
    }

    /// <summary>Claims the id (called with the node's lock held: binding and listening never wait for a peer); null when another socket on the host holds it.</summary>
    /// <exception cref="RsmException">InsufficientResources (31) when no socket can be created or the provider was disposed.</exception>
    public static SegmentListener? TryListen(SocketTransport transport, uint segmentId)
    {
        Socket socket = Wire.NewSocket();
        try
        {
            socket.Bind(new UnixDomainSocketEndPoint(transport.SegmentName(transport.LocalNode.NodeId, segmentId)));
            socket.Listen();
        }
        catch (SocketException ex) when (ex.SocketErrorCode == SocketError.AddressAlreadyInUse)
        {
            socket.Dispose();
            return null;
        }
        catch (SocketException ex)
        {
            socket.Dispose();
            throw RsmThrow.Create(RsmError.InsufficientResources, $"listening for importers of segment 0x{segmentId:x} failed: {ex.SocketErrorCode}", ex);
        }

        var listener = new SegmentListener(transport, segmentId, socket);
        if (!transport.Provider.Track(listener))
        {
            socket.Dispose();
            throw RsmThrow.Create(RsmError.InsufficientResources, "the Socket provider was disposed");
        }

        new Thread(listener.AcceptLoop) { IsBackground = true, Name = "RsmSock accept" }.Start();
        return listener;
    }

    /// <summary>Frees the name before unpublish returns, so the id can be published again at once; accepted importers stay connected.</summary>
    public void Dispose()
    {
        Stop();
        _transport.Provider.Untrack(this);
    }

    public void Stop()
    {
        _stopped = true;

        // Also wakes the accept thread, which then ends.
        _socket.Dispose();
    }

    private void AcceptLoop()
    {
        while (!_stopped)
        {
            Socket accepted;
            try
            {
                accepted = _socket.Accept();
            }
            catch (ObjectDisposedException)
            {
                return;
            }
            catch (SocketException)
            {
                if (_stopped)
                {
                    return;
                }

                // Out of descriptors, or a connection reset before it was accepted: try again shortly.
                Thread.Sleep(10);
                continue;
            }

            // Read once, as the kernel recorded them at the importer's connect; null (unreadable) refuses the importer.
            RsmCredentials? importer = _transport.Provider.PeerCredentials(accepted);
            new ImporterConnection(_transport, _segmentId, accepted, importer).Start();
        }
    }
}
