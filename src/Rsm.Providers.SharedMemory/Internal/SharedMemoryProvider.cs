using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Rsm.Engine;

namespace Rsm.Providers.SharedMemory.Internal;

/// <summary>
/// Opens SharedMemory controllers. Controllers of one provider instance with the same prefix and node id share one
/// node record in this process; other processes of the node are reached through the rendezvous sockets.
/// </summary>
internal sealed class SharedMemoryProvider(IOptionsFactory<SharedMemoryProviderOptions> defaults, ILoggerFactory? loggerFactory = null) : IRsmProvider, IDisposable
{
    public const string ProviderName = "SharedMemory";

    private readonly Dictionary<(string Prefix, uint NodeId), RsmNode> _nodes = [];
    private readonly Lazy<SocketReactor> _reactor = new(() => new SocketReactor(), LazyThreadSafetyMode.ExecutionAndPublication);

    public string Name => ProviderName;

    public int Version => IRsmProvider.CurrentVersion;

    /// <summary>The thread that serves every rendezvous socket of this provider.</summary>
    public SocketReactor Reactor => _reactor.Value;

    /// <summary>How this provider's exporters read an importer's credentials: the kernel's, unless a test stands in for it.</summary>
    public PeerCredentialReader PeerCredentials { get; set; } = PeerCredentialReader.Kernel;

    public IRsmController CreateController(string name, IConfiguration settings, string configurationPath)
    {
        ArgumentNullException.ThrowIfNull(settings);
        SharedMemoryServiceCollectionExtensions.EnsureSupported();
        // A fresh instance per controller: the registered defaults, then this controller's section over them.
        SharedMemoryProviderOptions options = defaults.Create(Options.DefaultName);
        settings.Bind(options);
        Validate(options, configurationPath);
        RsmControllerAttributes attributes = Limits(options).ToAttributes(RsmCapabilities.Mapping | RsmCapabilities.LockOperations | RsmCapabilities.TransparentRebind);

        RsmNode node;
        lock (_nodes)
        {
            if (!_nodes.TryGetValue((options.RendezvousPrefix, options.NodeId), out node!))
            {
                node = new RsmNode(options.NodeId, attributes);
                _nodes.Add((options.RendezvousPrefix, options.NodeId), node);
            }
        }

        // The reactor starts with the first controller, so a controller's descriptors are all in place once it is open.
        _ = Reactor;
        var transport = new SharedMemoryTransport(this, node, attributes, options);
        ILogger logger = loggerFactory?.CreateLogger("Rsm.SharedMemory") ?? NullLogger.Instance;
        return new RsmEngineController(name, transport, logger);
    }

    public void Dispose()
    {
        if (_reactor.IsValueCreated)
        {
            _reactor.Value.Dispose();
        }
    }


    private static EngineLimits Limits(SharedMemoryProviderOptions options) =>
        new(options.NodeId, options.MaxExportSegmentSize, options.TotalExportSegmentSize, options.MaxExportSegments, options.MaxImportSegments, options.MaxNodes, options.SegmentIdRangeFile);

    private static void Validate(SharedMemoryProviderOptions options, string path)
    {
        List<string> failures = Limits(options).Check(path);
        if (string.IsNullOrEmpty(options.RendezvousPrefix) || options.RendezvousPrefix.Contains('\0', StringComparison.Ordinal) || options.RendezvousPrefix.Length > 64)
        {
            failures.Add($"{path}:RendezvousPrefix: '{options.RendezvousPrefix}' must be 1 to 64 characters without NUL.");
        }

        if (options.ConnectTimeout <= TimeSpan.Zero || options.ConnectTimeout > TimeSpan.FromHours(1))
        {
            failures.Add($"{path}:ConnectTimeout: {options.ConnectTimeout} must be positive and at most one hour.");
        }

        EngineLimits.ThrowIfAny<SharedMemoryProviderOptions>(path, failures);
    }
}
