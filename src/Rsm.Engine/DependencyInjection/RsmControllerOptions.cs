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

    /// <summary>The configuration path of the controller, for error messages.</summary>
    internal string? ConfigurationPath { get; set; }
}
