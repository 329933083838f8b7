using Rsm.Diagnostics;

namespace Rsm.Engine;

public sealed partial class RsmEngineController
{
    private KeyValuePair<string, object?> ProviderTag => new("rsm.provider", ProviderName);

    private KeyValuePair<string, object?> ControllerTag => new("rsm.controller", Name);

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
        RsmLog.SegmentExported(_logger, length, Name);
    }

    internal void OnExportDestroyed(nuint length)
    {
        RsmTelemetry.SegmentsExported.Add(-1, ProviderTag, ControllerTag);
        RsmLog.SegmentDestroyed(_logger, length);
    }

    internal void OnPublished(uint segmentId, int accessListLength) => RsmLog.SegmentPublished(_logger, segmentId, accessListLength);

    internal void OnUnpublished(uint segmentId, int importersAborted) => RsmLog.SegmentUnpublished(_logger, segmentId, importersAborted);

    internal void OnImportConnected(ImportSegment import)
    {
        RsmTelemetry.Connections.Add(1, ProviderTag, ControllerTag);
        RsmTelemetry.SegmentsImported.Add(1, ProviderTag, ControllerTag);
        RsmLog.ImportConnected(_logger, import.NodeId, import.SegmentId, import.Permission);
    }

    internal void OnImportDisconnected(ImportSegment import)
    {
        RsmTelemetry.SegmentsImported.Add(-1, ProviderTag, ControllerTag);
        RsmLog.ImportDisconnected(_logger, import.NodeId, import.SegmentId);
    }

    internal void OnForcedDisconnect(ImportSegment import)
    {
        RsmTelemetry.ForcedDisconnects.Add(1, ProviderTag, ControllerTag);
        RsmLog.ForcedDisconnect(_logger, import.NodeId, import.SegmentId);
    }

    internal void OnBarrierFailure(ImportSegment import, RsmError error)
    {
        RsmTelemetry.BarrierFailures.Add(1, ProviderTag, ControllerTag);
        RsmLog.BarrierFailure(_logger, import.SegmentId, error);
    }

    private void OnOpened() => RsmLog.ControllerOpened(_logger, Name, ProviderName, LocalNodeId);

    private void OnClosed() => RsmLog.ControllerClosed(_logger, Name);
}
