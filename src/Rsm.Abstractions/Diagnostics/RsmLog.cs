using Microsoft.Extensions.Logging;

namespace Rsm.Diagnostics;

/// <summary>Log messages of the engine, with stable event ids.</summary>
internal static partial class RsmLog
{
    [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "Controller '{Controller}' opened: provider {Provider}, node {NodeId}")]
    public static partial void ControllerOpened(ILogger logger, string controller, string provider, uint nodeId);

    [LoggerMessage(EventId = 2, Level = LogLevel.Information, Message = "Controller '{Controller}' closed: its last reference was released")]
    public static partial void ControllerClosed(ILogger logger, string controller);

    [LoggerMessage(EventId = 3, Level = LogLevel.Debug, Message = "Export segment of {Length} bytes created on controller '{Controller}'")]
    public static partial void SegmentExported(ILogger logger, ulong length, string controller);

    [LoggerMessage(EventId = 4, Level = LogLevel.Debug, Message = "Segment 0x{SegmentId:x} published with {AccessListLength} access entries")]
    public static partial void SegmentPublished(ILogger logger, uint segmentId, int accessListLength);

    [LoggerMessage(EventId = 5, Level = LogLevel.Debug, Message = "Segment 0x{SegmentId:x} unpublished; {ImportersAborted} importers aborted")]
    public static partial void SegmentUnpublished(ILogger logger, uint segmentId, int importersAborted);

    [LoggerMessage(EventId = 6, Level = LogLevel.Debug, Message = "Export segment of {Length} bytes destroyed")]
    public static partial void SegmentDestroyed(ILogger logger, ulong length);

    [LoggerMessage(EventId = 7, Level = LogLevel.Debug, Message = "Connected to segment 0x{SegmentId:x} on node {NodeId} with permission {Permission}")]
    public static partial void ImportConnected(ILogger logger, uint nodeId, uint segmentId, RsmPermissions permission);

    [LoggerMessage(EventId = 8, Level = LogLevel.Debug, Message = "Disconnected from segment 0x{SegmentId:x} on node {NodeId}")]
    public static partial void ImportDisconnected(ILogger logger, uint nodeId, uint segmentId);

    [LoggerMessage(EventId = 9, Level = LogLevel.Information, Message = "Import of segment 0x{SegmentId:x} on node {NodeId} was forcibly disconnected")]
    public static partial void ForcedDisconnect(ILogger logger, uint nodeId, uint segmentId);

    [LoggerMessage(EventId = 10, Level = LogLevel.Warning, Message = "Barrier on segment 0x{SegmentId:x} failed with {Error}")]
    public static partial void BarrierFailure(ILogger logger, uint segmentId, RsmError error);

    [LoggerMessage(EventId = 11, Level = LogLevel.Error, Message = "Invalid configuration at {Path}: {Message}")]
    public static partial void InvalidConfiguration(ILogger logger, string path, string message);
}
