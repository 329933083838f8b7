namespace Rsm.Tool.Stat;

/// <summary>An instrument of the meter, as the process announced it.</summary>
/// <param name="Name">The instrument name (<c>rsm.export.count</c>).</param>
/// <param name="Kind">Its kind without the type argument: <c>Counter</c>, <c>UpDownCounter</c>, <c>Histogram</c>, <c>ObservableGauge</c>, ...</param>
/// <param name="Unit">Its unit, or empty.</param>
/// <param name="Description">Its description, or empty.</param>
internal sealed record InstrumentInfo(string Name, string Kind, string Unit, string Description);

/// <summary>The latest values of one time series: one instrument with one set of tags.</summary>
internal sealed class SeriesValue
{
    public required InstrumentInfo Instrument { get; init; }

    /// <summary>The tags of the series, in the order the process reported them.</summary>
    public required IReadOnlyList<KeyValuePair<string, string>> Tags { get; init; }

    /// <summary>What the values mean: <c>sum</c> (counters), <c>last</c> (gauges) or <c>distribution</c> (histograms).</summary>
    public required string Aggregation { get; init; }

    /// <summary>Counters: the total; gauges: the last value. Null for histograms or when the process sent none.</summary>
    public double? Value { get; set; }

    /// <summary>Counters: the change over the last refresh interval. Null for gauges and histograms, or when not known yet.</summary>
    public double? Delta { get; set; }

    /// <summary>Histograms: the measurements of the last refresh interval.</summary>
    public long? Count { get; set; }

    /// <summary>Histograms: the sum of the measurements of the last refresh interval.</summary>
    public double? Sum { get; set; }

    /// <summary>Histograms: the quantiles of the last refresh interval (0.5, 0.95, 0.99).</summary>
    public IReadOnlyList<KeyValuePair<double, double>> Quantiles { get; set; } = [];

    public string? Tag(string key) => Tags.FirstOrDefault(t => t.Key == key).Value;

    public SeriesValue Copy() => (SeriesValue)MemberwiseClone();
}

/// <summary>The series of one controller (the <c>rsm.controller</c> tag), or of none.</summary>
/// <param name="Controller">The controller name, or null for series without the tag.</param>
/// <param name="Provider">The provider name (the <c>rsm.provider</c> tag), or null.</param>
/// <param name="Series">The series, ordered by instrument and tags.</param>
internal sealed record ControllerSeries(string? Controller, string? Provider, IReadOnlyList<SeriesValue> Series);

/// <summary>What a refresh of <c>rsm stat</c> shows.</summary>
internal sealed record MeterSnapshot(
    DateTimeOffset Time,
    int ProcessId,
    string ProcessName,
    string Meter,
    double IntervalSeconds,
    bool MeterSeen,
    IReadOnlyList<InstrumentInfo> Instruments,
    IReadOnlyList<ControllerSeries> Controllers,
    IReadOnlyList<string> Warnings)
{
    /// <summary>The tag that groups the series.</summary>
    public const string ControllerTag = "rsm.controller";

    /// <summary>The tag that names a controller's provider.</summary>
    public const string ProviderTag = "rsm.provider";

    public bool HasValues => Controllers.Any(c => c.Series.Count > 0);
}
