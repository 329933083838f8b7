using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Rsm;
using Rsm.Conformance;
using Rsm.Engine;

// The peer process of the Socket provider's conformance run: it opens one controller from its key=value arguments
// (Provider=Socket, NodeId=..., SocketPrefix=... and the other settings) and serves the suite's requests.
using ServiceProvider services = new ServiceCollection().AddSocketProvider().BuildServiceProvider();
return ConformancePeerHost.Run(args, Open, Console.In, Console.Out);

IRsmController Open(IReadOnlyDictionary<string, string?> settings)
{
    string name = settings.GetValueOrDefault("Provider") ?? "Socket";
    IRsmProvider provider = services.GetServices<IRsmProvider>().Single(p => string.Equals(p.Name, name, StringComparison.OrdinalIgnoreCase));
    IConfiguration configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
    return provider.CreateController("peer", configuration, "Rsm:Controllers:peer");
}
