using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;

namespace Rsm.Tool.Tests;

/// <summary>
/// <c>dotnet-counters</c> (the repository's local tool, <c>.config/dotnet-tools.json</c>) attached to a Tcp exporter and
/// importer of the HostedNode sample: between them they record every instrument that docs/observability.md lists.
/// </summary>
[TestClass]
public sealed partial class DotnetCountersTests
{
    [TestMethod]
    public async Task DotnetCounters_TcpExporterAndImporterWithAStoppedPeer_ShowEveryDocumentedInstrument()
    {
        string root = RepositoryRoot();
        string[] documented = DocumentedInstruments(root);
        CollectionAssert.Contains(documented, "rsm.io", "the instrument tables of docs/observability.md were not found");
        CollectionAssert.Contains(documented, "rsm.tcp.peers.dropped", "the Tcp instrument table of docs/observability.md was not found");

        (int exitCode, string output) = await RunAsync(root, "dotnet", "tool", "restore");
        Assert.AreEqual(0, exitCode, $"dotnet tool restore: {output}");

        string folder = Directory.CreateTempSubdirectory("rsm-counters-").FullName;
        try
        {
            (int exporterPort, int importerPort) = HostedNodeProcess.FreePorts();
            Dictionary<string, string> exporterSettings = HostedNodeProcess.Exporter("tcp0");
            exporterSettings["Rsm:Controllers:tcp0:Listen"] = $"127.0.0.1:{exporterPort}";
            exporterSettings["Rsm:Controllers:tcp0:Nodes:2"] = $"127.0.0.1:{importerPort}";
            // The exporter drops a peer it has heard nothing from for 3 s (keep-alives come every 2 s).
            exporterSettings["Rsm:Controllers:tcp0:SilenceLimit"] = "00:00:03";
            var importerSettings = new Dictionary<string, string>
            {
                ["HostedNode:Role"] = "Importer",
                ["HostedNode:Controller"] = "tcp0",
                ["HostedNode:Interval"] = "00:00:00.500",
                ["HostedNode:RetryInterval"] = "00:00:00.500",
                ["Rsm:Controllers:tcp0:NodeId"] = "2",
                ["Rsm:Controllers:tcp0:Listen"] = $"127.0.0.1:{importerPort}",
                ["Rsm:Controllers:tcp0:Nodes:1"] = $"127.0.0.1:{exporterPort}",
                ["Rsm:Controllers:tcp0:Nodes:2"] = $"127.0.0.1:{importerPort}",
            };

            // Both start paused; the counters session resumes each runtime once it listens, so it sees every measurement.
            await using var exporter = HostedNodeProcess.Start(exporterSettings, suspended: true);
            await exporter.WaitForDiagnosticsAsync();
            string exporterCsv = Path.Combine(folder, "exporter.csv");
            await using CountersSession exporterCounters = CountersSession.Start(root, exporter.Id, exporterCsv);
            await exporter.WaitForLineAsync("Published segment 0x00400100");

            await using var importer = HostedNodeProcess.Start(importerSettings, suspended: true);
            await importer.WaitForDiagnosticsAsync();
            string importerCsv = Path.Combine(folder, "importer.csv");
            await using CountersSession importerCounters = CountersSession.Start(root, importer.Id, importerCsv);
            await importer.WaitForLineAsync("Segment 0x00400100 of node 1: \"update");

            // The importer stops: the exporter drops it for silence; resumed, it finds its import aborted and connects again.
            await importer.SignalAsync("STOP");
            try
            {
                await exporter.WaitForLineAsync("dropped (SilenceLimit)");
            }
            finally
            {
                await importer.SignalAsync("CONT");
            }

            await importer.WaitForLineAsync("Lost segment 0x00400100");
            await importer.WaitForLineAsync("Connected to segment 0x00400100", count: 2);
            await importer.WaitForLineAsync("Segment 0x00400100 of node 1: \"update", count: importer.CountLines("Segment 0x00400100 of node 1: \"update") + 2);

            // Counters are sampled once a second; the session ends when its process has exited and writes the file.
            await Task.Delay(TimeSpan.FromSeconds(3));
            await importer.SignalAsync("TERM");
            Assert.AreEqual(0, await importer.WaitForExitAsync(), importer.Output);
            await importerCounters.WaitForExitAsync();
            await exporter.SignalAsync("TERM");
            Assert.AreEqual(0, await exporter.WaitForExitAsync(), exporter.Output);
            await exporterCounters.WaitForExitAsync();

            Series[] exporterSeries = ReadCsv(exporterCsv);
            Series[] importerSeries = ReadCsv(importerCsv);
            string[] shown = [.. exporterSeries.Concat(importerSeries).Select(s => s.Instrument).Distinct().Order(StringComparer.Ordinal)];
            string[] missing = [.. documented.Except(shown, StringComparer.Ordinal)];
            Assert.IsEmpty(missing, $"documented but not shown: {string.Join(", ", missing)}; shown: {string.Join(", ", shown)}");
            string[] undocumented = [.. shown.Except(documented, StringComparer.Ordinal)];
            Assert.IsEmpty(undocumented, $"shown but not documented: {string.Join(", ", undocumented)}");

            // What the run did, in the attributes and values dotnet-counters shows.
            Assert.IsTrue(exporterSeries.Any(s => s.Instrument == "rsm.tcp.peers.dropped" && s.Attributes.Contains("rsm.tcp.drop.reason=SilenceLimit", StringComparison.Ordinal) && s.Value == 1),
                "the exporter's rsm.tcp.peers.dropped shows one SilenceLimit drop");
            Assert.IsTrue(exporterSeries.Any(s => s.Instrument == "rsm.tcp.connection.duration" && s.Attributes.Contains("error.type=SilenceLimit", StringComparison.Ordinal)),
                "the exporter's rsm.tcp.connection.duration shows the dropped connection with error.type SilenceLimit");
            Assert.IsTrue(exporterSeries.Any(s => s.Instrument == "rsm.export.count" && s.Attributes.Contains("rsm.controller=tcp0", StringComparison.Ordinal) && s.Value == 1),
                "the exporter's rsm.export.count shows its segment on tcp0");
            Assert.IsTrue(importerSeries.Any(s => s.Instrument == "rsm.io" && s.Attributes.Contains("rsm.io.direction=get", StringComparison.Ordinal) && s.Value > 0),
                "the importer's rsm.io shows bytes read (direction get)");
            Assert.IsTrue(importerSeries.Any(s => s.Instrument == "rsm.import.forced_disconnects" && s.Value == 1),
                "the importer's rsm.import.forced_disconnects shows the aborted import");
            Assert.IsTrue(importerSeries.Any(s => s.Instrument == "rsm.operation.duration" && s.Attributes.Contains("rsm.operation=connect", StringComparison.Ordinal)),
                "the importer's rsm.operation.duration shows its connects");
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    /// <summary>The instrument names of the tables of docs/observability.md (rows <c>| `rsm.x` | Kind | unit | ...</c>).</summary>
    private static string[] DocumentedInstruments(string root) =>
        [.. File.ReadLines(Path.Combine(root, "docs", "observability.md"))
            .Select(l => InstrumentRow().Match(l))
            .Where(m => m.Success)
            .Select(m => m.Groups[1].Value)
            .Distinct()
            .Order(StringComparer.Ordinal)];

    [GeneratedRegex(@"^\| `(rsm\.[a-z._]+)` \| (?:Counter|UpDownCounter|ObservableUpDownCounter|ObservableCounter|ObservableGauge|Gauge|Histogram)&lt;")]
    private static partial Regex InstrumentRow();

    /// <summary>One line of a dotnet-counters CSV file: <c>Timestamp,Provider,Counter Name,Counter Type,Mean/Increment</c>.</summary>
    private sealed record Series(string Instrument, string Attributes, double Value);

    private static Series[] ReadCsv(string path)
    {
        Assert.IsTrue(File.Exists(path), $"dotnet-counters wrote no {path}");
        var series = new List<Series>();
        foreach (string line in File.ReadLines(path).Skip(1))
        {
            string[] fields = line.Split(',');
            Assert.HasCount(5, fields, line);
            Assert.AreEqual("Rsm", fields[1], line);
            // "rsm.io (By / 1 sec)[rsm.controller=tcp0;rsm.io.direction=get;rsm.provider=Tcp]"
            string name = fields[2];
            int space = name.IndexOf(' ', StringComparison.Ordinal);
            int bracket = name.IndexOf('[', StringComparison.Ordinal);
            series.Add(new Series(
                space < 0 ? name : name[..space],
                bracket < 0 ? "" : name[bracket..],
                double.Parse(fields[4], CultureInfo.InvariantCulture)));
        }

        return [.. series];
    }

    private static string RepositoryRoot()
    {
        for (DirectoryInfo? directory = new(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Rsm.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException($"no Rsm.sln above {AppContext.BaseDirectory}");
    }

    private static async Task<(int ExitCode, string Output)> RunAsync(string directory, string file, params string[] args)
    {
        var start = new ProcessStartInfo(file)
        {
            WorkingDirectory = directory,
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (string arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using Process process = Process.Start(start)!;
        using var limit = new CancellationTokenSource(HostedNodeProcess.WaitLimit * 2);
        Task<string> output = process.StandardOutput.ReadToEndAsync(limit.Token);
        Task<string> error = process.StandardError.ReadToEndAsync(limit.Token);
        await process.WaitForExitAsync(limit.Token);
        return (process.ExitCode, await output + await error);
    }

    /// <summary><c>dotnet tool run dotnet-counters collect</c> on one process, writing CSV; disposing kills it if it still runs.</summary>
    private sealed class CountersSession : IAsyncDisposable
    {
        private readonly Process _process;
        private readonly Task<string> _output;
        private readonly Task<string> _error;

        private CountersSession(Process process)
        {
            _process = process;
            _output = process.StandardOutput.ReadToEndAsync();
            _error = process.StandardError.ReadToEndAsync();
        }

        public static CountersSession Start(string root, int pid, string csv)
        {
            var start = new ProcessStartInfo("dotnet")
            {
                WorkingDirectory = root,
                UseShellExecute = false,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                RedirectStandardInput = true,
            };
            foreach (string arg in new[]
            {
                "tool", "run", "dotnet-counters", "collect",
                "--process-id", pid.ToString(CultureInfo.InvariantCulture),
                "--counters", "Rsm",
                "--format", "csv",
                "--output", csv,
                "--refresh-interval", "1",
                "--maxHistograms", "100",
            })
            {
                start.ArgumentList.Add(arg);
            }

            return new CountersSession(Process.Start(start)!);
        }

        /// <summary>Waits until the session has ended (its process exited) and checks that it saved its file.</summary>
        public async Task WaitForExitAsync()
        {
            using var limit = new CancellationTokenSource(HostedNodeProcess.WaitLimit);
            await _process.WaitForExitAsync(limit.Token);
            string output = await _output + await _error;
            Assert.AreEqual(0, _process.ExitCode, $"dotnet-counters: {output}");
            Assert.Contains("File saved", output, $"dotnet-counters: {output}");
        }

        public async ValueTask DisposeAsync()
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                using var limit = new CancellationTokenSource(HostedNodeProcess.WaitLimit);
                await _process.WaitForExitAsync(limit.Token);
            }

            _process.Dispose();
        }
    }
}
