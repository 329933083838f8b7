using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using Rsm;
using Rsm.DependencyInjection;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the health checks of the Rsm controllers.</summary>
public static class RsmHealthChecksBuilderExtensions
{
    /// <summary>The prefix of each controller's health-check name: <c>rsm:&lt;controller&gt;</c>.</summary>
    public const string NamePrefix = "rsm:";

    /// <summary>The tag every Rsm health check carries.</summary>
    public const string Tag = "rsm";

    /// <summary>
    /// Registers one health check per configured controller, named <c>rsm:&lt;controller&gt;</c> and tagged <c>rsm</c>
    /// (and <paramref name="tags"/>). A check never opens its controller. It reports Healthy when the controller is
    /// open and its transport serves (a Tcp node listening), or when it is not open yet and opens at first use;
    /// Degraded when a node of its directory is unreachable or silent; Unhealthy when its listener or transport failed,
    /// or when a controller configured to start with the host is not open. The result's data holds the controller's
    /// facts (provider, node, segments exported and imported, connects, forced disconnects, barrier failures, the last
    /// failure) and the transport's (for Tcp: the listen endpoint and each directory node's state). Calling it again
    /// adds nothing: the first call's tags stay.
    /// </summary>
    /// <param name="builder">The health-checks builder (<c>services.AddHealthChecks()</c>).</param>
    /// <param name="tags">More tags for every Rsm check, or null.</param>
    /// <returns>The same builder.</returns>
    public static IHealthChecksBuilder AddRsmHealthChecks(this IHealthChecksBuilder builder, IEnumerable<string>? tags = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        string[] allTags = [Tag, .. tags ?? []];
        // Each call adds its registrations for the controllers no earlier call registered, so a repeated call changes nothing.
        builder.Services.AddSingleton<IConfigureOptions<HealthCheckServiceOptions>>(
            sp => new RsmHealthCheckRegistrations(sp.GetRequiredService<IOptions<RsmOptions>>(), allTags));
        return builder;
    }

    /// <summary>Adds a registration per configured controller when the health-check options are built.</summary>
    private sealed class RsmHealthCheckRegistrations(IOptions<RsmOptions> rsm, string[] tags) : IConfigureOptions<HealthCheckServiceOptions>
    {
        public void Configure(HealthCheckServiceOptions options)
        {
            foreach (string name in rsm.Value.Controllers.Keys)
            {
                string check = NamePrefix + name;
                if (options.Registrations.Any(r => r.Name == check))
                {
                    continue;
                }

                options.Registrations.Add(new HealthCheckRegistration(
                    check,
                    sp => new RsmControllerHealthCheck(sp.GetRequiredService<IRsmControllerFactory>(), name),
                    failureStatus: HealthStatus.Unhealthy,
                    tags));
            }
        }
    }
}
