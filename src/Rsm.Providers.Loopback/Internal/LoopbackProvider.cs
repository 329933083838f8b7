using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Rsm.Engine;

namespace Rsm.Providers.Loopback.Internal;

/// <summary>
/// Opens Loopback controllers. Controllers of one provider instance with the same node id share one node
/// (export table, segment ids, quota), as controllers of one host do.
/// </summary>
internal sealed class LoopbackProvider(IOptionsFactory<LoopbackProviderOptions> defaults, ILoggerFactory? loggerFactory = null) : IRsmProvider
{
    public const string ProviderName = "Loopback";

    private readonly Dictionary<uint, RsmNode> _nodes = [];

    public string Name => ProviderName;

    public int Version => IRsmProvider.CurrentVersion;

    public IRsmController CreateController(string name, IConfiguration settings, string configurationPath)
    {
        ArgumentNullException.ThrowIfNull(settings);
        // A fresh instance per controller: the registered defaults, then this controller's section over them.
        LoopbackProviderOptions options = defaults.Create(Options.DefaultName);
        settings.Bind(options);
        Validate(options, configurationPath);

        RsmControllerAttributes attributes = Limits(options).ToAttributes(
            RsmCapabilities.Mapping | RsmCapabilities.LockOperations | (OperatingSystem.IsLinux() ? RsmCapabilities.TransparentRebind : 0));

        RsmNode node;
        lock (_nodes)
        {
            if (!_nodes.TryGetValue(options.NodeId, out node!))
            {
                node = new RsmNode(options.NodeId, attributes);
                _nodes.Add(options.NodeId, node);
            }
        }

        var transport = new LoopbackTransport(node, attributes, options.SegmentIdRangeFile);
        ILogger logger = loggerFactory?.CreateLogger("Rsm.Loopback") ?? NullLogger.Instance;
        return new RsmEngineController(name, transport, logger);
    }


    private static EngineLimits Limits(LoopbackProviderOptions options) =>
        new(options.NodeId, options.MaxExportSegmentSize, options.TotalExportSegmentSize, options.MaxExportSegments, options.MaxImportSegments, options.MaxNodes, options.SegmentIdRangeFile);

    private static void Validate(LoopbackProviderOptions options, string path) =>
        EngineLimits.ThrowIfAny<LoopbackProviderOptions>(path, Limits(options).Check(path));
}
