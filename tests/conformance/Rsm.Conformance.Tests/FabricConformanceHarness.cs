using System.Security.Cryptography;
using Microsoft.Extensions.DependencyInjection;
using Rsm.Providers.Fabric.Interop;

namespace Rsm.Conformance.Tests;

/// <summary>
/// Runs the suite against the Fabric provider on one libfabric provider (<c>tcp;ofi_rxm</c> or <c>shm</c>): the nodes
/// of a harness run their control plane on ephemeral ports of 127.0.0.1 in this process, authenticate with a cluster
/// key of their own, and move the bytes of every import on the fabric. Without libfabric every area is skipped, with
/// the package to install as the reason.
/// </summary>
public abstract class FabricConformanceHarness(string fabricProvider) : RsmProviderHarness
{
    private readonly string _key = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));

    public override string ProviderName => "Fabric";

    public override ConformanceCapabilities Capabilities =>
        ConformanceCapabilities.SecondNode | ConformanceCapabilities.Mapping | ConformanceCapabilities.LockOperations;

    public override string ControllerName => "fabric";

    public override IReadOnlyDictionary<ConformanceArea, string> NotApplicableAreas { get; } = Unavailable(fabricProvider) is { } reason
        ? Enum.GetValues<ConformanceArea>().ToDictionary(a => a, _ => reason)
        : new Dictionary<ConformanceArea, string>
        {
            [ConformanceArea.Lifetime] = "The Lifetime checks put several processes on one node id; on Fabric, as on Tcp, each process is a node of its own. FabricRxmLifetimeConformanceTests and FabricShmLifetimeConformanceTests run items 31, 72 and 81-84 with one node per process; FabricProcessTests runs exporter and importer death on each transport.",
        };

    protected override IEnumerable<KeyValuePair<string, string?>> SharedSettings =>
    [
        new("FabricProvider", fabricProvider), new("Listen", "127.0.0.1:0"), new("ClusterKey", _key), new("ConnectTimeout", "00:00:05"),
        new("KeepAliveInterval", "00:00:01"), new("SilenceLimit", "00:00:10"), new("FabricTimeout", "00:00:05"),
    ];

    protected override void Register(IServiceCollection services) => services.AddFabricProvider();

    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, Lazy<string?>> Probed = new(StringComparer.Ordinal);

    /// <summary>Why the provider cannot run here, or null when libfabric and the provider are there; probed once per process.</summary>
    public static string? Unavailable(string fabricProvider) => Probed.GetOrAdd(fabricProvider, p => new Lazy<string?>(() => Probe(p))).Value;

    private static string? Probe(string fabricProvider)
    {
        if (!FabricLibrary.IsAvailable)
        {
            return "libfabric.so.1 is not installed (Debian and Ubuntu: apt-get install libfabric1)";
        }

        try
        {
            using FabricDomain domain = FabricDomain.Open(fabricProvider, null);
            return null;
        }
        catch (RsmException ex)
        {
            return $"the libfabric provider '{fabricProvider}' is not usable here: {ex.Message}";
        }
    }
}

/// <summary>Fabric over <c>tcp;ofi_rxm</c>, any IP network.</summary>
public sealed class FabricRxmConformanceHarness() : FabricConformanceHarness("tcp;ofi_rxm");

/// <summary>Fabric over <c>shm</c>, one host.</summary>
public sealed class FabricShmConformanceHarness() : FabricConformanceHarness("shm");
