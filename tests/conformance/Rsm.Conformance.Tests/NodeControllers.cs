using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Rsm.Engine;

namespace Rsm.Conformance.Tests;

/// <summary>Opens a controller for one node straight from the provider registered in a container, as the factory would.</summary>
internal static class NodeControllers
{
    public static IRsmController Open(IServiceProvider services, uint node, IEnumerable<KeyValuePair<string, string?>> settings)
    {
        IRsmProvider provider = services.GetServices<IRsmProvider>().Single();
        IConfiguration configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        return provider.CreateController($"node{node}", configuration, $"Rsm:Controllers:node{node}");
    }
}
