using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Rsm;
using Rsm.Conformance;
using Rsm.Engine;

// The peer process of the conformance suite for the built-in cross-process providers: it opens one controller from
// its key=value arguments (Provider=SharedMemory, Tcp or Fabric, NodeId=..., and the provider's settings) and serves the suite's requests.
using ServiceProvider services = new ServiceCollection().AddSharedMemoryProvider().AddTcpProvider().AddFabricProvider().BuildServiceProvider();
return ConformancePeerHost.Run(args, Open, Console.In, Console.Out);

IRsmController Open(IReadOnlyDictionary<string, string?> settings)
{
    string name = settings.GetValueOrDefault("Provider") ?? "SharedMemory";
    IRsmProvider provider = services.GetServices<IRsmProvider>().Single(p => p.Name == name);
    IConfiguration configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
    return provider.CreateController("peer", configuration, "Rsm:Controllers:peer");
}
