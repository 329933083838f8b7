using Microsoft.Extensions.DependencyInjection;

namespace Rsm.Conformance.Tests;

/// <summary>Runs the suite against the Loopback provider: one process, one node per harness unless a test asks for more.</summary>
public sealed class LoopbackConformanceHarness : RsmProviderHarness
{
    public override string ProviderName => "Loopback";

    public override ConformanceCapabilities Capabilities =>
        ConformanceCapabilities.Mapping | ConformanceCapabilities.CoherentMapping | ConformanceCapabilities.LockOperations;

    public override string ControllerName => "loopback";

    public override IReadOnlyDictionary<ConformanceArea, string> NotApplicableAreas { get; } = new Dictionary<ConformanceArea, string>
    {
        [ConformanceArea.Lifetime] = "Loopback lives in one process: there is no second process whose death or uid could be observed.",
    };

    protected override void Register(IServiceCollection services) => services.AddLoopbackProvider();
}
