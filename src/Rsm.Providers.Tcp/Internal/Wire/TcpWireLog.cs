using System.Net;
using Microsoft.Extensions.Logging;

namespace Rsm.Providers.Tcp.Internal.Wire;

/// <summary>Log messages of the Tcp wire layer. Event ids 110-119 are assigned below.</summary>
internal static partial class TcpWireLog
{
    [LoggerMessage(EventId = 110, EventName = nameof(HandshakeFailed), Level = LogLevel.Warning,
        Message = "Node {LocalNodeId}: handshake with {RemoteEndPoint} failed: {Reason}")]
    public static partial void HandshakeFailed(ILogger logger, uint localNodeId, EndPoint? remoteEndPoint, string reason);

    [LoggerMessage(EventId = 111, EventName = nameof(ConnectionEstablished), Level = LogLevel.Debug,
        Message = "Node {LocalNodeId}: authenticated connection with node {PeerNodeId} at {RemoteEndPoint} ({Role})")]
    public static partial void ConnectionEstablished(ILogger logger, uint localNodeId, uint peerNodeId, EndPoint? remoteEndPoint, string role);

    [LoggerMessage(EventId = 112, EventName = nameof(ConnectionClosed), Level = LogLevel.Debug,
        Message = "Node {LocalNodeId}: connection with node {PeerNodeId} closed ({CloseReason})")]
    public static partial void ConnectionClosed(ILogger logger, uint localNodeId, uint peerNodeId, ConnectionCloseReason closeReason);

    [LoggerMessage(EventId = 113, EventName = nameof(ConnectionDropped), Level = LogLevel.Warning,
        Message = "Node {LocalNodeId}: connection with node {PeerNodeId} at {RemoteEndPoint} dropped ({CloseReason}): {Detail}")]
    public static partial void ConnectionDropped(ILogger logger, uint localNodeId, uint peerNodeId, EndPoint? remoteEndPoint, ConnectionCloseReason closeReason, string detail);

    [LoggerMessage(EventId = 114, EventName = nameof(ListenerStarted), Level = LogLevel.Information,
        Message = "Node {LocalNodeId} listens on {LocalEndPoint}")]
    public static partial void ListenerStarted(ILogger logger, uint localNodeId, EndPoint? localEndPoint);

    [LoggerMessage(EventId = 115, EventName = nameof(AcceptFailed), Level = LogLevel.Warning,
        Message = "Node {LocalNodeId}: accepting a connection on {LocalEndPoint} failed")]
    public static partial void AcceptFailed(ILogger logger, Exception exception, uint localNodeId, EndPoint? localEndPoint);

    [LoggerMessage(EventId = 116, EventName = nameof(TooManyHandshakes), Level = LogLevel.Warning,
        Message = "Node {LocalNodeId}: {Pending} handshakes are pending on {LocalEndPoint}; the handshake of {RemoteEndPoint} was dropped to make room for a new connection")]
    public static partial void TooManyHandshakes(ILogger logger, uint localNodeId, int pending, EndPoint? localEndPoint, EndPoint? remoteEndPoint);

    [LoggerMessage(EventId = 117, EventName = nameof(AcceptedHandlerFailed), Level = LogLevel.Error,
        Message = "Node {LocalNodeId}: the handler of a new connection with node {PeerNodeId} failed; the connection was closed")]
    public static partial void AcceptedHandlerFailed(ILogger logger, Exception exception, uint localNodeId, uint peerNodeId);

    [LoggerMessage(EventId = 118, EventName = nameof(ClosedHandlerFailed), Level = LogLevel.Error,
        Message = "Node {LocalNodeId}: the closed callback of the connection with node {PeerNodeId} failed")]
    public static partial void ClosedHandlerFailed(ILogger logger, Exception exception, uint localNodeId, uint peerNodeId);

    [LoggerMessage(EventId = 119, EventName = nameof(RefusalsSuppressed), Level = LogLevel.Warning,
        Message = "Node {LocalNodeId}: {Suppressed} more {Kind} on {LocalEndPoint} were not logged in the last {IntervalSeconds} s")]
    public static partial void RefusalsSuppressed(ILogger logger, uint localNodeId, long suppressed, string kind, EndPoint? localEndPoint, double intervalSeconds);
}
