using System.CommandLine;
using System.Globalization;
using Spectre.Console;

namespace Rsm.Tool.Stat;

/// <summary><c>rsm stat &lt;pid&gt;</c>: the Rsm metrics of a running process, refreshed every interval.</summary>
internal static class StatCommand
{
    /// <summary>The meter the command reads.</summary>
    public const string MeterName = "Rsm";

    public static Command Create(TextWriter output)
    {
        var pid = new Argument<int>("pid") { Description = "The id of the .NET process to watch." };
        var interval = new Option<double>("--interval", "-i")
        {
            Description = "Seconds between refreshes: the process aggregates its measurements over this interval.",
            HelpName = "seconds",
            DefaultValueFactory = _ => 1,
        };
        var json = new Option<bool>("--json") { Description = "Print each refresh as one JSON object on one line instead of a table." };
        var once = new Option<bool>("--once") { Description = "Print one refresh and exit: the first that carries measurements, or, when none comes within the timeout, the meter's instruments without values." };
        var count = new Option<int?>("--count", "-n") { Description = "Print this many refreshes and exit.", HelpName = "N" };
        var timeout = new Option<double?>("--timeout")
        {
            HelpName = "seconds",
            Description = "Seconds to wait for the Rsm meter to show up (and, with --once, for measurements). Default: 5, or twice the interval when that is longer.",
        };
        var resume = new Option<bool>("--resume")
        {
            Description = "Resume a process started with DOTNET_DefaultDiagnosticPortSuspend=1 once the session runs, so that the counters count from its start.",
        };

        var command = new Command("stat", "Shows the Rsm metrics of a running .NET process, per controller (the rsm.controller tag): every instrument of its Rsm meter with its tags, read over the diagnostics port.")
        {
            pid, interval, json, once, count, timeout, resume,
        };
        interval.Validators.Add(result =>
        {
            double seconds = result.GetValueOrDefault<double>();
            if (double.IsNaN(seconds) || seconds < 0.1 || seconds > 3600)
            {
                result.AddError($"--interval {seconds.ToString(CultureInfo.InvariantCulture)}: give 0.1 to 3600 seconds");
            }
        });
        count.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<int?>() is { } n && n < 1)
            {
                result.AddError($"--count {n}: give 1 or more");
            }
        });
        timeout.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<double?>() is { } t && (double.IsNaN(t) || t <= 0 || t > 3600))
            {
                result.AddError($"--timeout {t.ToString(CultureInfo.InvariantCulture)}: give more than 0 and at most 3600 seconds");
            }
        });
        pid.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<int>() is var id && id <= 0)
            {
                result.AddError($"pid {id}: give a process id");
            }
        });
        command.Validators.Add(result =>
        {
            if (result.GetValue(once) && result.GetValue(count) is not null)
            {
                result.AddError("--once and --count exclude each other");
            }
        });

        command.SetAction((parsed, cancellationToken) =>
        {
            double seconds = parsed.GetValue(interval);
            var settings = new StatSettings(
                parsed.GetValue(pid),
                seconds,
                parsed.GetValue(json),
                parsed.GetValue(once) ? 1 : parsed.GetValue(count),
                parsed.GetValue(once),
                TimeSpan.FromSeconds(parsed.GetValue(timeout) ?? Math.Max(5, 2 * seconds)),
                parsed.GetValue(resume));
            return RunAsync(settings, output, cancellationToken);
        });
        return command;
    }

    public static async Task<int> RunAsync(StatSettings settings, TextWriter output, CancellationToken cancellationToken)
    {
        using MeterSession session = MeterSession.Start(settings.ProcessId, MeterName, settings.IntervalSeconds, settings.Resume);
        var printer = new SnapshotPrinter(settings, output);
        try
        {
            return await printer.RunAsync(session, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Ctrl+C ends a live view normally.
            return ExitCodes.Ok;
        }
    }

    /// <summary>Takes the session's refreshes and prints those the options ask for.</summary>
    private sealed class SnapshotPrinter(StatSettings settings, TextWriter output)
    {
        private int _printed;

        public async Task<int> RunAsync(MeterSession session, CancellationToken cancellationToken)
        {
            if (!settings.Json && Consoles.IsTerminal(output) && !settings.Once)
            {
                // A live table that redraws itself in place, like top.
                IAnsiConsole console = Consoles.For(output);
                int result = ExitCodes.Ok;
                await console.Live(StatView.Table(session.Current)).StartAsync(async context =>
                {
                    result = await Loop(session, snapshot =>
                    {
                        context.UpdateTarget(StatView.Table(snapshot));
                        context.Refresh();
                    }, cancellationToken).ConfigureAwait(false);
                }).ConfigureAwait(false);
                return result;
            }

            IAnsiConsole plain = Consoles.For(output);
            return await Loop(session, snapshot =>
            {
                if (settings.Json)
                {
                    StatView.WriteJson(output, snapshot);
                }
                else
                {
                    plain.Write(StatView.Table(snapshot));
                    output.Flush();
                }
            }, cancellationToken).ConfigureAwait(false);
        }

        private async Task<int> Loop(MeterSession session, Action<MeterSnapshot> show, CancellationToken cancellationToken)
        {
            DateTimeOffset deadline = DateTimeOffset.UtcNow + settings.Timeout;
            MeterSnapshot? lastSeen = null;
            while (true)
            {
                MeterSnapshot? snapshot = await Next(session, deadline, cancellationToken).ConfigureAwait(false);
                if (snapshot is null)
                {
                    if (session.Failure is { } failure)
                    {
                        throw new ToolException(failure);
                    }

                    if (session.Snapshots.Completion.IsCompleted)
                    {
                        // The stream ended: the process exited (or closed its diagnostics port).
                        if (settings.Count is null && _printed > 0)
                        {
                            return ExitCodes.Ok;
                        }

                        throw new ToolException($"process {settings.ProcessId} exited before {(_printed == 0 ? "its Rsm metrics could be read" : "the requested refreshes were printed")}");
                    }

                    // The deadline passed.
                    if (lastSeen is null)
                    {
                        throw new ToolException($"no {MeterName} meter seen in process {settings.ProcessId} within {settings.Timeout.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture)} s: it does not use Rsm, or has not opened a controller yet");
                    }

                    // --once with a meter that has instruments but has measured nothing since the session began.
                    show(lastSeen);
                    return ExitCodes.Ok;
                }

                if (!snapshot.MeterSeen)
                {
                    continue;
                }

                lastSeen = snapshot;
                if (settings.Once && !snapshot.HasValues)
                {
                    continue;
                }

                show(snapshot);
                _printed++;
                if (settings.Count is { } wanted && _printed >= wanted)
                {
                    return ExitCodes.Ok;
                }

                // After the first refresh that shows the meter, later ones come every interval: no deadline but the
                // session's end (or --once's wait for measurements, which keeps the first deadline).
                if (!settings.Once)
                {
                    deadline = DateTimeOffset.MaxValue;
                }
            }
        }

        private static async Task<MeterSnapshot?> Next(MeterSession session, DateTimeOffset deadline, CancellationToken cancellationToken)
        {
            using var wait = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            if (deadline != DateTimeOffset.MaxValue)
            {
                TimeSpan left = deadline - DateTimeOffset.UtcNow;
                wait.CancelAfter(left > TimeSpan.Zero ? left : TimeSpan.Zero);
            }

            try
            {
                return await session.Snapshots.ReadAsync(wait.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                return null;
            }
            catch (System.Threading.Channels.ChannelClosedException)
            {
                return null;
            }
        }
    }
}

/// <summary>The options of one <c>rsm stat</c> run.</summary>
/// <param name="ProcessId">The process to watch.</param>
/// <param name="IntervalSeconds">The refresh interval.</param>
/// <param name="Json">JSON lines instead of tables.</param>
/// <param name="Count">How many refreshes to print, or null for all until stopped.</param>
/// <param name="Once">Print the first refresh with measurements (or the instruments at the timeout) and stop.</param>
/// <param name="Timeout">How long to wait for the meter (and, with <paramref name="Once"/>, for measurements).</param>
/// <param name="Resume">Resume a runtime that waits at startup for a diagnostics tool.</param>
internal sealed record StatSettings(int ProcessId, double IntervalSeconds, bool Json, int? Count, bool Once, TimeSpan Timeout, bool Resume);
