using Rsm;
using Rsm.Providers.Loopback;
using Rsm.Providers.Loopback.Internal;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the Loopback provider.</summary>
public static class LoopbackServiceCollectionExtensions
{
    /// <summary>Registers the Loopback provider under the provider name <c>Loopback</c>.</summary>
    /// <param name="services">The services.</param>
    /// <returns><paramref name="services"/>.</returns>
    public static IServiceCollection AddLoopbackProvider(this IServiceCollection services) => services.AddLoopbackProvider(static _ => { });

    /// <summary>Registers the Loopback provider with defaults that configuration values override.</summary>
    /// <param name="services">The services.</param>
    /// <param name="configure">Sets default options for every Loopback controller.</param>
    /// <returns><paramref name="services"/>.</returns>
    public static IServiceCollection AddLoopbackProvider(this IServiceCollection services, Action<LoopbackProviderOptions> configure)
    {
        return services.AddRsmProvider<LoopbackProvider, LoopbackProviderOptions>(configure);
    }

    /// <summary>Registers the Loopback provider on an Rsm builder (<c>AddRsm(...).AddLoopbackProvider()</c>).</summary>
    /// <param name="builder">The builder returned by <c>AddRsm</c>.</param>
    /// <returns><paramref name="builder"/>.</returns>
    public static IRsmBuilder AddLoopbackProvider(this IRsmBuilder builder) => builder.AddLoopbackProvider(static _ => { });

    /// <summary>Registers the Loopback provider on an Rsm builder with defaults that configuration values override.</summary>
    /// <param name="builder">The builder returned by <c>AddRsm</c>.</param>
    /// <param name="configure">Sets default options for every Loopback controller.</param>
    /// <returns><paramref name="builder"/>.</returns>
    public static IRsmBuilder AddLoopbackProvider(this IRsmBuilder builder, Action<LoopbackProviderOptions> configure)
    {
        return builder.AddRsmProvider<LoopbackProvider, LoopbackProviderOptions>(configure);
    }
}
