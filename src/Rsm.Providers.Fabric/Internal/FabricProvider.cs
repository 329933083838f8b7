using System.Diagnostics.Metrics;
using System.Net;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Rsm.Engine;
using Rsm.Providers.Fabric.Interop;
using Rsm.Providers.Tcp.Internal;

namespace Rsm.Providers.Fabric.Internal;

/// <summary>
/// Opens Fabric controllers: each node is a Tcp node (listener, authenticated connections, admission, aborts, signals,
/// liveness) with a data plane on a libfabric domain of its own. The first controller of a node id starts that node;
/// later controllers of the same node id in this provider share it. libfabric is loaded at the first controller.
/// </summary>
internal sealed class FabricProvider(IOptionsFactory<FabricProviderOptions> defaults, ILoggerFactory? loggerFactory = null, IMeterFactory? meterFactory = null)
    : RsmEngineProvider<FabricProviderOptions>(ProviderName, defaults, loggerFactory, meterFactory)
{
    public const string ProviderName = "Fabric";

    /// <summary>The control-plane endpoint of a node this provider runs, so nodes of one process need no directory entry for each other.</summary>
    public EndPoint? LocalEndpointOf(uint nodeId) => FindNode<TcpNode>(nodeId)?.ListenEndpoint;

    protected override void BindSettings(IConfiguration settings, FabricProviderOptions options) => settings.Bind(options);

    protected override RsmCapabilities GetCapabilities(FabricProviderOptions options)
    {
        RsmCapabilities capabilities = RsmCapabilities.Mapping | RsmCapabilities.TransparentRebind;
        return FabricProbe.LockOperations(options.FabricProvider, options.FabricDomain)
            ? capabilities | RsmCapabilities.LockOperations
            : capabilities;
    }

    protected override RsmTransport CreateTransport(FabricProviderOptions options, RsmControllerAttributes attributes)
    {
        (byte[] key, Tcp.Internal.Wire.TlsSettings? tls) = options.Loaded;
        TcpNode node = GetOrAddNode(options.NodeId, () =>
        {
            // The domain is opened before the node listens, so a fabric that is not there fails the controller at once.
            FabricDomain domain = FabricDomain.Open(options.FabricProvider, options.FabricDomain);
            var plane = new FabricDataPlane(domain, options.FabricTimeout);
            try
            {
                return TcpNode.Start(LocalEndpointOf, new RsmNode(options.NodeId, attributes), options, key, tls, Logger, Tcp.Internal.Wire.TcpMetrics.For(Meter), plane);
            }
            catch
            {
                plane.Dispose();
                throw;
            }
        });
        return new TcpTransport(node, attributes, options.SegmentIdRangeFile, ProviderName);
    }

    protected override void Validate(FabricProviderOptions options, string path, List<string> failures)
    {
        TcpProvider.ValidateNode(options, path, failures);
        if (string.IsNullOrWhiteSpace(options.FabricProvider))
        {
            failures.Add($"{path}:FabricProvider: must name a libfabric provider, for example '{FabricProviderOptions.DefaultFabricProvider}' or 'shm'.");
        }

        if (options.FabricTimeout <= TimeSpan.Zero || options.FabricTimeout > TimeSpan.FromHours(1))
        {
            failures.Add($"{path}:FabricTimeout: {options.FabricTimeout} must be positive and at most one hour.");
        }
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            foreach (TcpNode node in RemoveNodes<TcpNode>())
            {
                node.Dispose();
            }
        }

        base.Dispose(disposing);
    }
}
