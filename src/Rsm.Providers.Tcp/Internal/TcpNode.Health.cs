using System.Globalization;
using Rsm.Engine;
using Rsm.Providers.Tcp.Internal.Wire;

namespace Rsm.Providers.Tcp.Internal;

internal sealed partial class TcpNode
{
    // What this node last saw of each peer, from the connections it dialed and those it accepted: the latest event wins.
    private readonly Dictionary<uint, PeerState> _peers = [];

    /// <summary>The node's listener, for tests.</summary>
    internal TcpFrameListener? Listener => _listener;

    /// <summary>
    /// The node's health: Unhealthy when its listener cannot accept (or the node stopped); Degraded when a peer it last
    /// reached was lost, went silent, or could not be dialed; Healthy otherwise. Peers never contacted are not judged.
    /// It only reads what the node recorded, so it never waits for a peer.
    /// </summary>
    public RsmTransportHealth CheckHealth()
    {
        var data = new Dictionary<string, object>(StringComparer.Ordinal);
        TcpFrameListener? listener = _listener;
        if (listener is null || listener.IsDisposed)
        {
            return new RsmTransportHealth(RsmHealthStatus.Unhealthy, $"node {Node.NodeId} has stopped", data);
        }

        data["listen"] = listener.LocalEndPoint.ToString() ?? string.Empty;
        foreach ((string name, object value) in DataPlane?.HealthData() ?? [])
        {
            data[name] = value;
        }
        var troubled = new List<string>();
        lock (_peers)
        {
            foreach (uint id in _listed.Union(_peers.Keys).Where(id => id != Node.NodeId).Order())
            {
                string state = _peers.TryGetValue(id, out PeerState? peer) ? peer.Describe() : "not connected";
                data["node." + id.ToString(CultureInfo.InvariantCulture)] = state;
                if (peer is { IsTrouble: true })
                {
                    troubled.Add($"node {id} {state}");
                }
            }
        }

        if (listener.AcceptFailure is { } failure)
        {
            return new RsmTransportHealth(
                RsmHealthStatus.Unhealthy,
                $"the listener on {listener.LocalEndPoint} cannot accept connections: {failure.Message}",
                data,
                failure);
        }

        return troubled.Count == 0
            ? new RsmTransportHealth(RsmHealthStatus.Healthy, $"listening on {listener.LocalEndPoint}", data)
            : new RsmTransportHealth(RsmHealthStatus.Degraded, $"listening on {listener.LocalEndPoint}; {string.Join("; ", troubled)}", data);
    }

    private void NotePeerUnreachable(uint nodeId, RsmException failure) =>
        SetPeer(nodeId, new PeerState(PeerCondition.Unreachable, failure.Message, null));

    /// <summary>Records a live connection with <paramref name="nodeId"/>, and how it ends once it does.</summary>
    private void NotePeerConnected(uint nodeId, TcpFrameConnection connection)
    {
        SetPeer(nodeId, new PeerState(PeerCondition.Connected, null, connection));
        _ = connection.Completion.ContinueWith(
            (_, state) => OnPeerClosed(nodeId, (TcpFrameConnection)state!),
            connection,
            CancellationToken.None,
            TaskContinuationOptions.ExecuteSynchronously,
            TaskScheduler.Default);
    }

    private void OnPeerClosed(uint nodeId, TcpFrameConnection connection)
    {
        ConnectionCloseReason reason = connection.CloseReason;
        lock (_peers)
        {
            // A newer connection (or a newer failure) of the same peer says more than this one's end.
            if (!_peers.TryGetValue(nodeId, out PeerState? current) || !ReferenceEquals(current.Connection, connection))
            {
                return;
            }

            _peers[nodeId] = reason switch
            {
                ConnectionCloseReason.Local => new PeerState(PeerCondition.Closed, null, null),
                ConnectionCloseReason.SilenceLimit or ConnectionCloseReason.IncompleteFrame or ConnectionCloseReason.SendTimeout =>
                    new PeerState(PeerCondition.Silent, connection.CloseException?.Message ?? reason.ToString(), null),
                _ => new PeerState(PeerCondition.Lost, connection.CloseException?.Message ?? reason.ToString(), null),
            };
        }
    }

    private void SetPeer(uint nodeId, PeerState state)
    {
        lock (_peers)
        {
            _peers[nodeId] = state;
        }
    }

    private enum PeerCondition
    {
        Connected,
        Closed,
        Unreachable,
        Lost,
        Silent,
    }

    private sealed record PeerState(PeerCondition Condition, string? Detail, TcpFrameConnection? Connection)
    {
        public bool IsTrouble => Condition is PeerCondition.Unreachable or PeerCondition.Lost or PeerCondition.Silent;

        public string Describe() => Condition switch
        {
            PeerCondition.Connected => "connected",
            PeerCondition.Closed => "not connected",
            PeerCondition.Unreachable => $"unreachable: {Detail}",
            PeerCondition.Lost => $"connection lost: {Detail}",
            _ => $"silent: {Detail}",
        };
    }
}
