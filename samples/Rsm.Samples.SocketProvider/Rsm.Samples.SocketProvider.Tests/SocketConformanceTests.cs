using Microsoft.Extensions.DependencyInjection;
using Rsm.Conformance;

[assembly: DoNotParallelize]

namespace Rsm.Samples.Sockets.Tests;

/// <summary>
/// Runs the conformance suite against the Socket provider. Each harness uses a socket prefix of its own, so its nodes
/// are an isolated cluster on the host; two node ids of this process talk through the same sockets as two processes do.
/// Mappings are copies refreshed and shipped at barriers, so the provider does not declare CoherentMapping; .NET segment
/// handles cannot cross processes (DECISIONS F13), so it does not declare CrossProcessHandles.
/// </summary>
public sealed class SocketConformanceHarness : RsmProviderHarness
{
    /// <summary>The socket prefix of this harness's cluster.</summary>
    public string Prefix { get; } = $"rsm-sample/{Environment.ProcessId}/{Guid.NewGuid():N}";

    public override string ProviderName => "Socket";

    public override ConformanceCapabilities Capabilities =>
        ConformanceCapabilities.SecondNode | ConformanceCapabilities.SecondProcess | ConformanceCapabilities.SecondUid |
        ConformanceCapabilities.Mapping | ConformanceCapabilities.LockOperations;

    public override string ControllerName => "sock";

    protected override IEnumerable<KeyValuePair<string, string?>> SharedSettings =>
        [new("SocketPrefix", Prefix), new("RequestTimeout", "00:00:05")];

    protected override string? PeerProgram => Path.Combine(AppContext.BaseDirectory, "Rsm.Samples.SocketProvider.Peer.dll");

    /// <summary>The segment's sockets as the kernel lists them in <c>/proc/net/unix</c> (abstract names start with @).</summary>
    public override IReadOnlyList<string> FindSegmentTraces(uint nodeId, uint segmentId)
    {
        string name = $"@{Prefix}/node{nodeId}/segment{segmentId:x8}";
        return [.. File.ReadLines("/proc/net/unix").Where(line => line.EndsWith(name, StringComparison.Ordinal))];
    }

    protected override void Register(IServiceCollection services) => services.AddSocketProvider();
}

[TestClass] public sealed class SocketControllerConformanceTests : ControllerConformanceTests { protected override RsmConformanceHarness CreateHarness() => new SocketConformanceHarness(); }
[TestClass] public sealed class SocketExportConformanceTests : ExportConformanceTests { protected override RsmConformanceHarness CreateHarness() => new SocketConformanceHarness(); }
[TestClass] public sealed class SocketPublishConformanceTests : PublishConformanceTests { protected override RsmConformanceHarness CreateHarness() => new SocketConformanceHarness(); }
[TestClass] public sealed class SocketImportConformanceTests : ImportConformanceTests { protected override RsmConformanceHarness CreateHarness() => new SocketConformanceHarness(); }
[TestClass] public sealed class SocketDataAccessConformanceTests : DataAccessConformanceTests { protected override RsmConformanceHarness CreateHarness() => new SocketConformanceHarness(); }
[TestClass] public sealed class SocketScatterGatherConformanceTests : ScatterGatherConformanceTests { protected override RsmConformanceHarness CreateHarness() => new SocketConformanceHarness(); }
[TestClass] public sealed class SocketMapConformanceTests : MapConformanceTests { protected override RsmConformanceHarness CreateHarness() => new SocketConformanceHarness(); }
[TestClass] public sealed class SocketBarrierConformanceTests : BarrierConformanceTests { protected override RsmConformanceHarness CreateHarness() => new SocketConformanceHarness(); }
[TestClass] public sealed class SocketEventsConformanceTests : EventsConformanceTests { protected override RsmConformanceHarness CreateHarness() => new SocketConformanceHarness(); }
[TestClass] public sealed class SocketLockOperationsConformanceTests : LockOperationsConformanceTests { protected override RsmConformanceHarness CreateHarness() => new SocketConformanceHarness(); }
[TestClass] public sealed class SocketLifetimeConformanceTests : LifetimeConformanceTests { protected override RsmConformanceHarness CreateHarness() => new SocketConformanceHarness(); }
[TestClass] public sealed class SocketConcurrencyConformanceTests : ConcurrencyConformanceTests { protected override RsmConformanceHarness CreateHarness() => new SocketConformanceHarness(); }
[TestClass] public sealed class SocketComplianceConformanceTests : ComplianceConformanceTests { protected override RsmConformanceHarness CreateHarness() => new SocketConformanceHarness(); }
