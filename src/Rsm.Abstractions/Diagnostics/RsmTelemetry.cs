using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Rsm.Diagnostics;

/// <summary>The <c>Rsm</c> meter and activity source and their instruments; every instrument is tagged with provider and controller.</summary>
internal static class RsmTelemetry
{
    public const string Name = "Rsm";

    public static readonly Meter Meter = new(Name);

    public static readonly ActivitySource ActivitySource = new(Name);

    public static readonly UpDownCounter<long> SegmentsExported = Meter.CreateUpDownCounter<long>("rsm.segments.exported", "{segment}", "Export segments that exist now.");

    public static readonly UpDownCounter<long> SegmentsImported = Meter.CreateUpDownCounter<long>("rsm.segments.imported", "{segment}", "Import segments that are connected now.");

    public static readonly Counter<long> Connections = Meter.CreateCounter<long>("rsm.connections", "{connection}", "Successful connects.");

    public static readonly Counter<long> BytesGot = Meter.CreateCounter<long>("rsm.bytes.got", "By", "Bytes read from import segments by get, sized get and getv.");

    public static readonly Counter<long> BytesPut = Meter.CreateCounter<long>("rsm.bytes.put", "By", "Bytes written to import segments by put, sized put and putv.");

    public static readonly Counter<long> BarrierFailures = Meter.CreateCounter<long>("rsm.barrier.failures", "{failure}", "Close barriers that reported a failure.");

    public static readonly Counter<long> ForcedDisconnects = Meter.CreateCounter<long>("rsm.forced_disconnects", "{import}", "Imports aborted by unpublish, destroy or the exporter's death.");

    public static readonly Histogram<double> OperationDuration = Meter.CreateHistogram<double>("rsm.operation.duration", "s", "Duration of control-plane operations (connect, publish).");
}
