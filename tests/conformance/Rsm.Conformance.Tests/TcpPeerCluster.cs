using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using Microsoft.Extensions.DependencyInjection;
using Rsm.Engine;

namespace Rsm.Conformance.Tests;

/// <summary>
/// Tcp nodes on 127.0.0.1, each a process of its own: every node id has a fixed free port and every node's directory
/// names all of them, so a node opens in this process or in a peer process under any identity, and a node id can come
/// back in a new process on the same endpoint. Disposing ends the peers still running.
/// </summary>
internal sealed class TcpPeerCluster : IDisposable
{
    /// <summary>The idle time after which a link sends a keep-alive.</summary>
    public static readonly TimeSpan KeepAliveInterval = TimeSpan.FromMilliseconds(500);

    /// <summary>The silence after which a link counts as lost and its imports are aborted.</summary>
    public static readonly TimeSpan SilenceLimit = TimeSpan.FromSeconds(3);

    /// <summary>
    /// The longest an import may take to report the loss of its exporter's process: the silence limit, two keep-alive
    /// intervals for the check that notices it, and two seconds of scheduling slack. A dead process's sockets are closed
    /// by the kernel, so the abort normally comes much sooner; the limit only bounds the wait.
    /// </summary>
    public static readonly TimeSpan LossLimit = SilenceLimit + (2 * KeepAliveInterval) + TimeSpan.FromSeconds(2);

    /// <summary>uid and gid 65534 without supplementary groups.</summary>
    public static ConformancePeerIdentity Nobody { get; } = new() { Uid = 65534, Gid = 65534, Groups = [] };

    private readonly string _key = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
    private readonly Dictionary<uint, int> _ports;
    private readonly List<ConformancePeer> _peers = [];
    private ServiceProvider? _services;

    private string _provider = "Tcp";
    private string? _fabricProvider;

    /// <summary>Gives each of <paramref name="nodes"/> a free port of 127.0.0.1.</summary>
    /// <param name="nodes">The node ids of the cluster.</param>
    public TcpPeerCluster(params uint[] nodes)
    {
        _ports = nodes.ToDictionary(static node => node, static _ => FreePort());
    }

    /// <summary>
    /// A cluster of Fabric nodes on the libfabric provider <paramref name="fabricProvider"/>: the same control plane on
    /// 127.0.0.1, with every import's bytes on the fabric.
    /// </summary>
    /// <param name="fabricProvider">The libfabric provider (<c>tcp;ofi_rxm</c>, <c>shm</c>).</param>
    /// <param name="nodes">The node ids of the cluster.</param>
    /// <returns>The cluster.</returns>
    public static TcpPeerCluster Fabric(string fabricProvider, params uint[] nodes) =>
        new(nodes) { _provider = "Fabric", _fabricProvider = fabricProvider };

    /// <summary>The provider the nodes run: Tcp or Fabric.</summary>
    public string Provider => _provider;

    /// <summary>The controller settings of <paramref name="node"/>: its endpoint, the directory of all nodes, the key and the limits.</summary>
    /// <param name="node">A node id of the cluster.</param>
    /// <returns>The settings.</returns>
    public Dictionary<string, string?> Settings(uint node)
    {
        var settings = new Dictionary<string, string?>
        {
            ["NodeId"] = node.ToString(CultureInfo.InvariantCulture),
            ["Listen"] = Endpoint(node),
            ["ClusterKey"] = _key,
            ["ConnectTimeout"] = "00:00:05",
            ["KeepAliveInterval"] = KeepAliveInterval.ToString("c", CultureInfo.InvariantCulture),
            ["SilenceLimit"] = SilenceLimit.ToString("c", CultureInfo.InvariantCulture),
        };
        if (_fabricProvider is not null)
        {
            settings["FabricProvider"] = _fabricProvider;
        }

        foreach (uint other in _ports.Keys)
        {
            settings[string.Create(CultureInfo.InvariantCulture, $"Nodes:{other}")] = Endpoint(other);
        }

        return settings;
    }

    /// <summary>Opens <paramref name="node"/> in this process; the caller disposes the controller.</summary>
    /// <param name="node">A node id of the cluster.</param>
    /// <returns>The node's controller.</returns>
    public IRsmController Open(uint node)
    {
        _services ??= _provider == "Fabric"
            ? new ServiceCollection().AddFabricProvider().BuildServiceProvider()
            : new ServiceCollection().AddTcpProvider().BuildServiceProvider();
        return NodeControllers.Open(_services, node, Settings(node));
    }

    /// <summary>Starts <paramref name="node"/> in a peer process running as <paramref name="identity"/>; the cluster ends it when disposed.</summary>
    /// <param name="node">A node id of the cluster.</param>
    /// <param name="identity">Who the peer runs as; the test process's identity when null.</param>
    /// <returns>The running peer.</returns>
    public ConformancePeer Start(uint node, ConformancePeerIdentity? identity = null)
    {
        ConformancePeer peer = ConformancePeer.Start(
            Path.Combine(AppContext.BaseDirectory, "Rsm.Conformance.Peer.dll"),
            Settings(node).Select(static s => $"{s.Key}={s.Value}").Prepend($"Provider={_provider}"),
            identity ?? ConformancePeerIdentity.Same);
        _peers.Add(peer);
        return peer;
    }

    /// <summary>Skips the calling test unless peers can run under other uids: uid 0 and <c>setpriv</c> are needed.</summary>
    public static void RequireOtherUids()
    {
        if (!RsmCredentials.ReadCurrent().IsPrivileged)
        {
            Assert.Inconclusive("starting a peer under another uid needs uid 0; the tests run unprivileged (the root run covers this check)");
        }

        if (!File.Exists("/usr/bin/setpriv") && !File.Exists("/bin/setpriv"))
        {
            Assert.Inconclusive("setpriv (util-linux) is not installed; .ci/run installs it");
        }
    }

    /// <summary>
    /// Repeats <paramref name="access"/> until it reports CONN_ABORTED (40), for at most <see cref="LossLimit"/>. Until
    /// then it must succeed: any other outcome fails the test.
    /// </summary>
    /// <param name="access">One access to the import, returning its outcome.</param>
    /// <param name="what">What was expected, for the failure message.</param>
    public static void AwaitAborted(Func<RsmError> access, string what)
    {
        long deadline = Environment.TickCount64 + (long)LossLimit.TotalMilliseconds;
        RsmError outcome;
        while ((outcome = access()) != RsmError.ConnectionAborted)
        {
            Assert.AreEqual(RsmError.Success, outcome, what);
            Assert.IsLessThan(deadline, Environment.TickCount64, $"{what}: no CONN_ABORTED (40) within {LossLimit}");
            Thread.Sleep(20);
        }
    }

    /// <summary>The outcome of <paramref name="action"/>: <see cref="RsmError.Success"/> or the error it raised.</summary>
    /// <param name="action">An RSM operation.</param>
    /// <returns>The outcome.</returns>
    public static RsmError Outcome(Action action)
    {
        try
        {
            action();
            return RsmError.Success;
        }
        catch (RsmException ex)
        {
            return ex.Error;
        }
    }

    /// <summary>Ends the peers still running, newest first, then this process's provider.</summary>
    public void Dispose()
    {
        for (int i = _peers.Count - 1; i >= 0; i--)
        {
            int? pid = _fabricProvider == "shm" ? _peers[i].ProcessId : null;
            _peers[i].Dispose();
            if (pid is { } ended)
            {
                RemoveShmRegions(ended);
            }
        }

        _peers.Clear();
        _services?.Dispose();
        _services = null;
    }

    /// <summary>
    /// Removes the queue files of libfabric's shm endpoints of the ended process <paramref name="pid"/> (named
    /// <c>pid:uid:n</c> in /dev/shm). An endpoint removes its own file when it closes; a killed process cannot, and its
    /// 16 MiB file would stay in memory until reboot.
    /// </summary>
    public static void RemoveShmRegions(int pid)
    {
        if (!Directory.Exists("/dev/shm"))
        {
            return;
        }

        foreach (string file in Directory.EnumerateFiles("/dev/shm", string.Create(CultureInfo.InvariantCulture, $"{pid}:*:*")))
        {
            File.Delete(file);
        }
    }

    private string Endpoint(uint node) => string.Create(CultureInfo.InvariantCulture, $"127.0.0.1:{_ports[node]}");

    private static int FreePort()
    {
        using var probe = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        probe.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)probe.LocalEndPoint!).Port;
    }
}
