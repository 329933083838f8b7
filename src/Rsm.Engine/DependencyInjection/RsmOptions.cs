namespace Rsm;

/// <summary>
/// The Rsm configuration: the named controllers. Bound from the <c>Rsm</c> configuration section
/// (<c>Rsm:Controllers:&lt;name&gt;</c>) or built in code.
/// </summary>
public sealed class RsmOptions
{
    /// <summary>The controllers by name (<c>loopback</c>, <c>shm0</c>, <c>tcp0</c>, ...); names compare case-insensitively. Empty by default.</summary>
    public Dictionary<string, RsmControllerOptions> Controllers { get; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Where the controllers were looked for, for error messages: a configuration path, or null when defined in code.</summary>
    internal string? ControllersPath { get; set; }

    /// <summary>Adds or replaces the controller <paramref name="name"/>.</summary>
    /// <param name="name">The controller name.</param>
    /// <param name="provider">The provider name (<c>Loopback</c>, <c>SharedMemory</c>, <c>Tcp</c>).</param>
    /// <param name="settings">Provider-specific settings as configuration keys and values (for example <c>NodeId</c> or <c>Nodes:2</c>), or <see langword="null"/>.</param>
    /// <returns>These options, for chaining.</returns>
    public RsmOptions AddController(string name, string provider, IDictionary<string, string?>? settings = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentException.ThrowIfNullOrEmpty(provider);
        var controller = new RsmControllerOptions { Provider = provider };
        if (settings is not null)
        {
            foreach (KeyValuePair<string, string?> setting in settings)
            {
                controller.Values[setting.Key] = setting.Value;
            }
        }

        Controllers[name] = controller;
        return this;
    }

    /// <summary>
    /// Adds or replaces the controller <paramref name="name"/>, served by the registered provider whose options are
    /// <typeparamref name="TOptions"/> (for example <c>AddController&lt;TcpProviderOptions&gt;("tcp0", o =&gt; o.NodeId = 1)</c>).
    /// Its options are the provider's registered defaults, then <paramref name="configure"/>, then the controller's
    /// configuration section when <c>AddRsm</c> was given one: configuration values override code. They are the named
    /// options <c>IOptionsMonitor&lt;TOptions&gt;.Get(name)</c> and are validated through every
    /// <see cref="Microsoft.Extensions.Options.IValidateOptions{TOptions}"/> registered for <typeparamref name="TOptions"/>.
    /// </summary>
    /// <typeparam name="TOptions">The provider's options type.</typeparam>
    /// <param name="name">The controller name.</param>
    /// <param name="configure">Sets this controller's options.</param>
    /// <returns>These options, for chaining. Set <c>Controllers[name].StartWithHost</c> to open it with the host.</returns>
    public RsmOptions AddController<TOptions>(string name, Action<TOptions> configure)
        where TOptions : Rsm.Engine.RsmProviderOptions
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(configure);
        var controller = new RsmControllerOptions { OptionsType = typeof(TOptions) };
        controller.Configure.Add(configure);

        Controllers[name] = controller;
        return this;
    }
}
