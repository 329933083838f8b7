using System.Diagnostics.Metrics;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Rsm.Engine;

namespace Rsm.Providers.Loopback.Internal;

/// <summary>
/// Opens Loopback controllers. Controllers of one provider instance with the same node id share one node
/// (export table, segment ids, quota), as controllers of one host do.
/// </summary>
internal sealed class LoopbackProvider(IOptionsFactory<LoopbackProviderOptions> defaults, ILoggerFactory? loggerFactory = null, IMeterFactory? meterFactory = null)
    : RsmEngineProvider<LoopbackProviderOptions>(ProviderName, defaults, loggerFactory, meterFactory)
{
    public const string ProviderName = "Loopback";

    /// <inheritdoc/>
    protected override void BindSettings(IConfiguration settings, LoopbackProviderOptions options) => settings.Bind(options);

    protected override RsmCapabilities GetCapabilities(LoopbackProviderOptions options) =>
        RsmCapabilities.Mapping | RsmCapabilities.LockOperations | (OperatingSystem.IsLinux() ? RsmCapabilities.TransparentRebind : 0);

    protected override RsmTransport CreateTransport(LoopbackProviderOptions options, RsmControllerAttributes attributes)
    {
        RsmNode node = GetOrAddNode(options.NodeId, () => new RsmNode(options.NodeId, attributes));
        return new LoopbackTransport(node, attributes, options.SegmentIdRangeFile);
    }
}
