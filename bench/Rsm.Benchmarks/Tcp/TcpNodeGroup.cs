using System.Globalization;
using System.Security.Cryptography;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Rsm.Engine;

namespace Rsm.Benchmarks.Tcp;

/// <summary>
/// One exporting and several importing Tcp nodes of this process, opened the way an application opens them: the
/// provider registered in a service container, settings from configuration. All controllers come from the same provider
/// instance, so the importers find the exporter without a node directory; they listen on ephemeral ports of 127.0.0.1
/// and authenticate with a cluster key of this run. With a libfabric provider name the nodes are Fabric nodes: the same
/// control plane, with the bytes of every import on that fabric.
/// </summary>
internal sealed class TcpNodeGroup : IDisposable
{
    /// <summary>The node that exports.</summary>
    public const uint ExporterNodeId = 1;

    private readonly ServiceProvider _services;
    private readonly List<IRsmController> _controllers = [];
    private readonly Func<uint, IReadOnlyDictionary<string, string?>>? _extra;
    private readonly string? _fabricProvider;

    /// <summary>Opens node <see cref="ExporterNodeId"/> and <paramref name="importers"/> importing nodes numbered from 2.</summary>
    /// <param name="importers">How many importing nodes to open.</param>
    /// <param name="extra">Settings a node gets beyond the common ones (its <c>Tls</c> section, for example); null for none.</param>
    /// <param name="fabricProvider">The libfabric provider of Fabric nodes (<c>tcp;ofi_rxm</c>, <c>shm</c>); null for Tcp nodes.</param>
    public TcpNodeGroup(int importers, Func<uint, IReadOnlyDictionary<string, string?>>? extra = null, string? fabricProvider = null)
    {
        _extra = extra;
        _fabricProvider = fabricProvider;
        ArgumentOutOfRangeException.ThrowIfLessThan(importers, 1);
        _services = fabricProvider is null
            ? new ServiceCollection().AddTcpProvider().BuildServiceProvider()
            : new ServiceCollection().AddFabricProvider().BuildServiceProvider();
        try
        {
            string name = fabricProvider is null ? "Tcp" : "Fabric";
            IRsmProvider provider = _services.GetServices<IRsmProvider>().Single(p => p.Name == name);
            string key = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
            Exporter = Open(provider, ExporterNodeId, key);
            var opened = new IRsmController[importers];
            for (int i = 0; i < importers; i++)
            {
                opened[i] = Open(provider, ImporterNodeId(i), key);
            }

            Importers = opened;
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    public IRsmController Exporter { get; }

    /// <summary>The importing nodes; the one at index <c>i</c> is node <see cref="ImporterNodeId"/>(<c>i</c>).</summary>
    public IReadOnlyList<IRsmController> Importers { get; } = [];

    /// <summary>The node id of importer <paramref name="index"/>.</summary>
    public static uint ImporterNodeId(int index) => ExporterNodeId + 1 + (uint)index;

    public void Dispose()
    {
        foreach (IRsmController controller in _controllers)
        {
            controller.Release();
        }

        _controllers.Clear();

        // The provider's disposal stops every node: listeners and connections.
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
        if (_fabricProvider is not null)
        {
            settings["FabricProvider"] = _fabricProvider;
        }

        foreach ((string setting, string? value) in _extra?.Invoke(nodeId) ?? new Dictionary<string, string?>())
        {
            settings[setting] = value;
        }

        IConfiguration configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        string name = $"bench-tcp{nodeId}";
        IRsmController controller = provider.CreateController(name, configuration, $"Rsm:Controllers:{name}");
        _controllers.Add(controller);
        return controller;
    }
}
