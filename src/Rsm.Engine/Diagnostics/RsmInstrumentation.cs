namespace Rsm.Diagnostics;

/// <summary>
/// The names under which Rsm publishes its telemetry. Every instrument of the engine and of the providers (the Tcp
/// provider's <c>rsm.tcp.*</c> ones included) belongs to one meter named <see cref="MeterName"/>, and every activity to
/// one activity source named <see cref="ActivitySourceName"/>. With OpenTelemetry:
/// <c>.WithMetrics(m =&gt; m.AddMeter(RsmInstrumentation.MeterName)).WithTracing(t =&gt; t.AddSource(RsmInstrumentation.ActivitySourceName))</c>;
/// with the .NET tools: <c>dotnet-counters monitor -p &lt;pid&gt; --counters Rsm</c>.
/// </summary>
/// <remarks>
/// A provider registered with dependency injection creates its meter through the container's
/// <see cref="System.Diagnostics.Metrics.IMeterFactory"/> (registered by the .NET hosts, or by <c>AddMetrics()</c>), so
/// the meter belongs to that container and ends with it; a provider built without one records on a meter of the same
/// name shared by the whole process.
/// </remarks>
public static class RsmInstrumentation
{
    /// <summary>The name of the meter of every Rsm instrument: <c>Rsm</c>.</summary>
    public const string MeterName = "Rsm";

    /// <summary>The name of the activity source of every Rsm activity: <c>Rsm</c>.</summary>
    public const string ActivitySourceName = "Rsm";
}
