using System.Globalization;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Rsm.Engine;

namespace Rsm.Benchmarks.SharedMemory;

/// <summary>
/// A SharedMemory controller opened the way an application opens one: the provider registered in a service container,
/// settings from configuration. Every benchmark run uses a rendezvous prefix of its own, so runs never see each other.
/// </summary>
internal sealed class SharedMemoryNode : IDisposable
{
    /// <summary>How long a connect waits for the exporter.</summary>
    public const string ConnectTimeout = "00:00:05";

    private readonly ServiceProvider _services;

    public SharedMemoryNode(string prefix, uint nodeId)
    {
        _services = new ServiceCollection().AddSharedMemoryProvider().BuildServiceProvider();
        try
        {
            IRsmProvider provider = _services.GetServices<IRsmProvider>().Single(p => p.Name == "SharedMemory");
            var settings = new Dictionary<string, string?>
            {
                ["NodeId"] = nodeId.ToString(CultureInfo.InvariantCulture),
                ["RendezvousPrefix"] = prefix,
                ["ConnectTimeout"] = ConnectTimeout,
            };
            IConfiguration configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
            string name = $"bench-node{nodeId}";
            Controller = provider.CreateController(name, configuration, $"Rsm:Controllers:{name}");
        }
        catch
        {
            _services.Dispose();
            throw;
        }
    }

    public IRsmController Controller { get; }

    /// <summary>A prefix no other process or run uses (at most 64 characters, as the provider requires).</summary>
    public static string NewPrefix() => $"rsm-bench/{Environment.ProcessId}/{Guid.NewGuid():N}";

    public void Dispose()
    {
        Controller.Release();
        _services.Dispose();
    }
}
