using System.Text;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Rsm.HostedNode;

/// <summary>
/// The importer: connects to the configured segment of the exporter's node for reading, gets its first bytes every
/// interval and logs them as text; when the exporter goes away (the segment is unpublished or its process ends) it
/// disconnects and connects again every retry interval until the segment is back.
/// </summary>
internal sealed partial class ImporterWorker(
    IRsmControllerFactory factory,
    IOptions<HostedNodeOptions> options,
    IHostApplicationLifetime lifetime,
    ILogger<ImporterWorker> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        HostedNodeOptions o = options.Value;
        Starting(Environment.ProcessId, o.Controller);
        IRsmController controller;
        uint segmentId;
        try
        {
            controller = factory.GetController(o.Controller);
            segmentId = o.ParsedSegmentId;
        }
        catch (Exception ex) when (ex is RsmException or InvalidOperationException)
        {
            Failed(o.Controller, ex.Message);
            Environment.ExitCode = 1;
            lifetime.StopApplication();
            return;
        }

        // In one process that exports and imports, the exporter is this process's own node.
        uint node = o.Role == NodeRole.Both ? controller.LocalNodeId : o.ExporterNode;
        byte[] buffer = new byte[o.ReadLength];
        IImportSegment? import = null;
        RsmBarrier? barrier = null;
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                if (import is null)
                {
                    try
                    {
                        import = await controller.ConnectAsync(node, segmentId, RsmPermissions.Read, stoppingToken).ConfigureAwait(false);

                        // Each read is bracketed by a barrier, which reports a failed or aborted access at its close.
                        import.SetMode(RsmBarrierMode.Explicit);
                        barrier = import.InitBarrier();
                        Connected(segmentId, node, o.Controller, import.Length);
                    }
                    catch (RsmException ex)
                    {
                        NotConnected(segmentId, node, ex.Error, (int)ex.Error, o.RetryInterval.TotalSeconds);
                        await Task.Delay(o.RetryInterval, stoppingToken).ConfigureAwait(false);
                        continue;
                    }
                }

                try
                {
                    int count = (int)Math.Min((ulong)buffer.Length, import.Length);
                    barrier!.Open();
                    import.Get(0, buffer.AsSpan(0, count));
                    await barrier.CloseAsync(stoppingToken).ConfigureAwait(false);
                    Read(segmentId, node, Text(buffer.AsSpan(0, count)));
                }
                catch (RsmException ex)
                {
                    Lost(segmentId, node, ex.Error, (int)ex.Error);
                    barrier = null;
                    import.Dispose();
                    import = null;
                    await Task.Delay(o.RetryInterval, stoppingToken).ConfigureAwait(false);
                    continue;
                }

                await Task.Delay(o.Interval, stoppingToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        finally
        {
            if (import is not null)
            {
                import.Dispose();
                Disconnected(segmentId, node);
            }

            controller.Dispose();
        }
    }

    /// <summary>The bytes up to the first NUL as UTF-8 text, with control characters shown as '.'.</summary>
    private static string Text(ReadOnlySpan<byte> bytes)
    {
        int end = bytes.IndexOf((byte)0);
        string text = Encoding.UTF8.GetString(end < 0 ? bytes : bytes[..end]);
        return string.Create(text.Length, text, static (span, source) =>
        {
            for (int i = 0; i < span.Length; i++)
            {
                span[i] = char.IsControl(source[i]) ? '.' : source[i];
            }
        });
    }

    [LoggerMessage(11, LogLevel.Information, "Connected to segment 0x{SegmentId:x8} of node {NodeId} on controller {Controller}: {Length} bytes")]
    private partial void Connected(uint segmentId, uint nodeId, string controller, nuint length);

    [LoggerMessage(12, LogLevel.Information, "Segment 0x{SegmentId:x8} of node {NodeId} is not available ({Error}, {Code}); trying again in {Seconds} s")]
    private partial void NotConnected(uint segmentId, uint nodeId, RsmError error, int code, double seconds);

    [LoggerMessage(13, LogLevel.Information, "Segment 0x{SegmentId:x8} of node {NodeId}: \"{Text}\"")]
    private partial void Read(uint segmentId, uint nodeId, string text);

    [LoggerMessage(14, LogLevel.Warning, "Lost segment 0x{SegmentId:x8} of node {NodeId} ({Error}, {Code}); connecting again")]
    private partial void Lost(uint segmentId, uint nodeId, RsmError error, int code);

    [LoggerMessage(15, LogLevel.Information, "Disconnected from segment 0x{SegmentId:x8} of node {NodeId}")]
    private partial void Disconnected(uint segmentId, uint nodeId);

    [LoggerMessage(17, LogLevel.Information, "Process {ProcessId} imports on controller {Controller}")]
    private partial void Starting(int processId, string controller);

    [LoggerMessage(16, LogLevel.Error, "The importer on controller {Controller} failed: {Message}")]
    private partial void Failed(string controller, string message);
}
