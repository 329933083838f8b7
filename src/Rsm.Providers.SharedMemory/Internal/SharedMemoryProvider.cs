using System.Diagnostics.Metrics;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Rsm.Engine;

namespace Rsm.Providers.SharedMemory.Internal;

/// <summary>
/// Opens SharedMemory controllers. Controllers of one provider instance with the same prefix and node id share one
/// node record in this process; other processes of the node are reached through the rendezvous sockets.
/// </summary>
internal sealed class SharedMemoryProvider(IOptionsFactory<SharedMemoryProviderOptions> defaults, ILoggerFactory? loggerFactory = null, IMeterFactory? meterFactory = null)
    : RsmEngineProvider<SharedMemoryProviderOptions>(ProviderName, defaults, loggerFactory, meterFactory)
{
    public const string ProviderName = "SharedMemory";

    private readonly Lazy<SocketReactor> _reactor = new(() => new SocketReactor(), LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>The thread that serves every rendezvous socket of this provider.</summary>
    public SocketReactor Reactor => _reactor.Value;

    /// <summary>How this provider's exporters read an importer's credentials: the kernel's, unless a test stands in for it.</summary>
    public PeerCredentialReader PeerCredentials { get; set; } = PeerCredentialReader.Kernel;

    protected override void Validate(SharedMemoryProviderOptions options, string path, List<string> failures)
    {
        SharedMemoryServiceCollectionExtensions.EnsureSupported();
        if (string.IsNullOrEmpty(options.RendezvousPrefix) || options.RendezvousPrefix.Contains('\0', StringComparison.Ordinal) || options.RendezvousPrefix.Length > 64)
        {
            failures.Add($"{path}:RendezvousPrefix: '{options.RendezvousPrefix}' must be 1 to 64 characters without NUL.");
        }

        if (options.ConnectTimeout <= TimeSpan.Zero || options.ConnectTimeout > TimeSpan.FromHours(1))
        {
            failures.Add($"{path}:ConnectTimeout: {options.ConnectTimeout} must be positive and at most one hour.");
        }
    }

    /// <inheritdoc/>
    protected override void BindSettings(IConfiguration settings, SharedMemoryProviderOptions options) => settings.Bind(options);

    protected override RsmCapabilities GetCapabilities(SharedMemoryProviderOptions options) =>
        RsmCapabilities.Mapping | RsmCapabilities.LockOperations | RsmCapabilities.TransparentRebind;

    protected override RsmTransport CreateTransport(SharedMemoryProviderOptions options, RsmControllerAttributes attributes)
    {
        RsmNode node = GetOrAddNode((options.RendezvousPrefix, options.NodeId), () => new RsmNode(options.NodeId, attributes));

        // The reactor starts with the first controller, so a controller's descriptors are all in place once it is open.
        _ = Reactor;
        return new SharedMemoryTransport(this, node, attributes, options);
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing && _reactor.IsValueCreated)
        {
            _reactor.Value.Dispose();
        }

        base.Dispose(disposing);
    }
}
