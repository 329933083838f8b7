using Microsoft.Extensions.Configuration;

namespace Rsm.DependencyInjection;

/// <summary>Binds <see cref="RsmOptions"/> by hand: a controller's section is kept raw for its provider, which binds and validates it itself.</summary>
internal static class RsmOptionsBinder
{
    internal const string ControllersKey = "Controllers";
    internal const string ProviderKey = "Provider";
    internal const string StartWithHostKey = "StartWithHost";

    public static IEnumerable<IConfigurationSection> GetControllerSections(IConfiguration configuration) =>
        configuration.GetSection(ControllersKey).GetChildren();

    public static void Bind(IConfiguration configuration, RsmOptions options)
    {
        options.ControllersPath = configuration.GetSection(ControllersKey).Path;
        foreach (IConfigurationSection section in GetControllerSections(configuration))
        {
            string? startWithHost = section[StartWithHostKey];
            bool parsed = bool.TryParse(startWithHost, out bool start);
            options.Controllers[section.Key] = new RsmControllerOptions
            {
                Provider = section[ProviderKey],
                Settings = section,
                ConfigurationPath = section.Path,
                StartWithHost = parsed && start,
                InvalidStartWithHost = startWithHost is null || parsed ? null : startWithHost,
            };
        }
    }

    public static void Merge(RsmOptions source, RsmOptions target)
    {
        foreach (KeyValuePair<string, RsmControllerOptions> controller in source.Controllers)
        {
            target.Controllers[controller.Key] = controller.Value;
        }
    }

    /// <summary>The configuration path of controller <paramref name="name"/>, for error messages.</summary>
    public static string PathOf(string name, RsmControllerOptions? options) =>
        options?.ConfigurationPath ?? $"Rsm:{ControllersKey}:{name}";

    /// <summary>The settings handed to the provider: the raw section with the code-given values layered over it.</summary>
    public static IConfiguration SettingsOf(RsmControllerOptions? options)
    {
        if (options?.Settings is { } settings && options.Values.Count == 0)
        {
            return settings;
        }

        var builder = new ConfigurationBuilder();
        if (options?.Settings is { } baseSettings)
        {
            builder.AddConfiguration(baseSettings, shouldDisposeConfiguration: false);
        }

        if (options is not null)
        {
            builder.AddInMemoryCollection(options.Values);
        }

        return builder.Build();
    }
}
