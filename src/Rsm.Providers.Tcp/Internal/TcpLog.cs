using Microsoft.Extensions.Logging;

namespace Rsm.Providers.Tcp.Internal;

/// <summary>
/// The Tcp provider's log messages (event ids 100-109; 101 was used before refused connections were logged by the wire
/// layer, at a bounded rate, and is not reused).
/// </summary>
internal static partial class TcpLog
{
    [LoggerMessage(EventId = 102, Level = LogLevel.Warning, Message = "Node {NodeId} closed its connection with node {PeerNodeId}: {Reason}")]
    public static partial void ConnectionClosed(ILogger logger, uint nodeId, uint peerNodeId, string reason);
}
