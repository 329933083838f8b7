using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Rsm;
using Rsm.DependencyInjection;
using Rsm.Engine;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers Rsm: the controller factory (<see cref="IRsmControllerFactory"/>), its options and the named controllers as keyed services.</summary>
public static class RsmServiceCollectionExtensions
{
    /// <summary>
    /// Registers Rsm with controllers bound from <paramref name="configuration"/>, normally the <c>Rsm</c> section:
    /// <c>Controllers:&lt;name&gt;:Provider</c> picks a controller's provider and the rest of its section is the provider's settings.
    /// Every configured controller is also a keyed <see cref="IRsmController"/> service under its name. Calling it again is harmless.
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="configuration">The Rsm configuration section.</param>
    /// <returns>A builder on which provider packages chain their registration.</returns>
    public static IRsmBuilder AddRsm(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);

        services.AddOptions<RsmOptions>().Configure(options => RsmOptionsBinder.Bind(configuration, options));
        foreach (IConfigurationSection controller in RsmOptionsBinder.GetControllerSections(configuration))
        {
            AddKeyedController(services, controller.Key);
        }

        return AddCore(services);
    }

    /// <summary>
    /// Registers Rsm with controllers defined in code. <paramref name="configure"/> runs once, at registration; every
    /// controller it defines is also a keyed <see cref="IRsmController"/> service under its name. Calling it again is harmless.
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="configure">Defines the controllers, for example <c>o =&gt; o.AddController("loopback", "Loopback")</c>.</param>
    /// <returns>A builder on which provider packages chain their registration.</returns>
    public static IRsmBuilder AddRsm(this IServiceCollection services, Action<RsmOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configure);

        var defined = new RsmOptions();
        configure(defined);
        services.AddOptions<RsmOptions>().Configure(options => RsmOptionsBinder.Merge(defined, options));
        foreach (string name in defined.Controllers.Keys)
        {
            AddKeyedController(services, name);
        }

        return AddCore(services);
    }

    /// <summary>
    /// Starts Rsm with the host (<see cref="Microsoft.Extensions.Hosting.IHostedService"/>). At start it checks every
    /// configured controller without opening it, and fails the start with an <see cref="RsmException"/> naming the
    /// configuration path of each problem (BadConfiguration (44); ControllerNotPresent (4) for a provider that is not
    /// registered). It then opens the controllers whose <c>StartWithHost</c> is true, in configuration order, so that a
    /// Tcp node listens before any code touches it. At stop it releases them in the reverse order, each within
    /// <see cref="RsmHostingOptions.StopTimeout"/>; what a provider keeps beyond its controllers (a Tcp node's listener)
    /// ends when the host's services are disposed. Hosting options that are not valid (a <see cref="RsmHostingOptions.StopTimeout"/>
    /// outside 1 ms to 1 hour) fail the start with an <see cref="OptionsValidationException"/>. Calling it again is harmless.
    /// </summary>
    /// <param name="builder">The builder <c>AddRsm</c> returned.</param>
    /// <param name="configure">Adjusts the hosting options, or null.</param>
    /// <returns>The same builder.</returns>
    public static IRsmBuilder AddHostedControllers(this IRsmBuilder builder, Action<RsmHostingOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        OptionsBuilder<RsmHostingOptions> options = builder.Services.AddOptions<RsmHostingOptions>();
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<RsmHostingOptions>, RsmHostingOptionsValidator>());
        if (configure is not null)
        {
            _ = options.Configure(configure);
        }

        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<Microsoft.Extensions.Hosting.IHostedService, RsmHostedControllers>());
        return builder;
    }

    /// <summary>
    /// Adds the controller <paramref name="name"/>, served by the registered provider whose options are
    /// <typeparamref name="TOptions"/> (<c>AddRsm(...).AddController&lt;TcpProviderOptions&gt;("tcp0", o =&gt; o.NodeId = 1)</c>),
    /// and registers it as a keyed <see cref="IRsmController"/> service. Its options are the provider's registered defaults,
    /// then <paramref name="configure"/>, then the controller's configuration section if <c>AddRsm</c>'s configuration has
    /// one (configuration values override code); they are the named options <c>IOptionsMonitor&lt;TOptions&gt;.Get(name)</c>,
    /// validated through every registered <see cref="IValidateOptions{TOptions}"/>. A controller of the same name in the
    /// configuration keeps its section and provider; the provider must then use <typeparamref name="TOptions"/>.
    /// </summary>
    /// <typeparam name="TOptions">The provider's options type, for example <c>TcpProviderOptions</c>.</typeparam>
    /// <param name="builder">The builder <c>AddRsm</c> returned.</param>
    /// <param name="name">The controller name.</param>
    /// <param name="configure">Sets this controller's options.</param>
    /// <param name="startWithHost">Whether the hosted controllers open it when the host starts (<see cref="RsmControllerOptions.StartWithHost"/>).</param>
    /// <returns>The same builder.</returns>
    public static IRsmBuilder AddController<TOptions>(this IRsmBuilder builder, string name, Action<TOptions> configure, bool startWithHost = false)
        where TOptions : RsmProviderOptions
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(configure);
        builder.Services.Configure<RsmOptions>(options =>
        {
            if (!options.Controllers.TryGetValue(name, out RsmControllerOptions? controller))
            {
                controller = new RsmControllerOptions();
                options.Controllers[name] = controller;
            }

            controller.OptionsType = typeof(TOptions);
            controller.Configure.Add(configure);
            controller.StartWithHost |= startWithHost;
        });
        AddKeyedController(builder.Services, name);
        return builder;
    }

    private static RsmBuilder AddCore(IServiceCollection services)
    {
        services.TryAddSingleton<IRsmControllerFactory>(static sp => new RsmControllerFactory(
            sp.GetRequiredService<IOptions<RsmOptions>>().Value,
            sp.GetServices<IRsmProvider>(),
            sp.GetService<ILoggerFactory>()));
        return new RsmBuilder(services);
    }

    private static void AddKeyedController(IServiceCollection services, string name) =>
        services.TryAddKeyedSingleton<IRsmController>(
            name,
            static (sp, key) => sp.GetRequiredService<IRsmControllerFactory>().GetController((string)key!));
}
