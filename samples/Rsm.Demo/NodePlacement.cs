using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Configuration;
using Rsm.Engine;

namespace Rsm.Demo;

/// <summary>
/// Where the two processes of the cross-process demo run. Every process is a node of its own: the exporter is the
/// controller's <c>NodeId</c>. On SharedMemory the importer is the next node id, and both use the configured rendezvous
/// prefix with this user's uid appended, so that the demos of two users of one host do not meet. On Tcp the importer is
/// the other node of its <c>Nodes</c> directory, and each listens on a port picked free at start, so the demo does not
/// depend on the ports of appsettings.json being unused.
/// </summary>
/// <param name="ImporterNode">The node id of the importer process, or null when it is the exporter's node.</param>
/// <param name="ExporterSettings">Configuration values that this process (the exporter) layers over its configuration.</param>
/// <param name="ImporterArguments">Command-line arguments that give the importer process its node id and endpoints.</param>
/// <param name="Notes">Lines that describe the placement, printed after the controller opens.</param>
internal sealed record NodePlacement(
    uint? ImporterNode,
    IReadOnlyDictionary<string, string?> ExporterSettings,
    IReadOnlyList<string> ImporterArguments,
    IReadOnlyList<string> Notes)
{
    public const string SharedMemoryProvider = "SharedMemory";
    public const string TcpProvider = "Tcp";

    // The largest node id an access list may name (RSMAPI MAX_NODES).
    private const uint MaxNodeId = 64;

    /// <summary>Whether the demo runs the importer as a second process on a controller of <paramref name="provider"/>.</summary>
    public static bool IsCrossProcess(string? provider) =>
        string.Equals(provider, SharedMemoryProvider, StringComparison.OrdinalIgnoreCase)
        || string.Equals(provider, TcpProvider, StringComparison.OrdinalIgnoreCase);

    /// <summary>Whether <paramref name="provider"/> is Tcp: every process a node, and mappings local mirrors that barriers refresh and ship back.</summary>
    public static bool IsTcp(string? provider) => string.Equals(provider, TcpProvider, StringComparison.OrdinalIgnoreCase);

    /// <summary>Plans the processes for controller <paramref name="transport"/>, whose provider runs them cross-process.</summary>
    /// <exception cref="DemoFailedException">The controller's settings do not describe a second node, or no free port is available.</exception>
    public static NodePlacement Plan(IConfiguration configuration, string transport)
    {
        IConfigurationSection section = configuration.GetSection($"Rsm:Controllers:{transport}");

        return IsTcp(section["Provider"]) ? PlanTcp(section) : PlanSharedMemory(section);
    }

    private static NodePlacement PlanSharedMemory(IConfigurationSection section)
    {
        string path = section.Path;
        uint exporterNode = ReadNodeId(section);
        uint importerNode = exporterNode < MaxNodeId ? exporterNode + 1 : exporterNode - 1;
        string configured = section["RendezvousPrefix"] ?? "rsm";
        string prefix = $"{configured}-{RsmCredentials.ReadCurrent().Uid.ToString(CultureInfo.InvariantCulture)}";
        var exporterSettings = new Dictionary<string, string?> { [$"{path}:RendezvousPrefix"] = prefix };
        string[] importerArguments =
        [
            $"--{path}:NodeId", importerNode.ToString(CultureInfo.InvariantCulture),
            $"--{path}:RendezvousPrefix", prefix,
        ];
        return new NodePlacement(importerNode, exporterSettings, importerArguments, [DemoText.SharedMemoryNodes(exporterNode, importerNode, prefix, configured)]);
    }

    private static NodePlacement PlanTcp(IConfigurationSection section)
    {
        string path = section.Path;
        uint exporterNode = ReadNodeId(section);
        uint importerNode = section.GetSection("Nodes").GetChildren()
            .Select(n => uint.TryParse(n.Key, NumberStyles.None, CultureInfo.InvariantCulture, out uint id) ? id : (uint?)null)
            .Where(id => id is not null && id != exporterNode)
            .Min()
            ?? throw new DemoFailedException($"{path}:Nodes names no node besides node {exporterNode}; the importer process needs one (for example \"Nodes\": {{ \"2\": \"127.0.0.1:7302\" }})");

        string importerKey = importerNode.ToString(CultureInfo.InvariantCulture);
        IPAddress exporterHost = ReadHost(section["Listen"], $"{path}:Listen");
        IPAddress importerHost = ReadHost(section[$"Nodes:{importerKey}"], $"{path}:Nodes:{importerKey}");

        // Both probes stay bound until both ports are known, so the two ports differ.
        using Socket exporterProbe = BindFreePort(exporterHost);
        using Socket importerProbe = BindFreePort(importerHost);
        string exporterEndpoint = ((IPEndPoint)exporterProbe.LocalEndPoint!).ToString();
        string importerEndpoint = ((IPEndPoint)importerProbe.LocalEndPoint!).ToString();
        string exporterKey = exporterNode.ToString(CultureInfo.InvariantCulture);

        var exporterSettings = new Dictionary<string, string?>
        {
            [$"{path}:Listen"] = exporterEndpoint,
            [$"{path}:Nodes:{importerKey}"] = importerEndpoint,
        };
        string[] importerArguments =
        [
            $"--{path}:NodeId", importerKey,
            $"--{path}:Listen", importerEndpoint,
            $"--{path}:Nodes:{exporterKey}", exporterEndpoint,
        ];
        string[] notes =
        [
            DemoText.TcpNodes(exporterNode, exporterEndpoint, importerNode, importerEndpoint, section["Listen"], section[$"Nodes:{importerKey}"]),
            string.IsNullOrEmpty(section["ClusterKeyFile"]) ? DemoText.TcpInlineKey : DemoText.TcpKeyFile(section["ClusterKeyFile"]!),
        ];
        return new NodePlacement(importerNode, exporterSettings, importerArguments, notes);
    }

    private static uint ReadNodeId(IConfigurationSection section)
    {
        string? text = section["NodeId"];
        if (string.IsNullOrEmpty(text))
        {
            return 0;
        }

        return uint.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out uint id)
            ? id
            : throw new DemoFailedException($"{section.Path}:NodeId: '{text}' is not a node id");
    }

    private static IPAddress ReadHost(string? endpoint, string path) =>
        IPEndPoint.TryParse(endpoint ?? string.Empty, out IPEndPoint? parsed)
            ? parsed.Address
            : throw new DemoFailedException($"{path}: '{endpoint}' is not host:port");

    private static Socket BindFreePort(IPAddress host)
    {
        var socket = new Socket(host.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            socket.Bind(new IPEndPoint(host, 0));
            return socket;
        }
        catch (SocketException ex)
        {
            socket.Dispose();
            throw new DemoFailedException($"could not find a free port on {host}: {ex.Message}");
        }
    }
}
