using System.Text;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Rsm.HostedNode;

/// <summary>
/// The exporter: creates a segment on the configured controller, publishes it under the configured id with the
/// configured access list, rewrites its first bytes every interval, and unpublishes and destroys it when the host stops.
/// </summary>
internal sealed partial class ExporterWorker(
    IRsmControllerFactory factory,
    IOptions<HostedNodeOptions> options,
    IHostApplicationLifetime lifetime,
    ILogger<ExporterWorker> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        HostedNodeOptions o = options.Value;
        Starting(Environment.ProcessId, o.Controller);
        try
        {
            // The hosted controllers opened it already when it is marked StartWithHost; this is one more reference.
            using IRsmController controller = factory.GetController(o.Controller);
            nuint page = controller.GetAttributes().PageSize;
            nuint length = ((nuint)o.SegmentSize + page - 1) / page * page;
            using RsmPageMemory memory = RsmPageMemory.Allocate(length);
            long update = 0;
            Write(memory.GetSpan(), update);

            using IExportSegment export = controller.CreateExportSegment(memory.Address, memory.Length);
            // One process that exports and imports publishes to its own node only (the only access list Loopback accepts).
            RsmAccessEntry[] access = o.Role == NodeRole.Both ? [RsmAccessEntry.FromOctal(controller.LocalNodeId, "0444")] : o.AccessList();

            uint segmentId = export.Publish(o.ParsedSegmentId, access);
            Published(segmentId, o.Controller, controller.ProviderName, controller.LocalNodeId, export.Length, string.Join(", ", access.Select(a => $"node {a.NodeId} {a.OctalPermission}")));

            try
            {
                using var timer = new PeriodicTimer(o.Interval);
                while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
                {
                    Write(memory.GetSpan(), ++update);
                    Updated(segmentId, update);
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
            }

            // Importers still connected are disconnected by the unpublish (they see ConnectionAborted on their next access).
            export.Unpublish();
            export.Destroy();
            Withdrawn(segmentId, update);
        }
        catch (Exception ex) when (ex is RsmException or InvalidOperationException)
        {
            Failed(o.Controller, ex.Message);
            Environment.ExitCode = 1;
            lifetime.StopApplication();
        }
    }

    /// <summary>Writes the update's text at the start of the segment, NUL-terminated.</summary>
    private static void Write(Span<byte> segment, long update)
    {
        string text = FormattableString.Invariant($"update {update} at {DateTimeOffset.UtcNow:HH:mm:ss.fff} from process {Environment.ProcessId}");
        Span<byte> area = segment[..Math.Min(segment.Length, 256)];
        int written = Encoding.UTF8.GetBytes(text, area[..^1]);
        area[written..].Clear();
    }

    [LoggerMessage(1, LogLevel.Information, "Published segment 0x{SegmentId:x8} on controller {Controller} ({Provider}, node {NodeId}): {Length} bytes, access {Access}")]
    private partial void Published(uint segmentId, string controller, string provider, uint nodeId, nuint length, string access);

    [LoggerMessage(2, LogLevel.Debug, "Segment 0x{SegmentId:x8}: wrote update {Update}")]
    private partial void Updated(uint segmentId, long update);

    [LoggerMessage(3, LogLevel.Information, "Unpublished and destroyed segment 0x{SegmentId:x8} after {Update} updates")]
    private partial void Withdrawn(uint segmentId, long update);

    [LoggerMessage(5, LogLevel.Information, "Process {ProcessId} exports on controller {Controller}")]
    private partial void Starting(int processId, string controller);

    [LoggerMessage(4, LogLevel.Error, "The exporter on controller {Controller} failed: {Message}")]
    private partial void Failed(string controller, string message);
}
