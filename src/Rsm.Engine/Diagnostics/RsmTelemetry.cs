using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Runtime.CompilerServices;
using Rsm.Engine;

namespace Rsm.Diagnostics;

/// <summary>
/// What every part of Rsm shares for its telemetry: the activity source, the process-wide meter used when no
/// <see cref="IMeterFactory"/> is at hand, the attribute names, and the value of <c>error.type</c>.
/// </summary>
internal static class RsmTelemetry
{
    /// <summary>Attribute naming the provider (Loopback, SharedMemory, Tcp, ...).</summary>
    public const string ProviderTag = "rsm.provider";

    /// <summary>Attribute naming the controller.</summary>
    public const string ControllerTag = "rsm.controller";

    /// <summary>Attribute naming the operation an <see cref="RsmMetrics.OperationDuration"/> measurement or an activity stands for.</summary>
    public const string OperationTag = "rsm.operation";

    /// <summary>Attribute telling which way the bytes of <see cref="RsmMetrics.Io"/> went: <see cref="DirectionGet"/> or <see cref="DirectionPut"/>.</summary>
    public const string DirectionTag = "rsm.io.direction";

    /// <summary>The direction of bytes copied out of an import segment.</summary>
    public const string DirectionGet = "get";

    /// <summary>The direction of bytes copied into an import segment.</summary>
    public const string DirectionPut = "put";

    /// <summary>The OpenTelemetry attribute of a failure's class.</summary>
    public const string ErrorTypeTag = "error.type";

    /// <summary>Activity tag: the node id of the segment an activity works on.</summary>
    public const string NodeIdTag = "rsm.node.id";

    /// <summary>Activity tag: the segment id an activity works on.</summary>
    public const string SegmentIdTag = "rsm.segment.id";

    private static readonly string? s_version = typeof(RsmTelemetry).Assembly.GetName().Version?.ToString();

    /// <summary>The activity source of every Rsm activity.</summary>
    public static readonly ActivitySource ActivitySource = new(RsmInstrumentation.ActivitySourceName, s_version);

    private static readonly Lazy<Meter> s_sharedMeter = new(() => new Meter(RsmInstrumentation.MeterName, s_version), LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>The meter of providers built without an <see cref="IMeterFactory"/>: one for the whole process.</summary>
    public static Meter SharedMeter => s_sharedMeter.Value;

    /// <summary>The Rsm meter of <paramref name="meterFactory"/> (the factory hands out the same meter for the same name), or <see cref="SharedMeter"/> without one.</summary>
    public static Meter CreateMeter(IMeterFactory? meterFactory) =>
        meterFactory?.Create(new MeterOptions(RsmInstrumentation.MeterName) { Version = s_version }) ?? SharedMeter;

    /// <summary>
    /// The <c>error.type</c> of a failure: the <see cref="RsmError"/> name of an <see cref="RsmException"/> (for example
    /// <c>PermissionDenied</c>), else the exception's full type name.
    /// </summary>
    public static string ErrorType(Exception exception) =>
        exception is RsmException rsm ? ErrorName(rsm.Error) : exception.GetType().FullName ?? exception.GetType().Name;

    /// <summary>The name of <paramref name="error"/> as <c>error.type</c> carries it.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static string ErrorName(RsmError error) => error.ToString();
}

/// <summary>
/// The instruments of the engine on one meter. Instances are kept per meter, so controllers of every provider that share
/// a meter (one <see cref="IMeterFactory"/>) share the instruments too.
/// </summary>
internal sealed class RsmMetrics
{
    // Operation durations range from microseconds (in process) to the seconds of a connect that waits for a peer.
    private static readonly double[] s_operationBuckets =
        [0.00001, 0.000025, 0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

    private static readonly ConditionalWeakTable<Meter, RsmMetrics> s_byMeter = new();

    private readonly List<WeakReference<RsmEngineController>> _tracked = [];

    private RsmMetrics(Meter meter)
    {
        Meter = meter;
        // Observed, not added to: a listener that starts late (a tool attaching to a running process) sees the counts as they are.
        ExportSegments = meter.CreateObservableUpDownCounter(
            "rsm.export.count", () => Observe(static c => c.ExportedSegmentCount), unit: "{segment}", description: "Export segments that exist: created and not yet destroyed.");
        ImportSegments = meter.CreateObservableUpDownCounter(
            "rsm.import.count", () => Observe(static c => c.ImportedSegmentCount), unit: "{segment}", description: "Import segments that are connected.");
        Io = meter.CreateCounter<long>(
            "rsm.io", unit: "By", description: "Bytes copied into (put) or out of (get) import segments by the put and get calls, their sized forms and putv/getv.");
        OperationDuration = meter.CreateHistogram<double>(
            "rsm.operation.duration",
            unit: "s",
            description: "Duration of control operations (create, publish, republish, unpublish, rebind, destroy, connect, disconnect, map, unmap), failed ones with error.type.",
            tags: null,
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = s_operationBuckets });
        BarrierFailures = meter.CreateCounter<long>(
            "rsm.barrier.failures", unit: "{failure}", description: "Barrier orders and closes that failed, by error.type (BarrierFailure, ConnectionAborted, ...).");
        ForcedDisconnects = meter.CreateCounter<long>(
            "rsm.import.forced_disconnects", unit: "{import}", description: "Import segments aborted by the exporter's unpublish, destroy or exit.");
    }

    public Meter Meter { get; }

    public ObservableUpDownCounter<long> ExportSegments { get; }

    public ObservableUpDownCounter<long> ImportSegments { get; }

    public Counter<long> Io { get; }

    public Histogram<double> OperationDuration { get; }

    public Counter<long> BarrierFailures { get; }

    public Counter<long> ForcedDisconnects { get; }

    /// <summary>The engine's instruments on <paramref name="meter"/>, created the first time.</summary>
    public static RsmMetrics For(Meter meter) => s_byMeter.GetValue(meter, static m => new RsmMetrics(m));

    /// <summary>Adds <paramref name="controller"/> to those the observed counts report, for as long as it is reachable.</summary>
    public void Track(RsmEngineController controller)
    {
        lock (_tracked)
        {
            _tracked.RemoveAll(static w => !w.TryGetTarget(out _));
            _tracked.Add(new WeakReference<RsmEngineController>(controller));
        }
    }

    /// <summary>
    /// One measurement per controller name: the sum of the controllers of that name and provider that are open or still
    /// hold segments (a controller reopened after its last release, while segments of the old one live, is one series).
    /// </summary>
    private List<Measurement<long>> Observe(Func<RsmEngineController, long> count)
    {
        var sums = new Dictionary<(string Provider, string Controller), long>();
        lock (_tracked)
        {
            foreach (WeakReference<RsmEngineController> reference in _tracked)
            {
                if (reference.TryGetTarget(out RsmEngineController? controller))
                {
                    long value = count(controller);
                    if (value != 0 || controller.IsOpen)
                    {
                        (string, string) key = (controller.ProviderName, controller.Name);
                        sums[key] = sums.GetValueOrDefault(key) + value;
                    }
                }
            }
        }

        return [.. sums.Select(static s => new Measurement<long>(
            s.Value,
            new KeyValuePair<string, object?>(RsmTelemetry.ProviderTag, s.Key.Provider),
            new KeyValuePair<string, object?>(RsmTelemetry.ControllerTag, s.Key.Controller)))];
    }
}
