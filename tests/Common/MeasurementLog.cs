using System.Diagnostics.Metrics;

namespace Rsm.Tests;

/// <summary>One measurement as a <see cref="MeterListener"/> saw it: the instrument, the value and the attributes.</summary>
internal sealed record Measured(Instrument Instrument, double Value, IReadOnlyDictionary<string, object?> Tags)
{
    public string Name => Instrument.Name;

    public object? Tag(string key) => Tags.TryGetValue(key, out object? value) ? value : null;

    /// <summary>The attribute keys, sorted, for an exact comparison.</summary>
    public string Keys => string.Join(",", Tags.Keys.Order(StringComparer.Ordinal));
}

/// <summary>
/// Records the measurements of the instruments of one meter only (a meter of a private <see cref="IMeterFactory"/>, or
/// one picked by a predicate), so that tests running side by side never see each other's.
/// </summary>
internal sealed class MeasurementLog : IDisposable
{
    private readonly MeterListener _listener = new();
    private readonly List<Measured> _measurements = [];
    private readonly Dictionary<string, Instrument> _instruments = [];

    public MeasurementLog(Func<Meter, bool> meter)
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (meter(instrument.Meter))
            {
                lock (_measurements)
                {
                    _instruments[instrument.Name] = instrument;
                }

                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) => Add(instrument, value, tags));
        _listener.SetMeasurementEventCallback<double>((instrument, value, tags, _) => Add(instrument, value, tags));
        _listener.Start();
    }

    /// <summary>Records the measurements of the meters <paramref name="factory"/> created.</summary>
    public MeasurementLog(IMeterFactory factory)
        : this(meter => ReferenceEquals(meter.Scope, factory))
    {
    }

    /// <summary>The instrument of that name, as published.</summary>
    public Instrument Instrument(string name)
    {
        lock (_measurements)
        {
            Assert.IsTrue(_instruments.TryGetValue(name, out Instrument? instrument), $"no instrument {name} was published");
            return instrument;
        }
    }

    /// <summary>The measurements of <paramref name="name"/> so far.</summary>
    public Measured[] Of(string name)
    {
        lock (_measurements)
        {
            return [.. _measurements.Where(m => m.Name == name)];
        }
    }

    /// <summary>Asks the observable instruments for their values now.</summary>
    public void Observe() => _listener.RecordObservableInstruments();

    /// <summary>Waits, at most <paramref name="limit"/>, until <paramref name="condition"/> holds of the measurements so far.</summary>
    public async Task WaitUntilAsync(Func<MeasurementLog, bool> condition, TimeSpan limit, string what)
    {
        using var timeout = new CancellationTokenSource(limit);
        while (!condition(this))
        {
            try
            {
                await Task.Delay(10, timeout.Token);
            }
            catch (OperationCanceledException)
            {
                Assert.Fail($"timed out after {limit.TotalSeconds} s waiting for {what}");
            }
        }
    }

    public void Dispose() => _listener.Dispose();

    private void Add(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var copy = new Dictionary<string, object?>(tags.Length);
        foreach (KeyValuePair<string, object?> tag in tags)
        {
            copy[tag.Key] = tag.Value;
        }

        lock (_measurements)
        {
            _measurements.Add(new Measured(instrument, value, copy));
        }
    }
}
