using Microsoft.Extensions.Configuration;

namespace Rsm.Engine;

/// <summary>What the named-options setup needs of an engine-based provider, whatever its options type.</summary>
internal interface IRsmEngineProvider
{
    /// <summary>The provider's options type.</summary>
    Type OptionsType { get; }

    /// <summary>Binds a controller's configuration section onto its options.</summary>
    void BindSettings(IConfiguration settings, object options);

    /// <summary>What is wrong with the options: the engine's limits and the provider's own rules, each naming <paramref name="path"/>.</summary>
    List<string> Check(object options, string path);
}
