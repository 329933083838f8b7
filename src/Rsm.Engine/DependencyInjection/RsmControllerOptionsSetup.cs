using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Rsm.Engine;

namespace Rsm.DependencyInjection;

/// <summary>
/// Makes a provider's options named per controller: for the name of a configured controller served by an engine-based
/// provider, it applies the code of <c>AddController&lt;TOptions&gt;</c>, then binds the controller's configuration
/// section, after the registered defaults; and it validates them with the engine's limits and the provider's own rules.
/// So <c>IOptionsMonitor&lt;TOptions&gt;.Get(name)</c> gives the options the controller opens with, and every
/// <see cref="IValidateOptions{TOptions}"/> an application registers judges them too.
/// </summary>
/// <typeparam name="TOptions">The provider's options type.</typeparam>
internal sealed class RsmControllerOptionsSetup<TOptions>(IOptions<RsmOptions> rsm, IServiceProvider services)
    : IPostConfigureOptions<TOptions>, IValidateOptions<TOptions>
    where TOptions : class
{
    public void PostConfigure(string? name, TOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options is not RsmProviderOptions engineOptions || !TryFind(name, out RsmControllerOptions? controller, out IRsmEngineProvider? provider))
        {
            return;
        }

        foreach (Delegate configure in controller.Configure)
        {
            if (configure is Action<TOptions> action)
            {
                action(options);
            }
        }

        provider.BindSettings(RsmOptionsBinder.SettingsOf(controller), options);
        engineOptions.ControllerPath = RsmOptionsBinder.PathOf(name!, controller);
    }

    public ValidateOptionsResult Validate(string? name, TOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options is not RsmProviderOptions { ControllerPath: { } path } || !TryFind(name, out _, out IRsmEngineProvider? provider))
        {
            return ValidateOptionsResult.Skip;
        }

        List<string> failures = provider.Check(options, path);
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private bool TryFind(
        string? name,
        [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out RsmControllerOptions? controller,
        [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out IRsmEngineProvider? provider)
    {
        provider = null;
        if (string.IsNullOrEmpty(name) || !rsm.Value.Controllers.TryGetValue(name, out controller))
        {
            controller = null;
            return false;
        }

        provider = RsmProviderSelector.Select(services.GetServices<IRsmProvider>(), controller) as IRsmEngineProvider;
        return provider is not null && provider.OptionsType == typeof(TOptions);
    }
}
