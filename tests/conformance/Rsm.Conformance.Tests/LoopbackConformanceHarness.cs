using System.Globalization;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Rsm.Engine;

namespace Rsm.Conformance.Tests;

/// <summary>Runs the suite against the Loopback provider: one process, one node per harness unless a test asks for more.</summary>
public sealed class LoopbackConformanceHarness : RsmConformanceHarness
{
    private readonly ServiceProvider _services;
    private readonly IRsmProvider _provider;

    public LoopbackConformanceHarness()
    {
        _services = new ServiceCollection().AddLoopbackProvider().BuildServiceProvider();
        _provider = _services.GetServices<IRsmProvider>().Single(p => p.Name == "Loopback");
    }

    public override string ProviderName => "Loopback";

    public override ConformanceCapabilities Capabilities =>
        ConformanceCapabilities.Mapping | ConformanceCapabilities.LockOperations;

    public override string ControllerName => "loopback";

    public override IReadOnlyDictionary<ConformanceArea, string> NotApplicableAreas { get; } = new Dictionary<ConformanceArea, string>
    {
        [ConformanceArea.Lifetime] = "Loopback lives in one process: there is no second process whose death or uid could be observed.",
    };

    public override IRsmController CreateController(ConformanceNodeOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var settings = new Dictionary<string, string?>
        {
            ["NodeId"] = options.NodeId.ToString(CultureInfo.InvariantCulture),
        };
        if (options.MaxExportSegmentSize is { } max)
        {
            settings["MaxExportSegmentSize"] = max.ToString(CultureInfo.InvariantCulture);
        }

        if (options.TotalExportSegmentSize is { } total)
        {
            settings["TotalExportSegmentSize"] = total.ToString(CultureInfo.InvariantCulture);
        }

        if (options.MaxExportSegments is { } count)
        {
            settings["MaxExportSegments"] = count.ToString(CultureInfo.InvariantCulture);
        }

        if (options.SegmentIdRangeFile is { } file)
        {
            settings["SegmentIdRangeFile"] = file;
        }

        IConfiguration configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        return _provider.CreateController($"loopback-node{options.NodeId}", configuration, $"Rsm:Controllers:loopback-node{options.NodeId}");
    }

    public override IServiceProvider CreateServiceProvider()
    {
        IConfiguration configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["Controllers:loopback:Provider"] = "Loopback" })
            .Build();
        var services = new ServiceCollection();
        services.AddRsm(configuration);
        services.AddLoopbackProvider();
        return services.BuildServiceProvider();
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _services.Dispose();
        }

        base.Dispose(disposing);
    }
}
