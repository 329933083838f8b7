using Rsm;
using Rsm.Providers.Fabric;
using Rsm.Providers.Fabric.Internal;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the Fabric provider.</summary>
public static class FabricServiceCollectionExtensions
{
    /// <summary>Registers the Fabric provider under the provider name <c>Fabric</c>.</summary>
    /// <param name="services">The services.</param>
    /// <returns><paramref name="services"/>.</returns>
    public static IServiceCollection AddFabricProvider(this IServiceCollection services) => services.AddFabricProvider(static _ => { });

    /// <summary>Registers the Fabric provider with defaults that configuration values override.</summary>
    /// <param name="services">The services.</param>
    /// <param name="configure">Sets default options for every Fabric controller.</param>
    /// <returns><paramref name="services"/>.</returns>
    public static IServiceCollection AddFabricProvider(this IServiceCollection services, Action<FabricProviderOptions> configure) =>
        services.AddRsmProvider<FabricProvider, FabricProviderOptions>(configure);

    /// <summary>Registers the Fabric provider on an Rsm builder (<c>AddRsm(...).AddFabricProvider()</c>).</summary>
    /// <param name="builder">The builder returned by <c>AddRsm</c>.</param>
    /// <returns><paramref name="builder"/>.</returns>
    public static IRsmBuilder AddFabricProvider(this IRsmBuilder builder) => builder.AddFabricProvider(static _ => { });

    /// <summary>Registers the Fabric provider on an Rsm builder with defaults that configuration values override.</summary>
    /// <param name="builder">The builder returned by <c>AddRsm</c>.</param>
    /// <param name="configure">Sets default options for every Fabric controller.</param>
    /// <returns><paramref name="builder"/>.</returns>
    public static IRsmBuilder AddFabricProvider(this IRsmBuilder builder, Action<FabricProviderOptions> configure) =>
        builder.AddRsmProvider<FabricProvider, FabricProviderOptions>(configure);
}
