using System.Diagnostics.Metrics;
using Microsoft.Extensions.Configuration;
using System.Net;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Rsm.Engine;

namespace Rsm.Providers.Tcp.Internal;

/// <summary>
/// Opens Tcp controllers. The first controller of a node id starts that node (its listener); later controllers of the
/// same node id in this provider share it. The provider's disposal stops every node.
/// </summary>
internal sealed class TcpProvider(IOptionsFactory<TcpProviderOptions> defaults, ILoggerFactory? loggerFactory = null, IMeterFactory? meterFactory = null)
    : RsmEngineProvider<TcpProviderOptions>(ProviderName, defaults, loggerFactory, meterFactory)
{
    public const string ProviderName = "Tcp";

    /// <summary>The endpoint of a node this provider runs, so nodes of one process need no directory entry for each other.</summary>
    public EndPoint? LocalEndpointOf(uint nodeId) => FindNode<TcpNode>(nodeId)?.ListenEndpoint;

    /// <summary>The node this provider runs with id <paramref name="nodeId"/>, or null.</summary>
    internal TcpNode? NodeOf(uint nodeId) => FindNode<TcpNode>(nodeId);

    /// <inheritdoc/>
    protected override void BindSettings(IConfiguration settings, TcpProviderOptions options) => settings.Bind(options);

    protected override RsmCapabilities GetCapabilities(TcpProviderOptions options) =>
        RsmCapabilities.Mapping | RsmCapabilities.LockOperations | RsmCapabilities.TransparentRebind;

    protected override RsmTransport CreateTransport(TcpProviderOptions options, RsmControllerAttributes attributes)
    {
        (byte[] key, Wire.TlsSettings? tls) = options.Loaded;
        TcpNode node = GetOrAddNode(options.NodeId, () => TcpNode.Start(LocalEndpointOf, new RsmNode(options.NodeId, attributes), options, key, tls, Logger, Wire.TcpMetrics.For(Meter)));
        return new TcpTransport(node, attributes, options.SegmentIdRangeFile);
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

    protected override void Validate(TcpProviderOptions options, string path, List<string> failures) => ValidateNode(options, path, failures);

    /// <summary>The checks of a node's settings (listen endpoint, directory, cluster key, TLS, limits, timeouts); loads the key and the certificates.</summary>
    internal static void ValidateNode(TcpProviderOptions options, string path, List<string> failures)
    {
        if (!TcpNode.TryParseEndpoint(options.Listen, out _))
        {
            failures.Add($"{path}:Listen: '{options.Listen}' is not host:port.");
        }

        foreach ((string id, string endpoint) in options.Nodes)
        {
            if (!uint.TryParse(id, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out _) || !TcpNode.TryParseEndpoint(endpoint, out _))
            {
                failures.Add($"{path}:Nodes:{id}: '{endpoint}' must map a node id to host:port.");
            }
        }

        byte[]? key = null;
        try
        {
            key = Wire.ClusterKey.Load(options.ClusterKey, options.ClusterKeyFile);
        }
        catch (Exception ex) when (ex is ArgumentException or IOException or FormatException or UnauthorizedAccessException or InvalidOperationException)
        {
            failures.Add($"{path}:ClusterKey: {ex.Message}");
        }

        Wire.TlsSettings? tls = options.Tls is null ? null : Wire.TlsSettings.Load(options.Tls, options.NodeId, path, failures);
        if (options.Tls is null && !options.AllowUnprotectedFrames)
        {
            RequireLoopback(failures, $"{path}:Listen", options.Listen);
            foreach ((string id, string endpoint) in options.Nodes)
            {
                RequireLoopback(failures, $"{path}:Nodes:{id}", endpoint);
            }
        }

        if (options.MaxFrameSize < 4096 + 64 || options.MaxFrameSize > 64 << 20)
        {
            failures.Add($"{path}:MaxFrameSize: {options.MaxFrameSize} must be between 4160 bytes and 64 MiB.");
        }

        foreach ((string name, TimeSpan value) in new[] { ("ConnectTimeout", options.ConnectTimeout), ("KeepAliveInterval", options.KeepAliveInterval), ("SilenceLimit", options.SilenceLimit), ("SendTimeout", options.SendTimeout), ("HandshakeTimeout", options.HandshakeTimeout) })
        {
            if (value <= TimeSpan.Zero || value > TimeSpan.FromHours(1))
            {
                failures.Add($"{path}:{name}: {value} must be positive and at most one hour.");
            }
        }

        if (options.SendQueueLimit < 64 * 1024 || options.SendQueueLimit < options.MaxFrameSize + Wire.FrameHeader.Size)
        {
            failures.Add($"{path}:SendQueueLimit: {options.SendQueueLimit} must be at least 64 KiB and hold a frame of MaxFrameSize ({options.MaxFrameSize}) with its header.");
        }

        if (options.SilenceLimit <= options.KeepAliveInterval)
        {
            failures.Add($"{path}:SilenceLimit: {options.SilenceLimit} must exceed KeepAliveInterval ({options.KeepAliveInterval}).");
        }

        options.Loaded = (key!, tls);
    }

    /// <summary>Without TLS, frames are protected by nothing once the handshake is done: only loopback keeps them off a network.</summary>
    private static void RequireLoopback(List<string> failures, string setting, string? text)
    {
        if (TcpNode.TryParseEndpoint(text, out IPEndPoint? endpoint) && !IPAddress.IsLoopback(endpoint!.Address))
        {
            failures.Add($"{setting}: '{text}' is not a loopback address, and without TLS anyone on the network path can alter or inject frames after the handshake. Configure Tls (node certificates), or set AllowUnprotectedFrames to true on a network nobody else can reach.");
        }
    }
}
