using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Rsm.Tool.Shm;

namespace Rsm.Tool.Topology;

/// <summary>Probes nodes from outside the application: it connects or looks, it never listens or takes a node id.</summary>
internal static class NodeProbe
{
    public const string Reachable = "reachable";
    public const string Refused = "refused";
    public const string TimedOut = "timeout";
    public const string Unreachable = "unreachable";
    public const string NotProbed = "not-probed";
    public const string Published = "published";
    public const string Absent = "absent";
    public const string Stale = "stale";
    public const string InProcess = "in-process";

    /// <summary>Splits <c>host:port</c> (<c>[v6]:port</c> for IPv6 literals).</summary>
    public static bool TryParseEndpoint(string text, out string host, out int port)
    {
        host = "";
        port = 0;
        int colon = text.LastIndexOf(':');
        if (colon <= 0 || !int.TryParse(text.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out port) || port > 65535)
        {
            return false;
        }

        host = text[..colon];
        if (host.StartsWith('[') && host.EndsWith(']'))
        {
            host = host[1..^1];
        }

        return host.Length > 0;
    }

    /// <summary>
    /// Connects to a Tcp node's listener and closes the connection at once, before any handshake byte: the node logs one
    /// failed handshake from this host and goes on. Bounded by <paramref name="timeout"/>, name resolution included.
    /// </summary>
    public static async Task ProbeTcpAsync(NodeReport node, string endpoint, bool local, TimeSpan timeout, CancellationToken cancellationToken)
    {
        if (!TryParseEndpoint(endpoint, out string host, out int port))
        {
            (node.State, node.Reachable, node.Detail) = (NotProbed, null, $"'{endpoint}' is not host:port");
            return;
        }

        if (port == 0)
        {
            (node.State, node.Reachable, node.Detail) = (NotProbed, null, "Listen port 0: the node picks a free port when it starts, so there is no known port to probe");
            return;
        }

        using var bounded = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        bounded.CancelAfter(timeout);
        string limit = $"{timeout.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture)} s";
        IPAddress address;
        try
        {
            if (IPAddress.TryParse(host, out IPAddress? literal))
            {
                address = literal;
            }
            else
            {
                IPAddress[] addresses = await Dns.GetHostAddressesAsync(host, bounded.Token).ConfigureAwait(false);
                address = addresses.Length > 0 ? addresses[0] : throw new SocketException((int)SocketError.HostNotFound);
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            (node.State, node.Reachable, node.Detail) = (TimedOut, false, $"the name {host} was not resolved within {limit}");
            return;
        }
        catch (SocketException ex)
        {
            (node.State, node.Reachable, node.Detail) = (Unreachable, false, $"the name {host} does not resolve: {ex.Message}");
            return;
        }

        // A node of this configuration that listens on every address is probed on the loopback address.
        if (local && address.Equals(IPAddress.Any))
        {
            address = IPAddress.Loopback;
        }
        else if (local && address.Equals(IPAddress.IPv6Any))
        {
            address = IPAddress.IPv6Loopback;
        }

        var target = new IPEndPoint(address, port);
        using var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            await socket.ConnectAsync(target, bounded.Token).ConfigureAwait(false);
            (node.State, node.Reachable, node.Detail) = (Reachable, true, $"a listener accepted a connection at {target}");
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            (node.State, node.Reachable, node.Detail) = (TimedOut, false, $"no answer from {target} within {limit}");
        }
        catch (SocketException ex) when (ex.SocketErrorCode == SocketError.ConnectionRefused)
        {
            (node.State, node.Reachable, node.Detail) = (Refused, false, $"nothing listens at {target}");
        }
        catch (SocketException ex)
        {
            (node.State, node.Reachable, node.Detail) = (Unreachable, false, $"{target}: {ex.Message}");
        }
    }

    /// <summary>The nodes of a SharedMemory controller: its own, and every other node with a rendezvous socket under its prefix.</summary>
    public static void AddSharedMemoryNodes(ControllerReport controller, string prefix, IReadOnlyList<RendezvousSocket> sockets)
    {
        var ids = new SortedSet<uint>(sockets.Where(s => s.Prefix == prefix).Select(s => s.NodeId));
        uint own = controller.NodeId ?? 0;
        ids.Add(own);
        foreach (uint id in ids)
        {
            RendezvousSocket[] mine = [.. sockets.Where(s => s.Prefix == prefix && s.NodeId == id)];
            var node = new NodeReport
            {
                NodeId = id,
                Role = id == own ? "local" : "seen",
                Address = $"@{prefix}/node{id.ToString(CultureInfo.InvariantCulture)}/segment*",
                State = Absent,
                Segments = [.. mine.Select(s => s.SegmentIdText)],
                Processes = [.. mine.SelectMany(s => s.Owners).DistinctBy(o => o.ProcessId).OrderBy(o => o.ProcessId)],
            };
            if (mine.Any(s => s.State == RendezvousSocket.Alive))
            {
                string pids = string.Join(", ", node.Processes.Select(p => p.ProcessId.ToString(CultureInfo.InvariantCulture)));
                (node.State, node.Reachable, node.Detail) = (Published, true, $"{mine.Length} rendezvous socket(s), held by process {pids}");
            }
            else if (mine.Length > 0)
            {
                (node.State, node.Reachable, node.Detail) = (Stale, false,
                    mine.All(s => s.State == RendezvousSocket.Gone)
                        ? "rendezvous socket(s) that no running process holds: the exporter has exited"
                        : "rendezvous socket(s) whose process is not visible to this user");
            }
            else
            {
                (node.State, node.Reachable, node.Detail) = (Absent, false, "no rendezvous socket: the node publishes no segment now, or does not run");
            }

            controller.Nodes.Add(node);
        }
    }
}
