using System.Globalization;
using Rsm.Interop;

namespace Rsm.Engine;

/// <summary>The identity of a process as the access check sees it: uid, gid, supplementary groups, pid and umask.</summary>
/// <param name="Uid">Real user id; 0 is privileged and bypasses the owner/group/other check.</param>
/// <param name="Gid">Primary group id.</param>
/// <param name="Groups">Supplementary group ids.</param>
/// <param name="ProcessId">Process id.</param>
/// <param name="Umask">The file-creation mask, which gives an export segment's default mode <c>0777 &amp; ~umask</c>.</param>
public sealed record RsmCredentials(uint Uid, uint Gid, IReadOnlyList<uint> Groups, int ProcessId, uint Umask)
{
    /// <summary>Whether the identity bypasses the owner/group/other check (uid 0).</summary>
    public bool IsPrivileged => Uid == 0;

    /// <summary>Whether <paramref name="gid"/> is the primary or a supplementary group.</summary>
    /// <param name="gid">A group id.</param>
    /// <returns><see langword="true"/> when the identity is a member.</returns>
    public bool IsMemberOf(uint gid) => Gid == gid || Groups.Contains(gid);

    /// <summary>Reads the credentials of the current process.</summary>
    /// <returns>The current identity; on platforms without uids, uid and gid 0 and umask 022.</returns>
    public static RsmCredentials ReadCurrent()
    {
        if (!OperatingSystem.IsLinux())
        {
            return new RsmCredentials(0, 0, [], Environment.ProcessId, Octal.Umask022);
        }

        return new RsmCredentials(Libc.getuid(), Libc.getgid(), ReadGroups(), Libc.getpid(), ReadUmask());
    }

    /// <summary>
    /// The credentials of a connection's peer built from what the kernel reported for the connection itself (on Linux
    /// <c>SO_PEERCRED</c> and <c>SO_PEERGROUPS</c>). Nothing is looked up by process id: a transport that cannot obtain
    /// every part refuses the connect instead of calling this with less (DECISIONS F5).
    /// </summary>
    /// <param name="processId">The peer's pid as reported, for messages only.</param>
    /// <param name="uid">The peer's uid.</param>
    /// <param name="gid">The peer's primary gid.</param>
    /// <param name="groups">The peer's supplementary groups (copied).</param>
    /// <returns>The identity; the umask of another process is not known (0).</returns>
    public static RsmCredentials FromPeer(int processId, uint uid, uint gid, ReadOnlySpan<uint> groups) =>
        new(uid, gid, groups.ToArray(), processId, 0);

    private static unsafe uint[] ReadGroups()
    {
        int count = Libc.getgroups(0, null);
        if (count <= 0)
        {
            return [];
        }

        uint[] groups = new uint[count];
        fixed (uint* p = groups)
        {
            count = Libc.getgroups(count, p);
        }

        return count <= 0 ? [] : groups[..count];
    }

    private static uint ReadUmask()
    {
        // /proc/self/status carries the mask without the set-and-restore race of umask(2).
        try
        {
            foreach (string line in File.ReadLines("/proc/self/status"))
            {
                if (line.StartsWith("Umask:", StringComparison.Ordinal))
                {
                    return Convert.ToUInt32(line["Umask:".Length..].Trim(), 8);
                }
            }
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }

        return Octal.Umask022;
    }

    /// <inheritdoc/>
    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture, $"uid={Uid} gid={Gid} groups=[{string.Join(',', Groups)}] pid={ProcessId} umask={Convert.ToString(Umask, 8)}");
}
