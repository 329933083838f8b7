using Microsoft.Extensions.Configuration;

namespace Rsm;

/// <summary>One named controller: which provider serves it and the provider's own settings.</summary>
public sealed class RsmControllerOptions
{
    /// <summary>The provider name, matched case-insensitively against the registered providers
    /// (configuration key <c>Rsm:Controllers:&lt;name&gt;:Provider</c>). No default: a controller without one is not present.</summary>
    public string? Provider { get; set; }

    /// <summary>The controller's raw configuration section, handed to the provider, which binds and validates its own options.
    /// <see langword="null"/> (the default) means no section.</summary>
    public IConfiguration? Settings { get; set; }

    /// <summary>Provider-specific settings given in code, as configuration keys and values (<c>NodeId</c>, <c>Nodes:2</c>).
    /// They are layered over <see cref="Settings"/> as an in-memory configuration. Empty by default.</summary>
    public IDictionary<string, string?> Values { get; } = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);

    /// <summary>
    /// Whether the hosted controllers (<c>AddRsm(...).AddHostedControllers()</c>) open this controller when the host
    /// starts and release it when the host stops, so that, for example, a Tcp node listens from the start (configuration
    /// key <c>Rsm:Controllers:&lt;name&gt;:StartWithHost</c>, <c>true</c> or <c>false</c>). False by default: the
    /// controller opens at its first <c>GetController</c>.
    /// </summary>
    public bool StartWithHost { get; set; }

    /// <summary>The <c>StartWithHost</c> text of a configuration that is not <c>true</c> or <c>false</c>; reported at host start.</summary>
    internal string? InvalidStartWithHost { get; set; }

    /// <summary>The configuration path of the controller, for error messages.</summary>
    internal string? ConfigurationPath { get; set; }

    /// <summary>
    /// The options type of a controller defined in code with <c>AddController&lt;TOptions&gt;</c>: when <see cref="Provider"/>
    /// is not set, the registered provider whose options are of this type serves it.
    /// </summary>
    internal Type? OptionsType { get; set; }

    /// <summary>The code that configures a controller defined with <c>AddController&lt;TOptions&gt;</c>, each an <c>Action&lt;TOptions&gt;</c>, in order.</summary>
    internal List<Delegate> Configure { get; } = [];
}
