using System.Diagnostics;
using System.Runtime.CompilerServices;
using Rsm.Diagnostics;

namespace Rsm.Engine;

public sealed partial class RsmEngineController
{
    private KeyValuePair<string, object?> ProviderTag => new(RsmTelemetry.ProviderTag, ProviderName);

    private KeyValuePair<string, object?> ControllerTag => new(RsmTelemetry.ControllerTag, Name);

    /// <summary>Starts an activity for a control-plane operation (null when nobody listens).</summary>
    internal Activity? StartOperation(string operation)
    {
        if (!RsmTelemetry.ActivitySource.HasListeners())
        {
            return null;
        }

        // Tags given at creation are visible to samplers and to listeners' ActivityStarted.
        return RsmTelemetry.ActivitySource.StartActivity(ActivityKind.Internal, tags: [ProviderTag, ControllerTag], name: operation);
    }

    /// <summary>Records the duration of a control-plane operation started at <paramref name="startTimestamp"/>.</summary>
    internal void RecordDuration(string operation, long startTimestamp)
    {
        if (RsmTelemetry.OperationDuration.Enabled)
        {
            RsmTelemetry.OperationDuration.Record(
                Stopwatch.GetElapsedTime(startTimestamp).TotalSeconds,
                ProviderTag,
                ControllerTag,
                new KeyValuePair<string, object?>(RsmTelemetry.OperationTag, operation));
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal void CountBytes(nuint bytes, bool isPut)
    {
        if (bytes == 0)
        {
            return;
        }

        if (isPut ? RsmTelemetry.BytesPut.Enabled : RsmTelemetry.BytesGot.Enabled)
        {
            (isPut ? RsmTelemetry.BytesPut : RsmTelemetry.BytesGot).Add((long)bytes, ProviderTag, ControllerTag);
        }
    }

    internal void OnExported(nuint length)
    {
        RsmTelemetry.SegmentsExported.Add(1, ProviderTag, ControllerTag);
        CountExport(1);
        RsmLog.SegmentExported(_logger, length, Name);
    }

    internal void OnExportDestroyed(nuint length)
    {
        RsmTelemetry.SegmentsExported.Add(-1, ProviderTag, ControllerTag);
        CountExport(-1);
        RsmLog.SegmentDestroyed(_logger, length);
    }

    internal void OnPublished(uint segmentId, int accessListLength) => RsmLog.SegmentPublished(_logger, segmentId, accessListLength);

    internal void OnUnpublished(uint segmentId, int importersAborted) => RsmLog.SegmentUnpublished(_logger, segmentId, importersAborted);

    internal void OnImportConnected(ImportSegment import)
    {
        RsmTelemetry.Connections.Add(1, ProviderTag, ControllerTag);
        RsmTelemetry.SegmentsImported.Add(1, ProviderTag, ControllerTag);
        CountImport(1);
        RsmLog.ImportConnected(_logger, import.NodeId, import.SegmentId, import.Permission);
    }

    internal void OnImportDisconnected(ImportSegment import)
    {
        RsmTelemetry.SegmentsImported.Add(-1, ProviderTag, ControllerTag);
        CountImport(-1);
        RsmLog.ImportDisconnected(_logger, import.NodeId, import.SegmentId);
    }

    internal void OnForcedDisconnect(ImportSegment import)
    {
        RsmTelemetry.ForcedDisconnects.Add(1, ProviderTag, ControllerTag);
        CountForcedDisconnect(import);
        RsmLog.ForcedDisconnect(_logger, import.NodeId, import.SegmentId);
    }

    internal void OnBarrierFailure(ImportSegment import, RsmError error)
    {
        RsmTelemetry.BarrierFailures.Add(1, ProviderTag, ControllerTag);
        CountBarrierFailure(import, error);
        RsmLog.BarrierFailure(_logger, import.SegmentId, error);
    }

    private void OnOpened() => RsmLog.ControllerOpened(_logger, Name, ProviderName, LocalNodeId);

    private void OnClosed() => RsmLog.ControllerClosed(_logger, Name);
}
