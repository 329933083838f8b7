using Microsoft.Extensions.Diagnostics.HealthChecks;
using Rsm.Engine;

namespace Rsm.DependencyInjection;

/// <summary>
/// The health of one configured controller, without opening it: a controller that is not open is Healthy when it opens
/// at first use and Unhealthy when it should have opened with the host; an open engine controller reports its
/// transport's health (<see cref="RsmEngineController.CheckHealth"/>) with its facts as data.
/// </summary>
internal sealed class RsmControllerHealthCheck(IRsmControllerFactory factory, string name) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (factory is not RsmControllerFactory configured)
        {
            return Task.FromResult(new HealthCheckResult(context.Registration.FailureStatus, $"controller '{name}': the controller factory is not the one AddRsm registers"));
        }

        (IRsmController? controller, bool startWithHost) = configured.FindOpen(name);
        if (controller is null)
        {
            var closed = new Dictionary<string, object> { ["open"] = false, ["start_with_host"] = startWithHost };
            return Task.FromResult(startWithHost
                ? new HealthCheckResult(context.Registration.FailureStatus, $"controller '{name}' should have opened with the host and is not open", data: closed)
                : HealthCheckResult.Healthy($"controller '{name}' is not open yet: it opens at its first use", closed));
        }

        if (controller is not RsmEngineController engine)
        {
            return Task.FromResult(HealthCheckResult.Healthy($"controller '{name}' ({controller.ProviderName}) is open", new Dictionary<string, object> { ["open"] = true }));
        }

        RsmTransportHealth health = engine.CheckHealth();
        var data = new Dictionary<string, object>(health.Data, StringComparer.Ordinal) { ["open"] = true, ["start_with_host"] = startWithHost };
        string description = $"controller '{name}' ({engine.ProviderName}, node {engine.LocalNodeId}): {health.Description}";
        HealthStatus status = health.Status switch
        {
            RsmHealthStatus.Healthy => HealthStatus.Healthy,
            RsmHealthStatus.Degraded => HealthStatus.Degraded,
            _ => context.Registration.FailureStatus,
        };
        return Task.FromResult(new HealthCheckResult(status, description, health.Failure, data));
    }
}
