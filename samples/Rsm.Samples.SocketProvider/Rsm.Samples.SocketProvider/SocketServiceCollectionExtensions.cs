using Rsm;
using Rsm.Samples.Sockets;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the Socket provider (Linux only).</summary>
public static class SocketServiceCollectionExtensions
{
    /// <summary>Registers the Socket provider under the provider name <c>Socket</c>.</summary>
    /// <param name="services">The services.</param>
    /// <returns><paramref name="services"/>.</returns>
    public static IServiceCollection AddSocketProvider(this IServiceCollection services) => services.AddSocketProvider(static _ => { });

    /// <summary>Registers the Socket provider with defaults that each controller's configuration section overrides.</summary>
    /// <param name="services">The services.</param>
    /// <param name="configure">Sets default options for every Socket controller.</param>
    /// <returns><paramref name="services"/>.</returns>
    public static IServiceCollection AddSocketProvider(this IServiceCollection services, Action<SocketProviderOptions> configure) =>
        services.AddRsmProvider<SocketProvider, SocketProviderOptions>(configure);

    /// <summary>Registers the Socket provider on an Rsm builder (<c>AddRsm(...).AddSocketProvider()</c>).</summary>
    /// <param name="builder">The builder returned by <c>AddRsm</c>.</param>
    /// <returns><paramref name="builder"/>.</returns>
    public static IRsmBuilder AddSocketProvider(this IRsmBuilder builder) => builder.AddSocketProvider(static _ => { });

    /// <summary>Registers the Socket provider on an Rsm builder with defaults that configuration values override.</summary>
    /// <param name="builder">The builder returned by <c>AddRsm</c>.</param>
    /// <param name="configure">Sets default options for every Socket controller.</param>
    /// <returns><paramref name="builder"/>.</returns>
    public static IRsmBuilder AddSocketProvider(this IRsmBuilder builder, Action<SocketProviderOptions> configure) =>
        builder.AddRsmProvider<SocketProvider, SocketProviderOptions>(configure);
}
