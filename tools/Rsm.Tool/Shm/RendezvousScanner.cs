using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace Rsm.Tool.Shm;

/// <summary>A process that holds a rendezvous socket.</summary>
/// <param name="ProcessId">Its id.</param>
/// <param name="Uid">Its real user id, or null when it could not be read.</param>
/// <param name="Command">Its command line (or name), shortened.</param>
internal sealed record SocketOwner(int ProcessId, uint? Uid, string Command);

/// <summary>
/// One SharedMemory rendezvous socket: a listening sequenced-packet socket in the abstract namespace named
/// <c>&lt;prefix&gt;/node&lt;node id&gt;/segment&lt;segment id, 8 hex digits&gt;</c>, which the exporting process binds while the
/// segment is published.
/// </summary>
/// <param name="Name">The abstract name, without the leading NUL.</param>
/// <param name="Prefix">The rendezvous prefix.</param>
/// <param name="NodeId">The exporter's node id.</param>
/// <param name="SegmentId">The published segment id.</param>
/// <param name="Inode">The socket's inode, which ties it to the descriptors of its owners.</param>
/// <param name="Owners">The processes that hold it; empty when none could be found.</param>
/// <param name="State"><c>alive</c> (held by a running process), <c>gone</c> (no process holds it: its owner has exited) or <c>unknown</c> (owners not visible to this user).</param>
internal sealed record RendezvousSocket(string Name, string Prefix, uint NodeId, uint SegmentId, ulong Inode, IReadOnlyList<SocketOwner> Owners, string State)
{
    public const string Alive = "alive";
    public const string Gone = "gone";
    public const string Unknown = "unknown";

    public string SegmentIdText => string.Create(CultureInfo.InvariantCulture, $"0x{SegmentId:x8}");
}

/// <summary>Finds the SharedMemory rendezvous sockets of this host (of this network namespace) in <c>/proc/net/unix</c>.</summary>
internal static partial class RendezvousScanner
{
    // Flags of /proc/net/unix: __SO_ACCEPTCON, set on a listening socket.
    private const uint Listening = 0x10000;

    // Type of /proc/net/unix: SOCK_SEQPACKET.
    private const int SequencedPacket = 5;

    /// <summary>The rendezvous sockets, ordered by prefix, node id and segment id; only those of <paramref name="prefix"/> when it is given.</summary>
    /// <param name="prefix">A rendezvous prefix to keep, or null for all.</param>
    /// <param name="unixTable">The path of the Unix socket table (tests read a copy).</param>
    /// <param name="procRoot">The path of the process table.</param>
    /// <exception cref="ToolException">The socket table cannot be read.</exception>
    public static IReadOnlyList<RendezvousSocket> Scan(string? prefix = null, string unixTable = "/proc/net/unix", string procRoot = "/proc")
    {
        string[] lines;
        try
        {
            lines = File.ReadAllLines(unixTable);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new ToolException($"cannot read {unixTable} ({ex.Message}): rsm shm needs Linux and /proc");
        }

        var found = new List<(string Name, string Prefix, uint Node, uint Segment, ulong Inode)>();
        foreach (string line in lines.Skip(1))
        {
            // Num RefCount Protocol Flags Type St Inode Path: the path is the rest of the line (a name may hold spaces).
            string[] fields = line.Split(' ', 8, StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length < 8 || !fields[7].StartsWith('@'))
            {
                continue;
            }

            if (!uint.TryParse(fields[3], NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out uint flags)
                || !int.TryParse(fields[4], NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out int type)
                || !ulong.TryParse(fields[6], NumberStyles.None, CultureInfo.InvariantCulture, out ulong inode)
                || (flags & Listening) == 0
                || type != SequencedPacket)
            {
                continue;
            }

            string name = fields[7][1..].TrimEnd();
            Match match = NamePattern().Match(name);
            if (!match.Success
                || !uint.TryParse(match.Groups["node"].ValueSpan, NumberStyles.None, CultureInfo.InvariantCulture, out uint node)
                || !uint.TryParse(match.Groups["segment"].ValueSpan, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out uint segment))
            {
                continue;
            }

            string namePrefix = match.Groups["prefix"].Value;
            if (prefix is null || namePrefix == prefix)
            {
                found.Add((name, namePrefix, node, segment, inode));
            }
        }

        if (found.Count == 0)
        {
            return [];
        }

        (Dictionary<ulong, List<int>> holders, bool complete) = FindHolders(procRoot, [.. found.Select(f => f.Inode)]);
        var owners = new Dictionary<int, SocketOwner>();
        return
        [
            .. found
                .OrderBy(f => f.Prefix, StringComparer.Ordinal).ThenBy(f => f.Node).ThenBy(f => f.Segment)
                .Select(f =>
                {
                    SocketOwner[] held = holders.TryGetValue(f.Inode, out List<int>? pids)
                        ? [.. pids.Order().Select(pid => owners.TryGetValue(pid, out SocketOwner? o) ? o : owners[pid] = DescribeProcess(procRoot, pid))]
                        : [];
                    string state = held.Length > 0 ? RendezvousSocket.Alive : complete ? RendezvousSocket.Gone : RendezvousSocket.Unknown;
                    return new RendezvousSocket(f.Name, f.Prefix, f.Node, f.Segment, f.Inode, held, state);
                }),
        ];
    }

    [GeneratedRegex("^(?<prefix>.+)/node(?<node>[0-9]{1,10})/segment(?<segment>[0-9a-f]{8})$", RegexOptions.CultureInvariant)]
    private static partial Regex NamePattern();

    /// <summary>The processes whose descriptors refer to each socket inode; complete is false when some could not be read.</summary>
    private static (Dictionary<ulong, List<int>> Holders, bool Complete) FindHolders(string procRoot, HashSet<ulong> inodes)
    {
        var holders = new Dictionary<ulong, List<int>>();
        bool complete = true;
        foreach (string directory in Directory.EnumerateDirectories(procRoot))
        {
            if (!int.TryParse(Path.GetFileName(directory), NumberStyles.None, CultureInfo.InvariantCulture, out int pid))
            {
                continue;
            }

            try
            {
                foreach (string descriptor in Directory.EnumerateFileSystemEntries(Path.Combine(directory, "fd")))
                {
                    string? target = new FileInfo(descriptor).LinkTarget;
                    if (target is null || !target.StartsWith("socket:[", StringComparison.Ordinal) || !target.EndsWith(']'))
                    {
                        continue;
                    }

                    if (ulong.TryParse(target.AsSpan(8, target.Length - 9), NumberStyles.None, CultureInfo.InvariantCulture, out ulong inode) && inodes.Contains(inode))
                    {
                        if (!holders.TryGetValue(inode, out List<int>? pids))
                        {
                            holders[inode] = pids = [];
                        }

                        if (!pids.Contains(pid))
                        {
                            pids.Add(pid);
                        }
                    }
                }
            }
            catch (UnauthorizedAccessException)
            {
                complete = false;
            }
            catch (IOException)
            {
                // The process exited while it was read.
            }
        }

        return (holders, complete);
    }

    private static SocketOwner DescribeProcess(string procRoot, int pid)
    {
        string directory = Path.Combine(procRoot, pid.ToString(CultureInfo.InvariantCulture));
        uint? uid = null;
        string command = "";
        try
        {
            foreach (string line in File.ReadLines(Path.Combine(directory, "status")))
            {
                if (line.StartsWith("Uid:", StringComparison.Ordinal))
                {
                    string[] ids = line[4..].Split(['\t', ' '], StringSplitOptions.RemoveEmptyEntries);
                    if (ids.Length > 0 && uint.TryParse(ids[0], NumberStyles.None, CultureInfo.InvariantCulture, out uint real))
                    {
                        uid = real;
                    }

                    break;
                }
            }

            byte[] cmdline = File.ReadAllBytes(Path.Combine(directory, "cmdline"));
            command = Encoding.UTF8.GetString(cmdline).TrimEnd('\0').Replace('\0', ' ');
            if (command.Length == 0)
            {
                command = File.ReadAllText(Path.Combine(directory, "comm")).Trim();
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Exited, or not readable: what was read is kept.
        }

        const int Longest = 120;
        return new SocketOwner(pid, uid, command.Length > Longest ? command[..(Longest - 3)] + "..." : command);
    }
}
