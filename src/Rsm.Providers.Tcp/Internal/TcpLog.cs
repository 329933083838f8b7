using Microsoft.Extensions.Logging;

namespace Rsm.Providers.Tcp.Internal;

/// <summary>The Tcp provider's log messages.</summary>
internal static partial class TcpLog
{
    [LoggerMessage(EventId = 101, Level = LogLevel.Warning, Message = "Node {NodeId} dropped a connection that did not authenticate: {Reason}")]
    public static partial void ConnectionRefused(ILogger logger, uint nodeId, string reason);

    [LoggerMessage(EventId = 102, Level = LogLevel.Warning, Message = "Node {NodeId} closed its connection with node {PeerNodeId}: {Reason}")]
    public static partial void ConnectionClosed(ILogger logger, uint nodeId, uint peerNodeId, string reason);
}
