using Rsm;
using Rsm.Providers.SharedMemory;
using Rsm.Providers.SharedMemory.Internal;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the SharedMemory provider (Linux only).</summary>
public static class SharedMemoryServiceCollectionExtensions
{
    /// <summary>Registers the SharedMemory provider under the provider name <c>SharedMemory</c>.</summary>
    /// <param name="services">The services.</param>
    /// <returns><paramref name="services"/>.</returns>
    /// <exception cref="PlatformNotSupportedException">The operating system is not Linux.</exception>
    public static IServiceCollection AddSharedMemoryProvider(this IServiceCollection services) => services.AddSharedMemoryProvider(static _ => { });

    /// <summary>Registers the SharedMemory provider with defaults that configuration values override.</summary>
    /// <param name="services">The services.</param>
    /// <param name="configure">Sets default options for every SharedMemory controller.</param>
    /// <returns><paramref name="services"/>.</returns>
    /// <exception cref="PlatformNotSupportedException">The operating system is not Linux.</exception>
    public static IServiceCollection AddSharedMemoryProvider(this IServiceCollection services, Action<SharedMemoryProviderOptions> configure)
    {
        EnsureSupported();
        return services.AddRsmProvider<SharedMemoryProvider, SharedMemoryProviderOptions>(configure);
    }

    /// <summary>Registers the SharedMemory provider on an Rsm builder (<c>AddRsm(...).AddSharedMemoryProvider()</c>).</summary>
    /// <param name="builder">The builder returned by <c>AddRsm</c>.</param>
    /// <returns><paramref name="builder"/>.</returns>
    public static IRsmBuilder AddSharedMemoryProvider(this IRsmBuilder builder) => builder.AddSharedMemoryProvider(static _ => { });

    /// <summary>Registers the SharedMemory provider on an Rsm builder with defaults that configuration values override.</summary>
    /// <param name="builder">The builder returned by <c>AddRsm</c>.</param>
    /// <param name="configure">Sets default options for every SharedMemory controller.</param>
    /// <returns><paramref name="builder"/>.</returns>
    public static IRsmBuilder AddSharedMemoryProvider(this IRsmBuilder builder, Action<SharedMemoryProviderOptions> configure)
    {
        EnsureSupported();
        return builder.AddRsmProvider<SharedMemoryProvider, SharedMemoryProviderOptions>(configure);
    }

    internal static void EnsureSupported()
    {
        if (!OperatingSystem.IsLinux())
        {
            throw new PlatformNotSupportedException(
                "The SharedMemory provider needs Linux (memfd_create, MAP_FIXED rebinding, abstract Unix sockets, SO_PEERCRED and SO_PEERGROUPS). Use the Loopback or Tcp provider on this system.");
        }
    }
}
