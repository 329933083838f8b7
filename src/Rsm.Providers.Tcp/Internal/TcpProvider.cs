using System.Net;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Rsm.Engine;

namespace Rsm.Providers.Tcp.Internal;

/// <summary>
/// Opens Tcp controllers. The first controller of a node id starts that node (its listener); later controllers of the
/// same node id in this provider share it. The provider's disposal stops every node.
/// </summary>
internal sealed class TcpProvider(IOptionsFactory<TcpProviderOptions> defaults, ILoggerFactory? loggerFactory = null) : IRsmProvider, IDisposable
{
    public const string ProviderName = "Tcp";

    private readonly Dictionary<uint, TcpNode> _nodes = [];

    public string Name => ProviderName;

    public int Version => IRsmProvider.CurrentVersion;

    public IRsmController CreateController(string name, IConfiguration settings, string configurationPath)
    {
        ArgumentNullException.ThrowIfNull(settings);

        // A fresh instance per controller: the registered defaults, then this controller's section over them.
        TcpProviderOptions options = defaults.Create(Options.DefaultName);
        settings.Bind(options);
        (byte[] key, Wire.TlsSettings? tls) = Validate(options, configurationPath);
        RsmControllerAttributes attributes = Limits(options).ToAttributes(RsmCapabilities.Mapping | RsmCapabilities.LockOperations | RsmCapabilities.TransparentRebind);
        ILogger logger = loggerFactory?.CreateLogger("Rsm.Tcp") ?? NullLogger.Instance;

        TcpNode node;
        lock (_nodes)
        {
            if (!_nodes.TryGetValue(options.NodeId, out node!))
            {
                node = TcpNode.Start(this, new RsmNode(options.NodeId, attributes), options, key, tls, logger);
                _nodes.Add(options.NodeId, node);
            }
        }

        return new RsmEngineController(name, new TcpTransport(node, attributes, options.SegmentIdRangeFile), logger);
    }

    /// <summary>The endpoint of a node this provider runs, so nodes of one process need no directory entry for each other.</summary>
    public EndPoint? LocalEndpointOf(uint nodeId)
    {
        lock (_nodes)
        {
            return _nodes.TryGetValue(nodeId, out TcpNode? node) ? node.ListenEndpoint : null;
        }
    }

    public void Dispose()
    {
        TcpNode[] nodes;
        lock (_nodes)
        {
            nodes = [.. _nodes.Values];
            _nodes.Clear();
        }

        foreach (TcpNode node in nodes)
        {
            node.Dispose();
        }
    }

    private static EngineLimits Limits(TcpProviderOptions options) =>
        new(options.NodeId, options.MaxExportSegmentSize, options.TotalExportSegmentSize, options.MaxExportSegments, options.MaxImportSegments, options.MaxNodes, options.SegmentIdRangeFile);

    private static (byte[] Key, Wire.TlsSettings? Tls) Validate(TcpProviderOptions options, string path)
    {
        List<string> failures = Limits(options).Check(path);
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

        EngineLimits.ThrowIfAny<TcpProviderOptions>(path, failures);
        return (key!, tls);
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
