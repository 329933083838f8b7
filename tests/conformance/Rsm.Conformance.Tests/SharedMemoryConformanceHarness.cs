using Microsoft.Extensions.DependencyInjection;

namespace Rsm.Conformance.Tests;

/// <summary>
/// Runs the suite against the SharedMemory provider. Each harness uses its own rendezvous prefix, so its nodes are an
/// isolated cluster on the host; two node ids in this process talk through the same sockets as two processes would.
/// </summary>
public sealed class SharedMemoryConformanceHarness : RsmProviderHarness
{
    public string Prefix { get; } = $"rsm-test/{Environment.ProcessId}/{Guid.NewGuid():N}";

    public override string ProviderName => "SharedMemory";

    public override ConformanceCapabilities Capabilities =>
        ConformanceCapabilities.SecondNode | ConformanceCapabilities.SecondProcess | ConformanceCapabilities.SecondUid |
        ConformanceCapabilities.Mapping | ConformanceCapabilities.CoherentMapping | ConformanceCapabilities.LockOperations;

    public override string ControllerName => "shm";

    public override IReadOnlyDictionary<ConformanceArea, string> NotApplicableAreas { get; } = new Dictionary<ConformanceArea, string>();

    protected override IEnumerable<KeyValuePair<string, string?>> SharedSettings =>
        [new("RendezvousPrefix", Prefix), new("ConnectTimeout", "00:00:05")];

    protected override string? PeerProgram => Path.Combine(AppContext.BaseDirectory, "Rsm.Conformance.Peer.dll");

    /// <summary>The segment's rendezvous sockets, as the kernel lists them in <c>/proc/net/unix</c> (abstract names start with @).</summary>
    public override IReadOnlyList<string> FindSegmentTraces(uint nodeId, uint segmentId)
    {
        string name = $"@{Prefix}/node{nodeId}/segment{segmentId:x8}";
        return [.. File.ReadLines("/proc/net/unix").Where(line => line.EndsWith(name, StringComparison.Ordinal))];
    }

    protected override void Register(IServiceCollection services) => services.AddSharedMemoryProvider();
}
