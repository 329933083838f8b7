using Rsm.Providers.Tcp;

namespace Rsm.Providers.Fabric;

/// <summary>
/// Settings of a Fabric controller, bound from its configuration section (<c>Rsm:Controllers:&lt;name&gt;</c>). A Fabric
/// node is a Tcp node for its control plane (connect, admission, aborts, signals, liveness: every setting of
/// <see cref="TcpProviderOptions"/> applies, cluster key or TLS included) whose imports move their bytes and run their
/// lock operations with remote memory access on a libfabric provider.
/// </summary>
public sealed class FabricProviderOptions : TcpProviderOptions
{
    /// <summary>The default libfabric provider.</summary>
    public const string DefaultFabricProvider = "tcp;ofi_rxm";

    /// <summary>
    /// The libfabric provider, as <c>fi_info -p</c> names it: <c>tcp;ofi_rxm</c> (the default: any IP network),
    /// <c>shm</c> (one host), <c>verbs;ofi_rxm</c> (InfiniBand, RoCE), <c>efa</c> (AWS), <c>cxi</c> (HPE Slingshot).
    /// Every node of a cluster uses the same one; an importer whose exporter runs another is served with frames.
    /// </summary>
    public string FabricProvider { get; set; } = DefaultFabricProvider;

    /// <summary>The libfabric domain (for example the NIC <c>mlx5_0</c>), or null for the first one the provider offers.</summary>
    public string? FabricDomain { get; set; }

    /// <summary>
    /// The longest one transfer or lock operation on the fabric may wait for its completion; then it is served over the
    /// control plane, which reports BarrierFailure (38) for a peer that does not answer either and ConnectionAborted (40)
    /// for a lost one. Default 5 seconds.
    /// </summary>
    public TimeSpan FabricTimeout { get; set; } = TimeSpan.FromSeconds(5);
}
