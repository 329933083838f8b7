using System.Globalization;
using System.Net;
using Microsoft.Extensions.Logging;
using Rsm.Engine;
using Rsm.Providers.Tcp.Internal.Wire;

namespace Rsm.Providers.Tcp.Internal;

/// <summary>
/// One node of this process: its listener, the sessions of the nodes importing from it, and the connections it dialed
/// to the nodes it imports from (one per peer, shared by all segments between the two, established on demand).
/// </summary>
internal sealed partial class TcpNode : IDisposable
{
    private readonly Func<uint, EndPoint?> _localEndpointOf;
    private readonly TcpProviderOptions _options;
    private readonly byte[] _key;
    private readonly TlsSettings? _tls;
    private readonly ILogger _logger;
    private readonly TcpMetrics _metrics;
    private readonly Dictionary<uint, ImporterChannel> _dialed = [];
    private readonly Dictionary<uint, object> _dialGates = [];
    private readonly object _dialGate = new();
    private readonly HashSet<uint> _listed;

    // The connections other nodes dialed to this one, by the node id each proved: one live connection per id.
    private readonly Dictionary<uint, TcpFrameConnection> _inbound = [];
    private bool _stopped;
    private TcpFrameListener? _listener;

    private TcpNode(Func<uint, EndPoint?> localEndpointOf, RsmNode node, TcpProviderOptions options, byte[] key, TlsSettings? tls, ILogger logger, TcpMetrics metrics, IDataPlane? dataPlane)
    {
        _metrics = metrics;
        _localEndpointOf = localEndpointOf;
        DataPlane = dataPlane;
        Node = node;
        _options = options;
        _key = key;
        _tls = tls;
        _logger = logger;
        _listed = [.. options.Nodes.Keys.Select(id => uint.Parse(id, NumberStyles.None, CultureInfo.InvariantCulture))];
    }

    public RsmNode Node { get; }

    /// <summary>The plane that moves the bytes of imports whose both nodes speak it, or null: frames carry everything.</summary>
    public IDataPlane? DataPlane { get; }

    public TimeSpan RequestTimeout => _options.ConnectTimeout;

    /// <summary>The largest frame body this node sends.</summary>
    public int MaxBody => _options.MaxFrameSize;

    public EndPoint ListenEndpoint => _listener?.LocalEndPoint ?? throw new ObjectDisposedException(nameof(TcpNode));

    /// <summary>Starts a node: its listener listens when this returns.</summary>
    /// <param name="localEndpointOf">The listen endpoint of another node this process runs, or null.</param>
    /// <param name="node">The engine's node.</param>
    /// <param name="options">The node's settings, validated.</param>
    /// <param name="key">The cluster key.</param>
    /// <param name="tls">TLS settings, or null.</param>
    /// <param name="logger">The logger.</param>
    /// <param name="metrics">The instruments.</param>
    /// <param name="dataPlane">A data plane the node owns from here on (disposed with it), or null.</param>
    public static TcpNode Start(Func<uint, EndPoint?> localEndpointOf, RsmNode node, TcpProviderOptions options, byte[] key, TlsSettings? tls, ILogger logger, TcpMetrics metrics, IDataPlane? dataPlane = null)
    {
        var tcpNode = new TcpNode(localEndpointOf, node, options, key, tls, logger, metrics, dataPlane);
        _ = TryParseEndpoint(options.Listen, out IPEndPoint? endpoint);
        HandshakeOptions accepting = tcpNode.Handshake(expectedPeer: null) with { Timeout = options.HandshakeTimeout, Admit = tcpNode.Admit };
        tcpNode._listener = TcpFrameListener.Start(endpoint!, accepting, tcpNode.OnAccepted);
        return tcpNode;
    }

    public static bool TryParseEndpoint(string? text, out IPEndPoint? endpoint) => IPEndPoint.TryParse(text ?? string.Empty, out endpoint);

    /// <summary>The connection to <paramref name="nodeId"/>, dialed and authenticated on first use.</summary>
    /// <remarks>Dials to different nodes proceed side by side: a node that does not answer delays only the connects to it.</remarks>
    /// <exception cref="RsmException">RemoteNodeUnreachable (39): no endpoint is known, the node did not answer or authenticate, or this node stopped.</exception>
    public ImporterChannel GetChannel(uint nodeId)
    {
        object nodeGate;
        lock (_dialGate)
        {
            if (_dialed.TryGetValue(nodeId, out ImporterChannel? existing) && !existing.IsClosed)
            {
                return existing;
            }

            if (!_dialGates.TryGetValue(nodeId, out nodeGate!))
            {
                nodeGate = new object();
                _dialGates[nodeId] = nodeGate;
            }
        }

        // One dial per peer at a time; whoever waited finds the connection the first one made.
        lock (nodeGate)
        {
            lock (_dialGate)
            {
                if (_dialed.TryGetValue(nodeId, out ImporterChannel? existing) && !existing.IsClosed)
                {
                    return existing;
                }
            }

            TcpFrameConnection connection;
            try
            {
                connection = Dial(nodeId, Resolve(nodeId));
            }
            catch (RsmException ex)
            {
                NotePeerUnreachable(nodeId, ex);
                throw;
            }

            NotePeerConnected(nodeId, connection);

            var channel = new ImporterChannel(_options.ConnectTimeout);
            var wire = new WireChannel(connection, channel);
            channel.Attach(wire);
            lock (_dialGate)
            {
                if (_stopped)
                {
                    connection.Close();
                    throw RsmThrow.Create(RsmError.RemoteNodeUnreachable, $"node {Node.NodeId} stopped while dialing node {nodeId}");
                }

                wire.Start();
                _dialed[nodeId] = channel;
            }

            return channel;
        }
    }

    /// <summary>
    /// Whether a node that proved the cluster key as <paramref name="connection"/>'s peer may connect: its id is in range
    /// (0 to MaxNodes), not this node's own (unless this node dials itself), listed when only listed nodes are accepted
    /// (nodes this process runs count as listed for their dials from this process), and without another live connection
    /// it dialed to this node. An admitted connection holds its id until it completes.
    /// </summary>
    internal AdmissionRefusal Admit(TcpFrameConnection connection)
    {
        uint peer = connection.PeerNodeId;
        if (peer > _options.MaxNodes)
        {
            return AdmissionRefusal.OutOfRange;
        }

        // Only this process can hold the address of one of its own dials in progress (every connect, to this node too,
        // goes over the network; see TcpTransport), so that is what proves a node of this process.
        bool ownProcess = TcpFrameConnection.IsDialOfThisProcess(connection.RemoteEndPoint);
        if (peer == Node.NodeId && !ownProcess)
        {
            return AdmissionRefusal.OwnNodeId;
        }

        if (_options.AcceptListedNodesOnly && !_listed.Contains(peer) && !(ownProcess && _localEndpointOf(peer) is not null))
        {
            return AdmissionRefusal.NotListed;
        }

        lock (_inbound)
        {
            if (_inbound.TryGetValue(peer, out TcpFrameConnection? live) && !live.IsClosed)
            {
                return AdmissionRefusal.AlreadyConnected;
            }

            _inbound[peer] = connection;
        }

        NotePeerConnected(peer, connection);
        _ = connection.Completion.ContinueWith(
            (_, state) => Release(peer, (TcpFrameConnection)state!),
            connection,
            CancellationToken.None,
            TaskContinuationOptions.ExecuteSynchronously,
            TaskScheduler.Default);
        return AdmissionRefusal.None;
    }

    public RsmTopology GetTopology()
    {
        // The remote controllers are the nodes of the directory; those with a live connection are active (3), the others up (2).
        var remotes = new List<RsmRemoteController>();
        lock (_dialGate)
        {
            foreach (string id in _options.Nodes.Keys.Order(StringComparer.Ordinal))
            {
                uint node = uint.Parse(id, CultureInfo.InvariantCulture);
                if (node != Node.NodeId)
                {
                    bool live = _dialed.TryGetValue(node, out ImporterChannel? channel) && !channel.IsClosed;
                    remotes.Add(new RsmRemoteController(node, "tcp0", 0, live ? 3u : 2u));
                }
            }
        }

        return new RsmTopology(Node.NodeId, [new RsmControllerConnections("tcp0", 0, remotes)]);
    }

    public void Dispose()
    {
        _listener?.Dispose();
        lock (_dialGate)
        {
            _stopped = true;
            foreach (ImporterChannel channel in _dialed.Values)
            {
                channel.Channel.Close("the node stops");
            }

            _dialed.Clear();
        }

        // The connections other nodes dialed to this one end with it: their importers see the node go.
        TcpFrameConnection[] inbound;
        lock (_inbound)
        {
            inbound = [.. _inbound.Values];
        }

        foreach (TcpFrameConnection connection in inbound)
        {
            connection.Close("the node stops");
        }

        // Its grants are revoked with it; an access still on the plane fails there and finds the connection closed.
        DataPlane?.Dispose();
    }

    /// <summary>
    /// Dials and authenticates <paramref name="nodeId"/>. A refusal because a connection of this node id is still live
    /// there is tried again until <see cref="TcpProviderOptions.ConnectTimeout"/> has passed: after a restart the peer
    /// may not have seen the old connection end yet.
    /// </summary>
    private TcpFrameConnection Dial(uint nodeId, EndPoint endpoint)
    {
        long started = Environment.TickCount64;
        long limit = (long)_options.ConnectTimeout.TotalMilliseconds;
        int pause = 20;
        while (true)
        {
            long left = limit - (Environment.TickCount64 - started);
            try
            {
                // The time left bounds the dial and its handshake, which then fails as a timeout of its own.
                HandshakeOptions dial = Handshake(nodeId) with { Timeout = TimeSpan.FromMilliseconds(Math.Max(1, left)) };
                return TcpFrameConnection.ConnectAsync(endpoint, dial).AsTask().GetAwaiter().GetResult();
            }
            catch (RsmException ex) when (AdmissionRefusals.Of(ex) == AdmissionRefusal.AlreadyConnected && limit - (Environment.TickCount64 - started) > pause)
            {
                Thread.Sleep(pause);
                pause = Math.Min(pause * 2, 250);
            }
            catch (Exception ex) when (ex is RsmException or IOException or System.Net.Sockets.SocketException or OperationCanceledException)
            {
                throw RsmThrow.Create(RsmError.RemoteNodeUnreachable, $"node {nodeId} at {endpoint} could not be reached and authenticated: {ex.Message}", ex);
            }
        }
    }

    private void Release(uint peer, TcpFrameConnection connection)
    {
        lock (_inbound)
        {
            if (_inbound.TryGetValue(peer, out TcpFrameConnection? held) && ReferenceEquals(held, connection))
            {
                _inbound.Remove(peer);
            }
        }
    }

    private EndPoint Resolve(uint nodeId)
    {
        if (_options.Nodes.TryGetValue(nodeId.ToString(CultureInfo.InvariantCulture), out string? text) && TryParseEndpoint(text, out IPEndPoint? endpoint))
        {
            return endpoint!;
        }

        return _localEndpointOf(nodeId)
            ?? throw RsmThrow.Create(RsmError.RemoteNodeUnreachable, $"node {nodeId} has no endpoint in the node directory");
    }

    private HandshakeOptions Handshake(uint? expectedPeer) => new()
    {
        LocalNodeId = Node.NodeId,
        ClusterKey = _key,
        Tls = _tls,
        Timeout = _options.ConnectTimeout,
        MaxFrameSize = _options.MaxFrameSize,
        ExpectedPeerNodeId = expectedPeer ?? 0,
        MaxNodeId = _options.MaxNodes,
        KeepAliveInterval = _options.KeepAliveInterval,
        SilenceLimit = _options.SilenceLimit,
        SendQueueLimit = _options.SendQueueLimit,
        SendTimeout = _options.SendTimeout,
        Logger = _logger,
        Metrics = _metrics,
    };

    private void OnAccepted(TcpFrameConnection connection)
    {
        var session = new ExporterSession(this);
        var wire = new WireChannel(connection, session);
        session.Attach(wire);
        wire.Start();
    }
}
