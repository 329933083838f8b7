namespace Rsm.Conformance;

/// <summary>
/// The one hook through which a provider joins the suite. The suite creates a new harness for every test and
/// disposes it afterwards; every controller created through one harness belongs to one isolated set of nodes.
/// </summary>
public abstract class RsmConformanceHarness : IDisposable
{
    /// <summary>The provider's name, as used in test class names.</summary>
    public abstract string ProviderName { get; }

    /// <summary>The optional abilities the provider has.</summary>
    public abstract ConformanceCapabilities Capabilities { get; }

    /// <summary>The controller name under which <see cref="CreateServiceProvider"/> registers the provider.</summary>
    public abstract string ControllerName { get; }

    /// <summary>Areas the provider does not run, each with the reason.</summary>
    public virtual IReadOnlyDictionary<ConformanceArea, string> NotApplicableAreas { get; } = new Dictionary<ConformanceArea, string>();

    /// <summary>Creates a controller for one node of this harness's isolated cluster.</summary>
    /// <param name="options">The node's id and limits.</param>
    /// <returns>A controller with one reference.</returns>
    public abstract IRsmController CreateController(ConformanceNodeOptions options);

    /// <summary>Builds a controller factory through dependency injection with the provider registered under <see cref="ControllerName"/>.</summary>
    /// <returns>The service provider (disposed by the caller); it resolves <see cref="IRsmControllerFactory"/>.</returns>
    public abstract IServiceProvider CreateServiceProvider();

    /// <summary>
    /// Starts a peer process with a controller for <paramref name="options"/> of this harness's cluster, serving
    /// <see cref="ConformancePeerHost"/> requests. Providers that declare <see cref="ConformanceCapabilities.SecondProcess"/> implement it.
    /// </summary>
    /// <param name="options">The peer node's id and limits.</param>
    /// <param name="identity">Who the peer runs as.</param>
    /// <returns>The running peer; the caller disposes it.</returns>
    public virtual ConformancePeer StartPeer(ConformanceNodeOptions options, ConformancePeerIdentity identity) =>
        throw new NotSupportedException($"{ProviderName} does not start peer processes.");

    /// <summary>
    /// Host-wide traces of a published segment that outlive nothing: for example rendezvous socket names. After the
    /// exporter is gone, none may remain.
    /// </summary>
    /// <param name="nodeId">The exporter's node id.</param>
    /// <param name="segmentId">The segment id.</param>
    /// <returns>The traces found now.</returns>
    public virtual IReadOnlyList<string> FindSegmentTraces(uint nodeId, uint segmentId) => [];

    /// <summary>Releases what the harness created.</summary>
    public void Dispose()
    {
        Dispose(true);
        GC.SuppressFinalize(this);
    }

    /// <summary>Releases what the harness created.</summary>
    /// <param name="disposing">True from <see cref="Dispose()"/>.</param>
    protected virtual void Dispose(bool disposing)
    {
    }
}
