using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Runtime.CompilerServices;
using Rsm.Diagnostics;

namespace Rsm.Engine;

public sealed partial class RsmEngineController
{
    private readonly RsmMetrics _metrics;

    // Built once: a transfer adds its bytes with one of these, without allocating.
    private readonly KeyValuePair<string, object?>[] _getTags;
    private readonly KeyValuePair<string, object?>[] _putTags;

    internal KeyValuePair<string, object?> ProviderTag => new(RsmTelemetry.ProviderTag, ProviderName);

    internal KeyValuePair<string, object?> ControllerTag => new(RsmTelemetry.ControllerTag, Name);

    /// <summary>The engine instruments this controller records on (those of its provider's meter).</summary>
    internal RsmMetrics Metrics => _metrics;

    /// <summary>
    /// Starts timing a control operation, with an activity when somebody listens. The caller ends it once with
    /// <see cref="RsmOperation.Complete"/> or <see cref="RsmOperation.Fail"/>, outside any lock of the engine.
    /// </summary>
    internal RsmOperation StartOperation(RsmOperationKind kind)
    {
        Activity? activity = null;
        if (RsmTelemetry.ActivitySource.HasListeners())
        {
            // Tags given at creation are visible to samplers and to listeners' ActivityStarted.
            activity = RsmTelemetry.ActivitySource.StartActivity(
                ActivityKind.Internal,
                tags: [ProviderTag, ControllerTag, new(RsmTelemetry.OperationTag, kind.Name)],
                name: kind.ActivityName);
        }

        return new RsmOperation(this, kind, activity, Stopwatch.GetTimestamp());
    }

    internal void RecordOperation(RsmOperationKind kind, long startTimestamp, string? errorType)
    {
        Histogram<double> duration = _metrics.OperationDuration;
        if (duration.Enabled)
        {
            var tags = new TagList { ProviderTag, ControllerTag, { RsmTelemetry.OperationTag, kind.Name } };
            if (errorType is not null)
            {
                tags.Add(RsmTelemetry.ErrorTypeTag, errorType);
            }

            duration.Record(Stopwatch.GetElapsedTime(startTimestamp).TotalSeconds, tags);
        }
    }

    /// <summary>Counts the bytes of a put or a get: one check of the instrument and, when it is listened to, one add.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal void CountBytes(nuint bytes, bool isPut)
    {
        Counter<long> io = _metrics.Io;
        if (io.Enabled && bytes != 0)
        {
            io.Add((long)bytes, isPut ? _putTags : _getTags);
        }
    }

    internal void OnExported(nuint length)
    {
        CountExport(1);
        RsmLog.SegmentExported(_logger, length, Name);
    }

    internal void OnExportDestroyed(nuint length)
    {
        CountExport(-1);
        RsmLog.SegmentDestroyed(_logger, length);
    }

    internal void OnPublished(uint segmentId, int accessListLength) => RsmLog.SegmentPublished(_logger, segmentId, accessListLength);

    internal void OnUnpublished(uint segmentId, int importersAborted) => RsmLog.SegmentUnpublished(_logger, segmentId, importersAborted);

    internal void OnImportConnected(ImportSegment import)
    {
        CountImport(1);
        RsmLog.ImportConnected(_logger, import.NodeId, import.SegmentId, import.Permission);
    }

    internal void OnImportDisconnected(ImportSegment import)
    {
        CountImport(-1);
        RsmLog.ImportDisconnected(_logger, import.NodeId, import.SegmentId);
    }

    internal void OnForcedDisconnect(ImportSegment import)
    {
        _metrics.ForcedDisconnects.Add(1, ProviderTag, ControllerTag);
        CountForcedDisconnect(import);
        RsmLog.ForcedDisconnect(_logger, import.NodeId, import.SegmentId);
    }

    internal void OnBarrierFailure(ImportSegment import, RsmError error)
    {
        Counter<long> failures = _metrics.BarrierFailures;
        if (failures.Enabled)
        {
            failures.Add(1, ProviderTag, ControllerTag, new(RsmTelemetry.ErrorTypeTag, RsmTelemetry.ErrorName(error)));
        }

        CountBarrierFailure(import, error);
        RsmLog.BarrierFailure(_logger, import.SegmentId, error);
    }

    private void OnOpened() => RsmLog.ControllerOpened(_logger, Name, ProviderName, LocalNodeId);

    private void OnClosed() => RsmLog.ControllerClosed(_logger, Name);
}

/// <summary>A control operation the engine times: its <c>rsm.operation</c> value and its activity's name.</summary>
internal sealed class RsmOperationKind
{
    public static readonly RsmOperationKind Create = new("create");
    public static readonly RsmOperationKind Publish = new("publish");
    public static readonly RsmOperationKind Republish = new("republish");
    public static readonly RsmOperationKind Unpublish = new("unpublish");
    public static readonly RsmOperationKind Rebind = new("rebind");
    public static readonly RsmOperationKind Destroy = new("destroy");
    public static readonly RsmOperationKind Connect = new("connect");
    public static readonly RsmOperationKind Disconnect = new("disconnect");
    public static readonly RsmOperationKind Map = new("map");
    public static readonly RsmOperationKind Unmap = new("unmap");

    private RsmOperationKind(string name)
    {
        Name = name;
        ActivityName = "rsm." + name;
    }

    /// <summary>The value of the <c>rsm.operation</c> attribute.</summary>
    public string Name { get; }

    /// <summary>The operation name of its activity: <c>rsm.</c> and <see cref="Name"/>.</summary>
    public string ActivityName { get; }
}

/// <summary>
/// One control operation in progress: its start and its activity, if any. Ended once, by <see cref="Complete"/> or by
/// <see cref="Fail"/>; the default value (no controller) ends as nothing.
/// </summary>
internal readonly struct RsmOperation
{
    private readonly RsmEngineController? _controller;
    private readonly RsmOperationKind _kind;
    private readonly long _started;

    public RsmOperation(RsmEngineController controller, RsmOperationKind kind, Activity? activity, long started)
    {
        _controller = controller;
        _kind = kind;
        Activity = activity;
        _started = started;
    }

    /// <summary>The operation's activity, null when nobody listens or the sampler dropped it.</summary>
    public Activity? Activity { get; }

    /// <summary>Records the operation's success: its duration, and the end of its activity.</summary>
    public void Complete()
    {
        _controller?.RecordOperation(_kind, _started, errorType: null);
        Activity?.Dispose();
    }

    /// <summary>
    /// Records the operation's failure: its duration with <c>error.type</c>, and its activity marked as an error with
    /// the same <c>error.type</c>, the message and the exception.
    /// </summary>
    /// <param name="exception">Why it failed.</param>
    public void Fail(Exception exception)
    {
        string errorType = RsmTelemetry.ErrorType(exception);
        _controller?.RecordOperation(_kind, _started, errorType);
        if (Activity is { } activity)
        {
            activity.SetStatus(ActivityStatusCode.Error, exception.Message);
            activity.SetTag(RsmTelemetry.ErrorTypeTag, errorType);
            activity.AddException(exception);
            activity.Dispose();
        }
    }
}
