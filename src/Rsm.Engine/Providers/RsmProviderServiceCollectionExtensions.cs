using System.Diagnostics.CodeAnalysis;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Rsm;
using Rsm.DependencyInjection;
using Rsm.Engine;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>The registration every provider package's <c>Add&lt;Provider&gt;Provider</c> methods make.</summary>
public static class RsmProviderServiceCollectionExtensions
{
    /// <summary>
    /// Registers <typeparamref name="TProvider"/> once as an <see cref="IRsmProvider"/> singleton, with defaults for its
    /// options (for every name: <c>ConfigureAll</c>) that each controller's configuration section overrides. For an
    /// engine-based provider, each configured controller's options are the named options of its name
    /// (<c>IOptionsMonitor&lt;TOptions&gt;.Get("tcp0")</c>), validated through <see cref="IValidateOptions{TOptions}"/>.
    /// Repeated calls add to the defaults and register the provider only once.
    /// </summary>
    /// <typeparam name="TProvider">The provider.</typeparam>
    /// <typeparam name="TOptions">Its options.</typeparam>
    /// <param name="services">The services.</param>
    /// <param name="configure">Sets default options for every controller of the provider.</param>
    /// <returns><paramref name="services"/>.</returns>
    public static IServiceCollection AddRsmProvider<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicConstructors)] TProvider, TOptions>(this IServiceCollection services, Action<TOptions> configure)
        where TProvider : class, IRsmProvider
        where TOptions : class
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configure);
        services.AddOptions();
        services.ConfigureAll(configure);
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IPostConfigureOptions<TOptions>, RsmControllerOptionsSetup<TOptions>>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<TOptions>, RsmControllerOptionsSetup<TOptions>>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IRsmProvider, TProvider>());
        return services;
    }

    /// <summary>As <see cref="AddRsmProvider{TProvider, TOptions}(IServiceCollection, Action{TOptions})"/>, on an Rsm builder (<c>AddRsm(...)</c>).</summary>
    /// <typeparam name="TProvider">The provider.</typeparam>
    /// <typeparam name="TOptions">Its options.</typeparam>
    /// <param name="builder">The builder returned by <c>AddRsm</c>.</param>
    /// <param name="configure">Sets default options for every controller of the provider.</param>
    /// <returns><paramref name="builder"/>.</returns>
    public static IRsmBuilder AddRsmProvider<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicConstructors)] TProvider, TOptions>(this IRsmBuilder builder, Action<TOptions> configure)
        where TProvider : class, IRsmProvider
        where TOptions : class
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddRsmProvider<TProvider, TOptions>(configure);
        return builder;
    }
}
