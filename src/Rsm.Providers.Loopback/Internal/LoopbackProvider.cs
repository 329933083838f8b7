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
internal sealed class LoopbackProvider(IOptions<LoopbackProviderOptions> defaults, ILoggerFactory? loggerFactory = null) : IRsmProvider
{
    public const string ProviderName = "Loopback";

    private readonly Dictionary<uint, RsmNode> _nodes = [];

    public string Name => ProviderName;

    public int Version => IRsmProvider.CurrentVersion;

    public IRsmController CreateController(string name, IConfiguration settings, string configurationPath)
    {
        ArgumentNullException.ThrowIfNull(settings);
        LoopbackProviderOptions options = Copy(defaults.Value);
        settings.Bind(options);
        Validate(options, configurationPath);

        nuint page = (nuint)Environment.SystemPageSize;
        var attributes = new RsmControllerAttributes
        {
            DirectAccessSizes = 0x0F,
            AtomicSizes = 0x0C,
            PageSize = page,
            MaxExportSegmentSize = (nuint)options.MaxExportSegmentSize,
            TotalExportSegmentSize = (nuint)options.TotalExportSegmentSize,
            MaxExportSegments = options.MaxExportSegments,
            MaxImportMapSize = (nuint)options.MaxExportSegmentSize,
            TotalImportMapSize = (nuint)options.TotalExportSegmentSize,
            MaxImportSegments = options.MaxImportSegments,
            MaxNodes = options.MaxNodes,
            Capabilities = RsmCapabilities.Mapping | RsmCapabilities.LockOperations | (OperatingSystem.IsLinux() ? RsmCapabilities.TransparentRebind : 0),
        };

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

    private static LoopbackProviderOptions Copy(LoopbackProviderOptions source) => new()
    {
        NodeId = source.NodeId,
        MaxExportSegmentSize = source.MaxExportSegmentSize,
        TotalExportSegmentSize = source.TotalExportSegmentSize,
        MaxExportSegments = source.MaxExportSegments,
        MaxImportSegments = source.MaxImportSegments,
        MaxNodes = source.MaxNodes,
        SegmentIdRangeFile = source.SegmentIdRangeFile,
    };

    private static void Validate(LoopbackProviderOptions options, string path)
    {
        ulong page = (ulong)Environment.SystemPageSize;
        var failures = new List<string>();
        if (options.NodeId > options.MaxNodes)
        {
            failures.Add($"{path}:NodeId: {options.NodeId} exceeds MaxNodes ({options.MaxNodes}).");
        }

        if (options.MaxExportSegmentSize == 0 || options.MaxExportSegmentSize % page != 0)
        {
            failures.Add($"{path}:MaxExportSegmentSize: {options.MaxExportSegmentSize} must be a non-zero multiple of the page size {page}.");
        }

        if (options.TotalExportSegmentSize == 0)
        {
            failures.Add($"{path}:TotalExportSegmentSize: must not be zero.");
        }

        if (options.MaxExportSegments == 0)
        {
            failures.Add($"{path}:MaxExportSegments: must not be zero.");
        }

        if (string.IsNullOrWhiteSpace(options.SegmentIdRangeFile))
        {
            failures.Add($"{path}:SegmentIdRangeFile: must name a file.");
        }

        if (failures.Count > 0)
        {
            throw new OptionsValidationException(path, typeof(LoopbackProviderOptions), failures);
        }
    }
}
