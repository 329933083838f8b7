using System.Globalization;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Rsm.Engine;

namespace Rsm.Conformance;

/// <summary>
/// A harness for a provider registered through dependency injection: it opens controllers from configuration the way
/// an application would, one section per node, with settings every controller of the harness shares.
/// </summary>
public abstract class RsmProviderHarness : RsmConformanceHarness
{
    private readonly ServiceProvider _services;
    private readonly IRsmProvider _provider;

    /// <summary>Registers the provider (<see cref="Register"/>) in a service collection of its own and finds it by <see cref="RsmConformanceHarness.ProviderName"/>.</summary>
    protected RsmProviderHarness()
    {
        var services = new ServiceCollection();
        Register(services);
        _services = services.BuildServiceProvider();
        _provider = _services.GetServices<IRsmProvider>().Single(p => p.Name == ProviderName);
    }

    /// <summary>Settings every controller of this harness gets besides the node options (for example an isolating prefix).</summary>
    protected virtual IEnumerable<KeyValuePair<string, string?>> SharedSettings => [];

    /// <summary>The peer program (a .dll beside the tests), or null when the provider has no peer processes.</summary>
    protected virtual string? PeerProgram => null;

    /// <inheritdoc/>
    public override ConformancePeer StartPeer(ConformanceNodeOptions options, ConformancePeerIdentity identity)
    {
        string program = PeerProgram ?? throw new NotSupportedException($"{ProviderName} does not start peer processes.");
        IEnumerable<string> arguments = NodeSettings(options).Select(static s => $"{s.Key}={s.Value}").Prepend($"Provider={ProviderName}");
        return ConformancePeer.Start(program, arguments, identity);
    }

    /// <summary>Registers the provider.</summary>
    /// <param name="services">The services.</param>
    protected abstract void Register(IServiceCollection services);

    /// <inheritdoc/>
    public override IRsmController CreateController(ConformanceNodeOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        string name = $"{ControllerName}-node{options.NodeId}";
        IConfiguration configuration = new ConfigurationBuilder().AddInMemoryCollection(NodeSettings(options)).Build();
        return _provider.CreateController(name, configuration, $"Rsm:Controllers:{name}");
    }

    /// <inheritdoc/>
    public override IServiceProvider CreateServiceProvider()
    {
        var settings = new Dictionary<string, string?> { [$"Controllers:{ControllerName}:Provider"] = ProviderName };
        foreach (KeyValuePair<string, string?> setting in SharedSettings)
        {
            settings[$"Controllers:{ControllerName}:{setting.Key}"] = setting.Value;
        }

        IConfiguration configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var services = new ServiceCollection();
        services.AddRsm(configuration);
        Register(services);
        return services.BuildServiceProvider();
    }

    /// <summary>The configuration section of one node's controller.</summary>
    /// <param name="options">The node's options.</param>
    /// <returns>Key-value settings.</returns>
    public Dictionary<string, string?> NodeSettings(ConformanceNodeOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var settings = new Dictionary<string, string?>(SharedSettings)
        {
            ["NodeId"] = options.NodeId.ToString(CultureInfo.InvariantCulture),
        };
        Add(settings, "MaxExportSegmentSize", options.MaxExportSegmentSize);
        Add(settings, "TotalExportSegmentSize", options.TotalExportSegmentSize);
        Add(settings, "MaxExportSegments", options.MaxExportSegments);
        if (options.SegmentIdRangeFile is { } file)
        {
            settings["SegmentIdRangeFile"] = file;
        }

        return settings;
    }

    /// <inheritdoc/>
    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _services.Dispose();
        }

        base.Dispose(disposing);
    }

    private static void Add<T>(Dictionary<string, string?> settings, string key, T? value)
        where T : struct, IFormattable
    {
        if (value is { } v)
        {
            settings[key] = v.ToString(null, CultureInfo.InvariantCulture);
        }
    }
}
