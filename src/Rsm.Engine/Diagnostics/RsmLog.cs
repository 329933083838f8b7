using Microsoft.Extensions.Logging;

namespace Rsm.Diagnostics;

/// <summary>
/// Log messages of Rsm. Event ids are stable: 1-11 are assigned below, 12-20 are reserved for later messages of the same areas.
/// </summary>
internal static partial class RsmLog
{
    [LoggerMessage(EventId = 1, EventName = nameof(ControllerOpened), Level = LogLevel.Information,
        Message = "Controller {ControllerName} opened on provider {ProviderName} as node {NodeId}")]
    public static partial void ControllerOpened(ILogger logger, string controllerName, string providerName, uint nodeId);

    [LoggerMessage(EventId = 2, EventName = nameof(ControllerClosed), Level = LogLevel.Information,
        Message = "Controller {ControllerName} closed: its last reference was released")]
    public static partial void ControllerClosed(ILogger logger, string controllerName);

    [LoggerMessage(EventId = 3, EventName = nameof(SegmentExported), Level = LogLevel.Debug,
        Message = "Export segment of {Length} bytes created on controller {ControllerName}")]
    public static partial void SegmentExported(ILogger logger, nuint length, string controllerName);

    [LoggerMessage(EventId = 4, EventName = nameof(SegmentPublished), Level = LogLevel.Information,
        Message = "Segment {SegmentId} published with {AccessListLength} access-list entries")]
    public static partial void SegmentPublished(ILogger logger, uint segmentId, int accessListLength);

    [LoggerMessage(EventId = 5, EventName = nameof(SegmentUnpublished), Level = LogLevel.Information,
        Message = "Segment {SegmentId} unpublished; {ImportersAborted} importers aborted")]
    public static partial void SegmentUnpublished(ILogger logger, uint segmentId, int importersAborted);

    [LoggerMessage(EventId = 6, EventName = nameof(SegmentDestroyed), Level = LogLevel.Debug,
        Message = "Export segment of {Length} bytes destroyed")]
    public static partial void SegmentDestroyed(ILogger logger, nuint length);

    [LoggerMessage(EventId = 7, EventName = nameof(ImportConnected), Level = LogLevel.Debug,
        Message = "Connected to segment {SegmentId} on node {NodeId} with permission {Permission}")]
    public static partial void ImportConnected(ILogger logger, uint nodeId, uint segmentId, RsmPermissions permission);

    [LoggerMessage(EventId = 8, EventName = nameof(ImportDisconnected), Level = LogLevel.Debug,
        Message = "Disconnected from segment {SegmentId} on node {NodeId}")]
    public static partial void ImportDisconnected(ILogger logger, uint nodeId, uint segmentId);

    [LoggerMessage(EventId = 9, EventName = nameof(ForcedDisconnect), Level = LogLevel.Warning,
        Message = "Import of segment {SegmentId} on node {NodeId} was forcibly disconnected")]
    public static partial void ForcedDisconnect(ILogger logger, uint nodeId, uint segmentId);

    [LoggerMessage(EventId = 10, EventName = nameof(BarrierFailure), Level = LogLevel.Warning,
        Message = "Barrier on segment {SegmentId} failed with {Error}")]
    public static partial void BarrierFailure(ILogger logger, uint segmentId, RsmError error);

    [LoggerMessage(EventId = 11, EventName = nameof(InvalidConfiguration), Level = LogLevel.Error,
        Message = "Invalid Rsm configuration at {ConfigurationPath}: {Detail}")]
    public static partial void InvalidConfiguration(ILogger logger, string configurationPath, string detail);

    [LoggerMessage(EventId = 12, EventName = nameof(ControllerStartedWithHost), Level = LogLevel.Information,
        Message = "Controller {Controller} ({Provider}, node {NodeId}) opened with the host")]
    public static partial void ControllerStartedWithHost(ILogger logger, string controller, string provider, uint nodeId);

    [LoggerMessage(EventId = 13, EventName = nameof(ControllerStopTimedOut), Level = LogLevel.Warning,
        Message = "Controller {Controller} did not close within {StopTimeout} of the host's stop; it finishes on its own")]
    public static partial void ControllerStopTimedOut(ILogger logger, string controller, TimeSpan stopTimeout);

    [LoggerMessage(EventId = 14, EventName = nameof(ControllerStopFailed), Level = LogLevel.Warning,
        Message = "Controller {Controller} failed to close at the host's stop: {Detail}")]
    public static partial void ControllerStopFailed(ILogger logger, string controller, string detail);
}
