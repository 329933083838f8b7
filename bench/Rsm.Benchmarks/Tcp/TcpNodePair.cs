using System.Globalization;
using System.Security.Cryptography;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Rsm.Engine;

namespace Rsm.Benchmarks.Tcp;

/// <summary>
/// Two Tcp nodes of this process opened the way an application opens them: the provider registered in a service
/// container, settings from configuration. Both controllers come from the same provider instance, so node 2 finds node 1
/// without a node directory; they listen on ephemeral ports of 127.0.0.1 and authenticate with a cluster key of this run.
/// </summary>
internal sealed class TcpNodePair : IDisposable
{
    /// <summary>The node that exports.</summary>
    public const uint ExporterNodeId = 1;

    /// <summary>The node that imports.</summary>
    public const uint ImporterNodeId = 2;

    private readonly ServiceProvider _services;
    private readonly List<IRsmController> _controllers = [];

    public TcpNodePair()
    {
        _services = new ServiceCollection().AddTcpProvider().BuildServiceProvider();
        try
        {
            IRsmProvider provider = _services.GetServices<IRsmProvider>().Single(p => p.Name == "Tcp");
            string key = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
            Exporter = Open(provider, ExporterNodeId, key);
            Importer = Open(provider, ImporterNodeId, key);
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    public IRsmController Exporter { get; }

    public IRsmController Importer { get; }

    public void Dispose()
    {
        foreach (IRsmController controller in _controllers)
        {
            controller.Release();
        }

        _controllers.Clear();

        // The provider's disposal stops both nodes: listeners and connections.
        _services.Dispose();
    }

    private IRsmController Open(IRsmProvider provider, uint nodeId, string key)
    {
        var settings = new Dictionary<string, string?>
        {
            ["NodeId"] = nodeId.ToString(CultureInfo.InvariantCulture),
            ["Listen"] = "127.0.0.1:0",
            ["ClusterKey"] = key,
            ["ConnectTimeout"] = "00:00:05",
        };
        IConfiguration configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        string name = $"bench-tcp{nodeId}";
        IRsmController controller = provider.CreateController(name, configuration, $"Rsm:Controllers:{name}");
        _controllers.Add(controller);
        return controller;
    }
}
