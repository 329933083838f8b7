using Microsoft.Extensions.Configuration;

namespace Rsm.Engine;

/// <summary>
/// A transport provider as the controller factory sees it. A provider package registers one singleton implementation
/// (<c>Add&lt;Provider&gt;Provider</c>); the factory picks it by the <c>Provider</c> key of a controller's configuration.
/// </summary>
public interface IRsmProvider
{
    /// <summary>The library version the provider implements; the factory accepts only 1 (<c>RSM_LIB_VERSION</c>) and reports BadLibraryVersion (1) otherwise.</summary>
    const int CurrentVersion = 1;

    /// <summary>The provider name used in configuration (<c>Loopback</c>, <c>SharedMemory</c>, <c>Tcp</c>), compared case-insensitively.</summary>
    string Name { get; }

    /// <summary>The library version the provider implements.</summary>
    int Version { get; }

    /// <summary>Opens a controller. The factory calls this once per name and counts references itself.</summary>
    /// <param name="name">The controller name.</param>
    /// <param name="settings">The controller's configuration section (may be empty).</param>
    /// <param name="configurationPath">The path of <paramref name="settings"/>, for error messages.</param>
    /// <returns>A controller with one reference.</returns>
    /// <exception cref="Microsoft.Extensions.Options.OptionsValidationException">The settings are invalid; the message names the configuration path.</exception>
    IRsmController CreateController(string name, IConfiguration settings, string configurationPath);

    /// <summary>
    /// Checks a controller's settings without opening it, as <see cref="CreateController"/> would check them: the hosted
    /// controllers (<c>AddHostedControllers</c>) check every configured controller at host start, so that a wrong
    /// setting stops the host before anything listens. The default checks nothing; the settings are then checked when
    /// the controller opens.
    /// </summary>
    /// <param name="name">The controller name.</param>
    /// <param name="settings">The controller's configuration section (may be empty).</param>
    /// <param name="configurationPath">The path of <paramref name="settings"/>, for error messages.</param>
    /// <exception cref="Microsoft.Extensions.Options.OptionsValidationException">The settings are invalid; the message names the configuration path.</exception>
    void ValidateSettings(string name, IConfiguration settings, string configurationPath)
    {
    }
}

/// <summary>Reference counting of a controller, used by the factory for repeated <c>rsm_get_controller</c> calls.</summary>
public interface IRsmControllerLifetime
{
    /// <summary>Adds a reference unless the controller was already closed.</summary>
    /// <returns><see langword="false"/> when the last reference is gone and a new controller must be opened.</returns>
    bool TryAddReference();
}
