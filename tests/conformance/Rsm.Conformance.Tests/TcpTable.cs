using System.Globalization;
using System.Net;

namespace Rsm.Conformance.Tests;

/// <summary>
/// The kernel's table of IPv4 TCP sockets (<c>/proc/net/tcp</c>): which connections exist, in which state, and which
/// socket inode each belongs to. It shows the far side of a connection as well: whether the exporter still holds its
/// end when the near end cannot tell (its end of stream waits behind data nobody reads).
/// </summary>
internal static class TcpTable
{
    /// <summary>The state of an established connection in the table.</summary>
    public const int Established = 1;

    /// <summary>One row: the endpoints, the state (1 established, 4 FIN-WAIT-1, 8 CLOSE-WAIT, 10 listening, ...) and the socket's inode.</summary>
    internal readonly record struct Row(IPEndPoint Local, IPEndPoint Remote, int State, long Inode)
    {
        public override string ToString() => $"{Local} -> {Remote} state {State} inode {Inode}";
    }

    public static IReadOnlyList<Row> Read()
    {
        var rows = new List<Row>();
        foreach (string line in File.ReadLines("/proc/net/tcp").Skip(1))
        {
            string[] fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length >= 10)
            {
                rows.Add(new Row(Parse(fields[1]), Parse(fields[2]), int.Parse(fields[3], NumberStyles.HexNumber, CultureInfo.InvariantCulture), long.Parse(fields[9], CultureInfo.InvariantCulture)));
            }
        }

        return rows;
    }

    /// <summary>The state of the connection from <paramref name="local"/> to <paramref name="remote"/>, or null when the kernel holds none.</summary>
    public static int? StateOf(IPEndPoint local, IPEndPoint remote)
    {
        foreach (Row row in Read())
        {
            if (row.Local.Equals(local) && row.Remote.Equals(remote))
            {
                return row.State;
            }
        }

        return null;
    }

    /// <summary>The rows of the socket inodes <paramref name="inodes"/> (a socket that is not TCP over IPv4 has none).</summary>
    public static string Describe(IEnumerable<long> inodes)
    {
        IReadOnlyList<Row> rows = Read();
        return string.Join("; ", inodes.Select(inode => rows.FirstOrDefault(r => r.Inode == inode) is { Local: not null } row ? row.ToString() : $"inode {inode} (not an IPv4 TCP socket)"));
    }

    // "0100007F:1F90": the address as the kernel stores it (network order read as a host integer), the port in hex.
    private static IPEndPoint Parse(string field)
    {
        int colon = field.IndexOf(':', StringComparison.Ordinal);
        uint address = uint.Parse(field.AsSpan(0, colon), NumberStyles.HexNumber, CultureInfo.InvariantCulture);
        int port = int.Parse(field.AsSpan(colon + 1), NumberStyles.HexNumber, CultureInfo.InvariantCulture);
        return new IPEndPoint(new IPAddress(address), port);
    }
}
