using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Rsm.Diagnostics;

/// <summary>
/// The one <see cref="System.Diagnostics.Metrics.Meter"/> and <see cref="System.Diagnostics.ActivitySource"/> of Rsm, both named <c>Rsm</c>,
/// and their instruments. Measurements carry the tags <see cref="ProviderTag"/> and <see cref="ControllerTag"/>.
/// </summary>
internal static class RsmTelemetry
{
    /// <summary>The name of the meter and the activity source.</summary>
    public const string Name = "Rsm";

    /// <summary>Tag naming the provider (Loopback, SharedMemory, Tcp).</summary>
    public const string ProviderTag = "rsm.provider";

    /// <summary>Tag naming the controller.</summary>
    public const string ControllerTag = "rsm.controller";

    /// <summary>Tag naming the operation timed by <see cref="OperationDuration"/>.</summary>
    public const string OperationTag = "rsm.operation";

    public static readonly Meter Meter = new(Name);

    public static readonly ActivitySource ActivitySource = new(Name);

    public static readonly UpDownCounter<long> SegmentsExported = Meter.CreateUpDownCounter<long>(
        "rsm.segments.exported", unit: "{segment}", description: "Export segments that currently exist (created and not yet destroyed).");

    public static readonly UpDownCounter<long> SegmentsImported = Meter.CreateUpDownCounter<long>(
        "rsm.segments.imported", unit: "{segment}", description: "Import segments that are currently connected.");

    public static readonly Counter<long> Connections = Meter.CreateCounter<long>(
        "rsm.connections", unit: "{connection}", description: "Successful connects to published segments.");

    public static readonly Counter<long> BytesGot = Meter.CreateCounter<long>(
        "rsm.bytes.got", unit: "By", description: "Bytes copied out of import segments by get, its sized forms and getv.");

    public static readonly Counter<long> BytesPut = Meter.CreateCounter<long>(
        "rsm.bytes.put", unit: "By", description: "Bytes copied into import segments by put, its sized forms and putv.");

    public static readonly Counter<long> BarrierFailures = Meter.CreateCounter<long>(
        "rsm.barrier.failures", unit: "{failure}", description: "Barriers closed with BarrierFailure (38) or ConnectionAborted (40).");

    public static readonly Counter<long> ForcedDisconnects = Meter.CreateCounter<long>(
        "rsm.forced_disconnects", unit: "{import}", description: "Importers aborted by unpublish, destroy or the exporter's exit.");

    public static readonly Histogram<double> OperationDuration = Meter.CreateHistogram<double>(
        "rsm.operation.duration", unit: "s", description: "Duration of control operations (create, publish, connect, map, barrier close, ...).");
}
