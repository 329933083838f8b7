using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Rsm.HostedNode;

/// <summary>
/// Runs the registered health checks (one <c>rsm:&lt;controller&gt;</c> check per controller) every
/// <see cref="HostedNodeOptions.HealthInterval"/>, logs each check's status when it changes (with its description and
/// data), and the whole report at Debug level each time. An application that serves HTTP maps the same checks to an
/// endpoint instead (<c>app.MapHealthChecks("/healthz")</c>).
/// </summary>
internal sealed partial class HealthReporter(
    HealthCheckService health,
    IOptions<HostedNodeOptions> options,
    ILogger<HealthReporter> logger) : BackgroundService
{
    private readonly Dictionary<string, HealthStatus> _last = new(StringComparer.Ordinal);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            using var timer = new PeriodicTimer(options.Value.HealthInterval);
            do
            {
                HealthReport report = await health.CheckHealthAsync(stoppingToken).ConfigureAwait(false);
                Report(report);
            }
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    private void Report(HealthReport report)
    {
        foreach ((string name, HealthReportEntry entry) in report.Entries)
        {
            if (!_last.TryGetValue(name, out HealthStatus before) || before != entry.Status)
            {
                _last[name] = entry.Status;
                string data = string.Join(", ", entry.Data.Select(d => $"{d.Key}={d.Value}"));
                if (entry.Status == HealthStatus.Healthy)
                {
                    Changed(name, entry.Status, entry.Description ?? string.Empty, data);
                }
                else
                {
                    ChangedToBad(name, entry.Status, entry.Description ?? string.Empty, data);
                }
            }
        }

        Checked(report.Status, report.Entries.Count, report.TotalDuration.TotalMilliseconds);
    }

    [LoggerMessage(20, LogLevel.Information, "Health of {Check}: {Status}. {Description} [{Data}]")]
    private partial void Changed(string check, HealthStatus status, string description, string data);

    [LoggerMessage(21, LogLevel.Warning, "Health of {Check}: {Status}. {Description} [{Data}]")]
    private partial void ChangedToBad(string check, HealthStatus status, string description, string data);

    [LoggerMessage(22, LogLevel.Debug, "Health report: {Status} over {Count} checks in {Milliseconds:F1} ms")]
    private partial void Checked(HealthStatus status, int count, double milliseconds);
}
