using System.Globalization;

namespace Rsm.Tool.Stat;

/// <summary>
/// What the process has published so far: the meter's instruments and the latest values of each time series. Fed from the
/// EventPipe thread, read by the command; every member locks.
/// </summary>
internal sealed class MeterState(int processId, string processName, string meter, double intervalSeconds)
{
    private readonly object _gate = new();
    private readonly Dictionary<string, InstrumentInfo> _instruments = new(StringComparer.Ordinal);
    private readonly Dictionary<(string Instrument, string Tags), SeriesValue> _series = [];
    private readonly List<string> _warnings = [];

    /// <summary>Records an instrument the process reports (or re-reports) for the meter.</summary>
    public void AddInstrument(string name, string type, string unit, string description)
    {
        lock (_gate)
        {
            _instruments[name] = new InstrumentInfo(name, KindOf(type), unit, description);
        }
    }

    /// <summary>Forgets an instrument the process no longer reports, and its series.</summary>
    public void RemoveInstrument(string name)
    {
        lock (_gate)
        {
            _instruments.Remove(name);
            foreach ((string Instrument, string Tags) key in _series.Keys.Where(k => k.Instrument == name).ToList())
            {
                _series.Remove(key);
            }
        }
    }

    /// <summary>A counter's total and change (Counter, UpDownCounter and their observable forms).</summary>
    public void SetSum(string instrument, string unit, string tags, string delta, string value) =>
        Update(instrument, unit, tags, "sum", s =>
        {
            s.Value = ParseDouble(value);
            s.Delta = ParseDouble(delta);
        });

    /// <summary>A gauge's last value.</summary>
    public void SetLast(string instrument, string unit, string tags, string value) =>
        Update(instrument, unit, tags, "last", s => s.Value = ParseDouble(value));

    /// <summary>A histogram's distribution over the last interval.</summary>
    public void SetDistribution(string instrument, string unit, string tags, string quantiles, long count, double sum) =>
        Update(instrument, unit, tags, "distribution", s =>
        {
            s.Count = count;
            s.Sum = sum;
            s.Quantiles = ParseQuantiles(quantiles);
        });

    public void Warn(string warning)
    {
        lock (_gate)
        {
            if (!_warnings.Contains(warning))
            {
                _warnings.Add(warning);
            }
        }
    }

    public MeterSnapshot Snapshot()
    {
        lock (_gate)
        {
            ControllerSeries[] controllers =
            [
                .. _series.Values
                    .Select(s => s.Copy())
                    .GroupBy(s => s.Tag(MeterSnapshot.ControllerTag), StringComparer.Ordinal)
                    .OrderBy(g => g.Key is null ? 1 : 0)
                    .ThenBy(g => g.Key, StringComparer.Ordinal)
                    .Select(g => new ControllerSeries(
                        g.Key,
                        g.Select(s => s.Tag(MeterSnapshot.ProviderTag)).FirstOrDefault(p => p is not null),
                        [.. g.OrderBy(s => s.Instrument.Name, StringComparer.Ordinal).ThenBy(s => FormatTags(s.Tags), StringComparer.Ordinal)])),
            ];
            return new MeterSnapshot(
                DateTimeOffset.UtcNow,
                processId,
                processName,
                meter,
                intervalSeconds,
                _instruments.Count > 0 || _series.Count > 0,
                [.. _instruments.Values.OrderBy(i => i.Name, StringComparer.Ordinal)],
                controllers,
                [.. _warnings]);
        }
    }

    /// <summary>Parses the tags as the process formats them: <c>key=value</c> pairs separated by commas.</summary>
    public static List<KeyValuePair<string, string>> ParseTags(string tags)
    {
        var parsed = new List<KeyValuePair<string, string>>();
        if (string.IsNullOrEmpty(tags))
        {
            return parsed;
        }

        foreach (string pair in tags.Split(','))
        {
            int equals = pair.IndexOf('=', StringComparison.Ordinal);
            if (equals > 0)
            {
                parsed.Add(new(pair[..equals], pair[(equals + 1)..]));
            }
            else if (parsed.Count > 0)
            {
                // A value that holds a comma: the process does not escape it.
                KeyValuePair<string, string> last = parsed[^1];
                parsed[^1] = new(last.Key, $"{last.Value},{pair}");
            }
        }

        return parsed;
    }

    public static string FormatTags(IEnumerable<KeyValuePair<string, string>> tags) => string.Join(',', tags.Select(t => $"{t.Key}={t.Value}"));

    /// <summary>The instrument type the process reports (<c>UpDownCounter`1</c>) without its type argument.</summary>
    private static string KindOf(string type)
    {
        int tick = type.IndexOf('`', StringComparison.Ordinal);
        return tick < 0 ? type : type[..tick];
    }

    private static double? ParseDouble(string text) =>
        double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double value) ? value : null;

    private static KeyValuePair<double, double>[] ParseQuantiles(string quantiles) =>
    [
        .. quantiles.Split(';', StringSplitOptions.RemoveEmptyEntries)
            .Select(q => q.Split('='))
            .Where(p => p.Length == 2 && ParseDouble(p[0]) is not null && ParseDouble(p[1]) is not null)
            .Select(p => new KeyValuePair<double, double>(ParseDouble(p[0])!.Value, ParseDouble(p[1])!.Value)),
    ];

    private void Update(string instrument, string unit, string tags, string aggregation, Action<SeriesValue> set)
    {
        lock (_gate)
        {
            if (!_series.TryGetValue((instrument, tags), out SeriesValue? series))
            {
                InstrumentInfo info = _instruments.TryGetValue(instrument, out InstrumentInfo? known)
                    ? known
                    : _instruments[instrument] = new InstrumentInfo(instrument, aggregation switch { "last" => "Gauge", "distribution" => "Histogram", _ => "Counter" }, unit, "");
                series = new SeriesValue { Instrument = info, Tags = ParseTags(tags), Aggregation = aggregation };
                _series[(instrument, tags)] = series;
            }

            set(series);
        }
    }
}
