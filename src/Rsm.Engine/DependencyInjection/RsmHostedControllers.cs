using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Rsm.Diagnostics;

namespace Rsm.DependencyInjection;

/// <summary>
/// Starts Rsm with the host: checks every configured controller (so that a wrong setting fails the host's start with
/// its configuration path), then opens the controllers marked <see cref="RsmControllerOptions.StartWithHost"/> in
/// configuration order. At stop it releases them in the reverse order, each within <see cref="RsmHostingOptions.StopTimeout"/>.
/// </summary>
internal sealed class RsmHostedControllers(IRsmControllerFactory factory, IOptions<RsmHostingOptions> options, ILoggerFactory? loggerFactory = null) : IHostedService
{
    private readonly ILogger _logger = loggerFactory?.CreateLogger("Rsm") ?? NullLogger.Instance;
    private readonly List<(string Name, IRsmController Controller)> _opened = [];

    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (factory is not RsmControllerFactory configured)
        {
            throw new InvalidOperationException($"the hosted Rsm controllers need the controller factory AddRsm registers, not {factory.GetType()}");
        }

        // The hosting options themselves first: an invalid StopTimeout fails the start, not the stop.
        _ = options.Value;
        configured.ValidateConfigured();
        try
        {
            foreach (string name in configured.StartWithHost)
            {
                cancellationToken.ThrowIfCancellationRequested();
                IRsmController controller = configured.GetController(name);
                lock (_opened)
                {
                    _opened.Add((name, controller));
                }

                RsmLog.ControllerStartedWithHost(_logger, name, controller.ProviderName, controller.LocalNodeId);
            }
        }
        catch
        {
            // A host whose start failed is not stopped: what this start opened is released here.
            CloseAll(CancellationToken.None).GetAwaiter().GetResult();
            throw;
        }

        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => CloseAll(cancellationToken);

    private async Task CloseAll(CancellationToken cancellationToken)
    {
        TimeSpan timeout = options.Value.StopTimeout;
        while (true)
        {
            (string Name, IRsmController Controller) last;
            lock (_opened)
            {
                if (_opened.Count == 0)
                {
                    return;
                }

                last = _opened[^1];
                _opened.RemoveAt(_opened.Count - 1);
            }

            // A close waits for peers (bounded by the transport's own timeouts); the host waits for it at most StopTimeout.
            Task close = Task.Run(last.Controller.Dispose, CancellationToken.None);
            try
            {
                await close.WaitAsync(timeout, cancellationToken).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
                RsmLog.ControllerStopTimedOut(_logger, last.Name, timeout);
            }
            catch (OperationCanceledException)
            {
                RsmLog.ControllerStopTimedOut(_logger, last.Name, timeout);
            }
            catch (RsmException ex)
            {
                // Released already by its users (BadControllerHandle): nothing is left to close.
                RsmLog.ControllerStopFailed(_logger, last.Name, ex.Message);
            }
        }
    }
}
