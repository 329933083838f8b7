using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Rsm.Engine;
using Rsm.Providers.Loopback;

namespace Rsm.DependencyInjection.Tests;

/// <summary><c>AddRsmHealthChecks</c> through <see cref="HealthCheckService"/>: one check per controller, which never opens it.</summary>
[TestClass]
public sealed class HealthChecksTests
{
    private static readonly TimeSpan s_waitLimit = TimeSpan.FromSeconds(30);

    [TestMethod]
    public async Task OpenEngineController_Healthy_WithItsCounts_NotOpen_HealthyWithoutOpening()
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddRsm(o => o.AddController<LoopbackProviderOptions>("lb", x => x.NodeId = 4).AddController("other", "Loopback"))
            .AddLoopbackProvider();
        services.AddHealthChecks().AddRsmHealthChecks();
        await using ServiceProvider sp = services.BuildServiceProvider();
        HealthCheckService health = sp.GetRequiredService<HealthCheckService>();

        HealthReport before = await health.CheckHealthAsync().WaitAsync(s_waitLimit);
        Assert.AreEqual(HealthStatus.Healthy, before.Entries["rsm:lb"].Status);
        Assert.AreEqual("controller 'lb' is not open yet: it opens at its first use", before.Entries["rsm:lb"].Description);
        Assert.AreEqual(false, before.Entries["rsm:lb"].Data["open"]);

        using IRsmController controller = sp.GetRequiredKeyedService<IRsmController>("lb");
        using RsmPageMemory memory = RsmPageMemory.Allocate(RsmPageMemory.PageSize * 2);
        IExportSegment first = controller.CreateExportSegment(memory.Address, RsmPageMemory.PageSize);
        IExportSegment second = controller.CreateExportSegment(memory.Address + (nint)RsmPageMemory.PageSize, RsmPageMemory.PageSize);

        HealthReport report = await health.CheckHealthAsync().WaitAsync(s_waitLimit);
        HealthReportEntry lb = report.Entries["rsm:lb"];
        Assert.AreEqual(HealthStatus.Healthy, lb.Status);
        Assert.AreEqual("controller 'lb' (Loopback, node 4): serving", lb.Description);
        Assert.AreEqual(true, lb.Data["open"]);
        Assert.AreEqual("Loopback", lb.Data["provider"]);
        Assert.AreEqual(4u, lb.Data["node"]);
        Assert.AreEqual(2L, lb.Data["segments.exported"]);
        Assert.AreEqual(0L, lb.Data["segments.imported"]);
        Assert.AreEqual(false, report.Entries["rsm:other"].Data["open"], "checking did not open the other controller");

        first.Destroy();
        second.Destroy();
        Assert.AreEqual(0L, (await health.CheckHealthAsync().WaitAsync(s_waitLimit)).Entries["rsm:lb"].Data["segments.exported"]);
    }

    [TestMethod]
    public async Task ReleasedController_NotOpen_HealthyAgainAsLazy()
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddRsm(o => o.AddController("lb", "Loopback")).AddLoopbackProvider();
        services.AddHealthChecks().AddRsmHealthChecks();
        await using ServiceProvider sp = services.BuildServiceProvider();
        HealthCheckService health = sp.GetRequiredService<HealthCheckService>();

        IRsmController controller = sp.GetRequiredService<IRsmControllerFactory>().GetController("lb");
        Assert.AreEqual(true, (await health.CheckHealthAsync().WaitAsync(s_waitLimit)).Entries["rsm:lb"].Data["open"]);
        controller.Release();

        HealthReportEntry entry = (await health.CheckHealthAsync().WaitAsync(s_waitLimit)).Entries["rsm:lb"];
        Assert.AreEqual(HealthStatus.Healthy, entry.Status);
        Assert.AreEqual(false, entry.Data["open"]);
    }

    [TestMethod]
    public async Task ProviderWithoutEngine_OpenIsHealthy()
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddRsm(o => o.AddController("a", "Fake"));
        services.AddSingleton<IRsmProvider>(new FakeProvider("Fake"));
        services.AddHealthChecks().AddRsmHealthChecks();
        await using ServiceProvider sp = services.BuildServiceProvider();

        using IRsmController controller = sp.GetRequiredKeyedService<IRsmController>("a");
        HealthReportEntry entry = (await sp.GetRequiredService<HealthCheckService>().CheckHealthAsync().WaitAsync(s_waitLimit)).Entries["rsm:a"];

        Assert.AreEqual(HealthStatus.Healthy, entry.Status);
        Assert.AreEqual("controller 'a' (Fake) is open", entry.Description);
    }
}
