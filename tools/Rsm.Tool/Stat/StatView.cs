using System.Globalization;
using System.Text.Json;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace Rsm.Tool.Stat;

/// <summary>How <c>rsm stat</c> shows a snapshot: a table, or one JSON object.</summary>
internal static class StatView
{
    public static void WriteJson(TextWriter output, MeterSnapshot snapshot) => JsonOutput.WriteLine(output, w =>
    {
        w.WriteStartObject();
        w.WriteString("time", snapshot.Time);
        w.WriteNumber("pid", snapshot.ProcessId);
        w.WriteString("process", snapshot.ProcessName);
        w.WriteString("meter", snapshot.Meter);
        w.WriteNumber("interval", snapshot.IntervalSeconds);
        w.WriteStartArray("instruments");
        foreach (InstrumentInfo instrument in snapshot.Instruments)
        {
            w.WriteStartObject();
            w.WriteString("name", instrument.Name);
            w.WriteString("kind", instrument.Kind);
            w.WriteString("unit", instrument.Unit);
            w.WriteString("description", instrument.Description);
            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteStartArray("controllers");
        foreach (ControllerSeries controller in snapshot.Controllers)
        {
            w.WriteStartObject();
            w.WriteString("controller", controller.Controller);
            w.WriteString("provider", controller.Provider);
            w.WriteStartArray("series");
            foreach (SeriesValue series in controller.Series)
            {
                WriteSeries(w, series);
            }

            w.WriteEndArray();
            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteStartArray("warnings");
        foreach (string warning in snapshot.Warnings)
        {
            w.WriteStringValue(warning);
        }

        w.WriteEndArray();
        w.WriteEndObject();
    });

    public static IRenderable Table(MeterSnapshot snapshot)
    {
        var table = new Table()
            .Border(TableBorder.Rounded)
            .Title(Markup.Escape(string.Create(CultureInfo.InvariantCulture,
                $"process {snapshot.ProcessId} ({snapshot.ProcessName}), meter {snapshot.Meter}, every {snapshot.IntervalSeconds:0.###} s, {snapshot.Time.ToLocalTime():HH:mm:ss}")))
            .AddColumn("Controller")
            .AddColumn("Provider")
            .AddColumn("Instrument")
            .AddColumn("Tags")
            .AddColumn(new TableColumn("Value").RightAligned())
            .AddColumn(new TableColumn("Change/s").RightAligned())
            .AddColumn("Unit");

        foreach (ControllerSeries controller in snapshot.Controllers)
        {
            bool first = true;
            foreach (SeriesValue series in controller.Series)
            {
                table.AddRow(
                    first ? Markup.Escape(controller.Controller ?? "(no controller tag)") : "",
                    first ? Markup.Escape(controller.Provider ?? "") : "",
                    Markup.Escape(series.Instrument.Name),
                    Markup.Escape(OtherTags(series)),
                    Markup.Escape(ValueText(series)),
                    Markup.Escape(ChangeText(series, snapshot.IntervalSeconds)),
                    Markup.Escape(series.Instrument.Unit));
                first = false;
            }
        }

        // Every instrument of the meter shows, with or without measurements.
        var measured = new HashSet<string>(snapshot.Controllers.SelectMany(c => c.Series).Select(s => s.Instrument.Name), StringComparer.Ordinal);
        foreach (InstrumentInfo idle in snapshot.Instruments.Where(i => !measured.Contains(i.Name)))
        {
            table.AddRow("", "", Markup.Escape(idle.Name), "[grey]no measurement since the session began[/]", "", "", Markup.Escape(idle.Unit));
        }

        if (!snapshot.MeterSeen)
        {
            table.AddRow("", "", $"[grey]waiting for the meter {Markup.Escape(snapshot.Meter)}[/]", "", "", "", "");
        }

        if (snapshot.Warnings.Count == 0)
        {
            return table;
        }

        return new Rows([table, .. snapshot.Warnings.Select(w => new Markup($"[yellow]{Markup.Escape(w)}[/]"))]);
    }

    private static void WriteSeries(Utf8JsonWriter w, SeriesValue series)
    {
        w.WriteStartObject();
        w.WriteString("instrument", series.Instrument.Name);
        w.WriteString("kind", series.Instrument.Kind);
        w.WriteString("unit", series.Instrument.Unit);
        w.WriteStartObject("tags");
        foreach (KeyValuePair<string, string> tag in series.Tags)
        {
            w.WriteString(tag.Key, tag.Value);
        }

        w.WriteEndObject();
        switch (series.Aggregation)
        {
            case "distribution":
                w.WriteNumber("count", series.Count ?? 0);
                JsonOutput.WriteNumber(w, "sum", series.Sum);
                w.WriteStartObject("quantiles");
                foreach (KeyValuePair<double, double> quantile in series.Quantiles)
                {
                    w.WriteNumber(quantile.Key.ToString("0.###", CultureInfo.InvariantCulture), quantile.Value);
                }

                w.WriteEndObject();
                break;
            case "last":
                JsonOutput.WriteNumber(w, "value", series.Value);
                break;
            default:
                JsonOutput.WriteNumber(w, "value", series.Value);
                JsonOutput.WriteNumber(w, "delta", series.Delta);
                break;
        }

        w.WriteEndObject();
    }

    private static string OtherTags(SeriesValue series) => MeterState.FormatTags(
        series.Tags.Where(t => t.Key is not (MeterSnapshot.ControllerTag or MeterSnapshot.ProviderTag)));

    private static string ValueText(SeriesValue series) => series.Aggregation switch
    {
        "distribution" => string.Join("  ", series.Quantiles.Select(q => string.Create(CultureInfo.InvariantCulture, $"p{q.Key * 100:0.#} {Number(q.Value)}"))),
        _ => series.Value is { } v ? Number(v) : "",
    };

    private static string ChangeText(SeriesValue series, double interval) => series.Aggregation switch
    {
        "distribution" => string.Create(CultureInfo.InvariantCulture, $"{Number((series.Count ?? 0) / interval)} meas."),
        "sum" when series.Delta is { } d => Number(d / interval),
        _ => "",
    };

    private static string Number(double value) =>
        value == Math.Floor(value) && Math.Abs(value) < 1e15
            ? value.ToString("#,0", CultureInfo.InvariantCulture)
            : value.ToString(Math.Abs(value) >= 100 ? "#,0.#" : "0.######", CultureInfo.InvariantCulture);
}
