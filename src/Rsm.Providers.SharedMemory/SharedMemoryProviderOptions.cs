using Rsm.Engine;

namespace Rsm.Providers.SharedMemory;

/// <summary>
/// Settings of a SharedMemory controller, bound from its configuration section (<c>Rsm:Controllers:&lt;name&gt;</c>).
/// Processes on one host that use the same <see cref="RendezvousPrefix"/> and <see cref="RsmProviderOptions.NodeId"/>
/// form one node; each process of a node keeps its own account of the limits (exported bytes and segments).
/// </summary>
public sealed class SharedMemoryProviderOptions : RsmProviderOptions
{
    /// <summary>
    /// The prefix of the rendezvous socket names (in the Linux abstract namespace, so nothing is left on disk). Processes
    /// with different prefixes never see each other's segments, so several independent clusters can share a host. Default <c>rsm</c>.
    /// </summary>
    public string RendezvousPrefix { get; set; } = "rsm";

    /// <summary>How long a connect waits for the exporter's answer, and an unpublish for each importer to see the abort. Default 5 seconds.</summary>
    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(5);
}
