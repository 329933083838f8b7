using System.Globalization;

namespace Rsm.Engine;

public sealed partial class RsmEngineController
{
    private long _exportedSegments;
    private long _importedSegments;
    private long _connects;
    private long _forcedDisconnects;
    private long _barrierFailures;
    private Failure? _lastFailure;

    /// <summary>The export segments of this controller that exist now (<c>rsm.export.count</c>).</summary>
    internal long ExportedSegmentCount => Interlocked.Read(ref _exportedSegments);

    /// <summary>The import segments of this controller that are connected now (<c>rsm.import.count</c>).</summary>
    internal long ImportedSegmentCount => Interlocked.Read(ref _importedSegments);

    /// <summary>Whether a reference is left (the controller is open).</summary>
    internal bool IsOpen
    {
        get
        {
            lock (_referenceGate)
            {
                return _references > 0;
            }
        }
    }

    /// <summary>
    /// The controller's health: its transport's report (<see cref="RsmTransport.CheckHealth"/>) with the controller's own
    /// facts added (provider, node, segments exported and imported, connects, forced disconnects, barrier failures, and
    /// the last failure it saw). A transport whose check throws is reported Unhealthy.
    /// </summary>
    /// <returns>The report.</returns>
    public RsmTransportHealth CheckHealth()
    {
        RsmTransportHealth transport;
        try
        {
            transport = Transport.CheckHealth();
        }
#pragma warning disable CA1031 // A health check reports what went wrong instead of throwing it.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            transport = new RsmTransportHealth(RsmHealthStatus.Unhealthy, $"the {ProviderName} transport's health check failed: {ex.Message}", failure: ex);
        }

        var data = new Dictionary<string, object>(StringComparer.Ordinal)
        {
            ["provider"] = ProviderName,
            ["node"] = LocalNodeId,
            ["segments.exported"] = Interlocked.Read(ref _exportedSegments),
            ["segments.imported"] = Interlocked.Read(ref _importedSegments),
            ["connects"] = Interlocked.Read(ref _connects),
            ["forced_disconnects"] = Interlocked.Read(ref _forcedDisconnects),
            ["barrier_failures"] = Interlocked.Read(ref _barrierFailures),
        };
        if (Volatile.Read(ref _lastFailure) is { } last)
        {
            data["last_failure"] = last.Text;
            data["last_failure.time"] = last.Time.ToString("O", CultureInfo.InvariantCulture);
        }

        foreach ((string key, object value) in transport.Data)
        {
            data[key] = value;
        }

        return new RsmTransportHealth(transport.Status, transport.Description, data, transport.Failure);
    }

    private void CountExport(int change) => Interlocked.Add(ref _exportedSegments, change);

    private void CountImport(int change)
    {
        if (change > 0)
        {
            Interlocked.Increment(ref _connects);
        }

        Interlocked.Add(ref _importedSegments, change);
    }

    private void CountForcedDisconnect(ImportSegment import)
    {
        Interlocked.Increment(ref _forcedDisconnects);
        Volatile.Write(ref _lastFailure, new Failure($"import of segment {import.SegmentId} on node {import.NodeId} was forcibly disconnected", DateTimeOffset.UtcNow));
    }

    private void CountBarrierFailure(ImportSegment import, RsmError error)
    {
        Interlocked.Increment(ref _barrierFailures);
        Volatile.Write(ref _lastFailure, new Failure($"barrier on segment {import.SegmentId} of node {import.NodeId} failed with {error} ({(int)error})", DateTimeOffset.UtcNow));
    }

    private sealed record Failure(string Text, DateTimeOffset Time);
}
