using Microsoft.Extensions.DependencyInjection;

namespace Rsm.Benchmarks;

/// <summary>Get and put through a Loopback import segment against a raw copy of the same size.</summary>
public class LoopbackGetPutBenchmarks : GetPutBenchmarks
{
    private ServiceProvider? _services;
    private IRsmController? _controller;

    protected override IRsmController OpenController()
    {
        var services = new ServiceCollection();
        services.AddRsm(o => o.AddController("loopback", "Loopback")).AddLoopbackProvider();
        _services = services.BuildServiceProvider();
        _controller = _services.GetRequiredService<IRsmControllerFactory>().GetController("loopback");
        return _controller;
    }

    protected override void CloseProvider()
    {
        _controller?.Release();
        _services?.Dispose();
    }
}
