using System.ComponentModel;
using System.Runtime.InteropServices;
using Rsm.Engine;
using Rsm.Interop;
using Rsm.Providers.SharedMemory.Interop;

namespace Rsm.Providers.SharedMemory.Internal;

/// <summary>
/// Reads who is on the other end of a rendezvous socket, as the kernel recorded it when the peer connected: uid and gid
/// from <c>SO_PEERCRED</c>, the supplementary groups from <c>SO_PEERGROUPS</c>. Nothing is looked up afterwards by process
/// id: a pid can be reused, and <c>/proc</c> can hide other users' processes. When any part cannot be read, the peer is
/// refused with PERM_DENIED (27) instead of being judged with less (DECISIONS F5), except that a uid of 0 needs no groups.
/// </summary>
internal sealed class PeerCredentialReader
{
    /// <summary>The group buffer of the first <c>SO_PEERGROUPS</c> call; a peer with more groups costs one more call.</summary>
    public const int FirstGroupCapacity = 32;

    // NGROUPS_MAX of Linux: no kernel reports more.
    private const int MaxGroups = 65536;

    // (uid_t)-1 is what the kernel reports for a socket that has no peer credentials; it is never a real id.
    private const uint NoId = uint.MaxValue;

    private readonly OptionReader _readOption;

    /// <summary>Creates a reader over <paramref name="readOption"/> (the kernel's <c>getsockopt</c>, or a stand-in for tests).</summary>
    public PeerCredentialReader(OptionReader readOption)
    {
        _readOption = readOption;
    }

    /// <summary>Reads one peer option into <paramref name="value"/>; 0 or the errno, and the length the kernel reported.</summary>
    public delegate int OptionReader(SafeDescriptorHandle socket, int name, Span<byte> value, out int length);

    /// <summary>The reader that asks the kernel.</summary>
    public static PeerCredentialReader Kernel { get; } = new(Sockets.GetPeerOption);

    /// <summary>The credentials of the process that connected to <paramref name="socket"/>, as of its connect.</summary>
    /// <returns>uid, gid, groups and pid; the umask is not known (0).</returns>
    /// <exception cref="RsmException">PERM_DENIED (27) when the uid and gid, or the groups of a uid other than 0, cannot be read.</exception>
    public RsmCredentials Read(SafeDescriptorHandle socket)
    {
        Sockets.PeerCredentials peer = default;
        Span<byte> raw = MemoryMarshal.AsBytes(new Span<Sockets.PeerCredentials>(ref peer));
        int errno = _readOption(socket, Sockets.SO_PEERCRED, raw, out int length);
        if (errno != 0)
        {
            throw Unavailable($"SO_PEERCRED failed with errno {errno}", new Win32Exception(errno));
        }

        if (length != raw.Length)
        {
            throw Unavailable($"SO_PEERCRED returned {length} bytes instead of {raw.Length}", null);
        }

        if (peer.Uid == NoId || peer.Gid == NoId)
        {
            throw Unavailable("the kernel holds no credentials for the socket's peer", null);
        }

        uint[]? groups = ReadGroups(socket, out string? failure, out errno);
        if (groups is null)
        {
            // uid 0 bypasses the owner/group/other check, so its groups decide nothing.
            if (peer.Uid != 0)
            {
                throw Unavailable($"the supplementary groups of uid {peer.Uid} could not be read: {failure}", errno == 0 ? null : new Win32Exception(errno));
            }

            groups = [];
        }

        return RsmCredentials.FromPeer(peer.ProcessId, peer.Uid, peer.Gid, groups);
    }

    private uint[]? ReadGroups(SafeDescriptorHandle socket, out string? failure, out int errno)
    {
        Span<uint> groups = stackalloc uint[FirstGroupCapacity];
        // The peer's groups are fixed at its connect, so the size the kernel asks for the first time fits the second.
        for (int attempt = 0; attempt < 2; attempt++)
        {
            Span<byte> buffer = MemoryMarshal.AsBytes(groups);
            errno = _readOption(socket, Sockets.SO_PEERGROUPS, buffer, out int length);
            if (errno == 0)
            {
                if (length < 0 || length > buffer.Length || length % sizeof(uint) != 0)
                {
                    failure = $"SO_PEERGROUPS returned {length} bytes into a buffer of {buffer.Length}";
                    return null;
                }

                failure = null;
                return groups[..(length / sizeof(uint))].ToArray();
            }

            // ERANGE: the buffer is too small and length is the size needed (socket(7)).
            if (errno != Sockets.ERANGE || length <= buffer.Length || length > MaxGroups * sizeof(uint) || length % sizeof(uint) != 0)
            {
                failure = errno == Sockets.ERANGE
                    ? $"SO_PEERGROUPS failed with ERANGE and asked for {length} bytes, having been given {buffer.Length}"
                    : $"SO_PEERGROUPS failed with errno {errno}";
                return null;
            }

            groups = new uint[length / sizeof(uint)];
        }

        errno = 0;
        failure = "SO_PEERGROUPS kept asking for a larger buffer";
        return null;
    }

    private static RsmException Unavailable(string detail, Exception? inner)
    {
        string message = $"the importer's credentials could not be read from the rendezvous socket ({detail}); it is refused rather than judged without them";
        return inner is null ? RsmThrow.Create(RsmError.PermissionDenied, message) : RsmThrow.Create(RsmError.PermissionDenied, message, inner);
    }
}
