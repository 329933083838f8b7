using System.Net.Sockets;
using System.Runtime.InteropServices;
using Rsm.Engine;

namespace Rsm.Samples.Sockets.Internal;

/// <summary>
/// Who is on the other end of an accepted socket, as the kernel recorded it when the peer connected: pid, uid and gid
/// from <c>SO_PEERCRED</c>, the supplementary groups from <c>SO_PEERGROUPS</c>. Nothing is looked up afterwards by
/// process id. When any part cannot be read the answer is null, and the engine refuses the connect with PermissionDenied
/// (27) instead of judging the importer with less (DECISIONS F5).
/// </summary>
internal static class PeerCredentialReader
{
    private const int SolSocket = 1;
    private const int SoPeerCred = 17;
    private const int SoPeerGroups = 59;
    private const int FirstGroupCapacity = 32;

    // NGROUPS_MAX of Linux: no kernel reports more.
    private const int MaxGroups = 65536;

    // (uid_t)-1 is what the kernel reports for a socket without peer credentials; it is never a real id.
    private const uint NoId = uint.MaxValue;

    /// <summary>The credentials of the process that connected to <paramref name="socket"/>; null when they cannot all be read.</summary>
    public static RsmCredentials? Read(Socket socket)
    {
        try
        {
            // struct ucred { pid_t pid; uid_t uid; gid_t gid; }, in host byte order.
            Span<byte> ucred = stackalloc byte[12];
            if (socket.GetRawSocketOption(SolSocket, SoPeerCred, ucred) != ucred.Length)
            {
                return null;
            }

            int pid = MemoryMarshal.Read<int>(ucred);
            uint uid = MemoryMarshal.Read<uint>(ucred[4..]);
            uint gid = MemoryMarshal.Read<uint>(ucred[8..]);
            if (uid == NoId || gid == NoId)
            {
                return null;
            }

            return ReadGroups(socket) is { } groups ? RsmCredentials.FromPeer(pid, uid, gid, groups) : null;
        }
        catch (SocketException)
        {
            return null;
        }
        catch (ObjectDisposedException)
        {
            return null;
        }
    }

    private static uint[]? ReadGroups(Socket socket)
    {
        byte[] buffer = new byte[FirstGroupCapacity * sizeof(uint)];
        int length;
        try
        {
            length = socket.GetRawSocketOption(SolSocket, SoPeerGroups, buffer);
        }
        catch (SocketException)
        {
            // ERANGE: the peer is in more groups than the buffer holds. It has no SocketError value of its own, and the
            // size the kernel asks for is not passed on, so the second call has room for NGROUPS_MAX groups. A failure
            // of that one propagates: the groups are unknown.
            buffer = new byte[MaxGroups * sizeof(uint)];
            length = socket.GetRawSocketOption(SolSocket, SoPeerGroups, buffer);
        }

        if (length < 0 || length > buffer.Length || length % sizeof(uint) != 0)
        {
            return null;
        }

        return MemoryMarshal.Cast<byte, uint>(buffer.AsSpan(0, length)).ToArray();
    }
}
