using System.Security.Cryptography;
using Microsoft.Extensions.DependencyInjection;

namespace Rsm.Conformance.Tests;

/// <summary>
/// Runs the suite against the Tcp provider: the nodes of a harness listen on ephemeral ports of 127.0.0.1 in this
/// process, find each other without a directory, and authenticate with a cluster key of their own.
/// </summary>
public sealed class TcpConformanceHarness : RsmProviderHarness
{
    private readonly string _key = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));

    public override string ProviderName => "Tcp";

    public override ConformanceCapabilities Capabilities =>
        ConformanceCapabilities.SecondNode | ConformanceCapabilities.Mapping | ConformanceCapabilities.LockOperations;

    public override string ControllerName => "tcp";

    public override IReadOnlyDictionary<ConformanceArea, string> NotApplicableAreas { get; } = new Dictionary<ConformanceArea, string>
    {
        [ConformanceArea.Lifetime] = "The Lifetime checks put several processes on one node id; on Tcp each process is a node of its own. TcpLifetimeConformanceTests runs items 31, 72 and 81-84 with one node per process; Tcp's other process checks are TcpProcessTests (exporter and importer death) and MultiHostTests (two hosts, also on Fabric).",
    };

    protected override IEnumerable<KeyValuePair<string, string?>> SharedSettings =>
        [new("Listen", "127.0.0.1:0"), new("ClusterKey", _key), new("ConnectTimeout", "00:00:05"), new("KeepAliveInterval", "00:00:01"), new("SilenceLimit", "00:00:10")];

    protected override void Register(IServiceCollection services) => services.AddTcpProvider();
}
