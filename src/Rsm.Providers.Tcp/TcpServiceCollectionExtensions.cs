using Rsm;
using Rsm.Providers.Tcp;
using Rsm.Providers.Tcp.Internal;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the Tcp provider.</summary>
public static class TcpServiceCollectionExtensions
{
    /// <summary>Registers the Tcp provider under the provider name <c>Tcp</c>.</summary>
    /// <param name="services">The services.</param>
    /// <returns><paramref name="services"/>.</returns>
    public static IServiceCollection AddTcpProvider(this IServiceCollection services) => services.AddTcpProvider(static _ => { });

    /// <summary>Registers the Tcp provider with defaults that configuration values override.</summary>
    /// <param name="services">The services.</param>
    /// <param name="configure">Sets default options for every Tcp controller.</param>
    /// <returns><paramref name="services"/>.</returns>
    public static IServiceCollection AddTcpProvider(this IServiceCollection services, Action<TcpProviderOptions> configure)
    {
        return services.AddRsmProvider<TcpProvider, TcpProviderOptions>(configure);
    }

    /// <summary>Registers the Tcp provider on an Rsm builder (<c>AddRsm(...).AddTcpProvider()</c>).</summary>
    /// <param name="builder">The builder returned by <c>AddRsm</c>.</param>
    /// <returns><paramref name="builder"/>.</returns>
    public static IRsmBuilder AddTcpProvider(this IRsmBuilder builder) => builder.AddTcpProvider(static _ => { });

    /// <summary>Registers the Tcp provider on an Rsm builder with defaults that configuration values override.</summary>
    /// <param name="builder">The builder returned by <c>AddRsm</c>.</param>
    /// <param name="configure">Sets default options for every Tcp controller.</param>
    /// <returns><paramref name="builder"/>.</returns>
    public static IRsmBuilder AddTcpProvider(this IRsmBuilder builder, Action<TcpProviderOptions> configure)
    {
        return builder.AddRsmProvider<TcpProvider, TcpProviderOptions>(configure);
    }
}
