using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Rsm.Engine;
using Rsm.Providers.Loopback;

namespace Rsm.DependencyInjection.Tests;

/// <summary>Each controller's options are the named options of its name, set in code or configuration and validated through IValidateOptions.</summary>
[TestClass]
public sealed class NamedOptionsTests
{
    private static readonly TimeSpan s_waitLimit = TimeSpan.FromSeconds(30);

    [TestMethod]
    public void ConfiguredControllers_EachHasItsOwnNamedOptions_OverTheProviderDefaults()
    {
        using ServiceProvider sp = FromConfiguration(
            new()
            {
                ["Rsm:Controllers:lb1:Provider"] = "Loopback",
                ["Rsm:Controllers:lb1:NodeId"] = "3",
                ["Rsm:Controllers:lb2:Provider"] = "Loopback",
                ["Rsm:Controllers:lb2:NodeId"] = "5",
                ["Rsm:Controllers:lb2:MaxNodes"] = "200",
            },
            defaults: o => o.MaxNodes = 100);
        IOptionsMonitor<LoopbackProviderOptions> monitor = sp.GetRequiredService<IOptionsMonitor<LoopbackProviderOptions>>();

        LoopbackProviderOptions lb1 = monitor.Get("lb1");
        LoopbackProviderOptions lb2 = monitor.Get("lb2");

        Assert.AreEqual(3u, lb1.NodeId);
        Assert.AreEqual(100u, lb1.MaxNodes, "the provider's default");
        Assert.AreEqual(5u, lb2.NodeId);
        Assert.AreEqual(200u, lb2.MaxNodes, "the section overrides the default");
        Assert.AreEqual(100u, monitor.Get("not-a-controller").MaxNodes, "other names get the defaults only");
        Assert.AreEqual(0u, monitor.Get("not-a-controller").NodeId);

        using IRsmController c1 = sp.GetRequiredKeyedService<IRsmController>("lb1");
        using IRsmController c2 = sp.GetRequiredKeyedService<IRsmController>("lb2");
        Assert.AreEqual(3u, c1.LocalNodeId);
        Assert.AreEqual(5u, c2.LocalNodeId);
        Assert.AreEqual(200u, c2.GetAttributes().MaxNodes);
    }

    [TestMethod]
    public void TypedController_DefinedInCode_OpensWithItsOptions()
    {
        var services = new ServiceCollection();
        services.AddRsm(static _ => { })
            .AddLoopbackProvider(o => o.MaxNodes = 90)
            .AddController<LoopbackProviderOptions>("edge", o => o.NodeId = 7);
        using ServiceProvider sp = services.BuildServiceProvider();

        LoopbackProviderOptions options = sp.GetRequiredService<IOptionsMonitor<LoopbackProviderOptions>>().Get("edge");
        using IRsmController controller = sp.GetRequiredKeyedService<IRsmController>("edge");

        Assert.AreEqual(7u, options.NodeId);
        Assert.AreEqual(90u, options.MaxNodes);
        Assert.AreEqual(7u, controller.LocalNodeId);
        Assert.AreEqual("Loopback", controller.ProviderName);
        Assert.AreEqual(90u, controller.GetAttributes().MaxNodes);
    }

    [TestMethod]
    public void TypedController_InRsmOptions_OpensWithItsOptions()
    {
        var services = new ServiceCollection();
        services.AddRsm(o => o.AddController<LoopbackProviderOptions>("edge", x => x.NodeId = 11)).AddLoopbackProvider();
        using ServiceProvider sp = services.BuildServiceProvider();

        using IRsmController controller = sp.GetRequiredService<IRsmControllerFactory>().GetController("edge");

        Assert.AreEqual(11u, controller.LocalNodeId);
    }

    [TestMethod]
    public void TypedController_AlsoInConfiguration_ConfigurationOverridesCode()
    {
        using ServiceProvider sp = FromConfiguration(
            new() { ["Rsm:Controllers:edge:NodeId"] = "9" },
            typed: b => b.AddController<LoopbackProviderOptions>("edge", o => { o.NodeId = 7; o.MaxNodes = 80; }));

        LoopbackProviderOptions options = sp.GetRequiredService<IOptionsMonitor<LoopbackProviderOptions>>().Get("edge");
        using IRsmController controller = sp.GetRequiredKeyedService<IRsmController>("edge");

        Assert.AreEqual(9u, options.NodeId, "the section's value");
        Assert.AreEqual(80u, options.MaxNodes, "the code's value, which the section leaves");
        Assert.AreEqual(9u, controller.LocalNodeId);
    }

    [TestMethod]
    public void InvalidSection_NamedOptionsThrow_WithThePath()
    {
        using ServiceProvider sp = FromConfiguration(new()
        {
            ["Rsm:Controllers:lb:Provider"] = "Loopback",
            ["Rsm:Controllers:lb:NodeId"] = "70",
        });

        OptionsValidationException ex = Assert.ThrowsExactly<OptionsValidationException>(
            () => sp.GetRequiredService<IOptionsMonitor<LoopbackProviderOptions>>().Get("lb"));

        Assert.AreEqual("lb", ex.OptionsName);
        Assert.AreEqual(typeof(LoopbackProviderOptions), ex.OptionsType);
        Assert.AreEqual("Rsm:Controllers:lb:NodeId: 70 exceeds MaxNodes (64).", ex.Failures.Single());

        RsmException open = Assert.ThrowsExactly<RsmException>(() => sp.GetRequiredService<IRsmControllerFactory>().GetController("lb"));
        Assert.AreEqual(RsmError.BadConfiguration, open.Error);
        Assert.Contains("Rsm:Controllers:lb:NodeId: 70 exceeds MaxNodes (64).", open.Message);
        Assert.IsInstanceOfType<OptionsValidationException>(open.InnerException);
    }

    [TestMethod]
    public async Task ApplicationValidator_JudgesEachController_AtOpenAndAtHostStart()
    {
        var settings = new Dictionary<string, string?>
        {
            ["Rsm:Controllers:good:Provider"] = "Loopback",
            ["Rsm:Controllers:good:NodeId"] = "12",
            ["Rsm:Controllers:bad:Provider"] = "Loopback",
            ["Rsm:Controllers:bad:NodeId"] = "13",
        };
        HostApplicationBuilder builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Configuration.AddInMemoryCollection(settings);
        builder.Services.AddRsm(builder.Configuration.GetSection("Rsm")).AddLoopbackProvider().AddHostedControllers();
        builder.Services.AddSingleton<IValidateOptions<LoopbackProviderOptions>, NoThirteen>();
        using IHost host = builder.Build();

        using (IRsmController good = host.Services.GetRequiredKeyedService<IRsmController>("good"))
        {
            Assert.AreEqual(12u, good.LocalNodeId);
        }

        RsmException open = Assert.ThrowsExactly<RsmException>(() => host.Services.GetRequiredKeyedService<IRsmController>("bad"));
        Assert.AreEqual(RsmError.BadConfiguration, open.Error);
        Assert.Contains("bad: node 13 is not allowed here", open.Message);

        RsmException start = await Assert.ThrowsExactlyAsync<RsmException>(() => host.StartAsync().WaitAsync(s_waitLimit));
        Assert.AreEqual(RsmError.BadConfiguration, start.Error);
        Assert.Contains("bad: node 13 is not allowed here", start.Message);
        Assert.DoesNotContain("good:", start.Message);
    }

    [TestMethod]
    public void TypedController_NoProviderUsesItsOptions_ControllerNotPresent()
    {
        var services = new ServiceCollection();
        services.AddRsm(static _ => { }).AddController<LoopbackProviderOptions>("edge", o => o.NodeId = 1);
        services.AddSingleton<IRsmProvider>(new FakeProvider("Fake"));
        using ServiceProvider sp = services.BuildServiceProvider();

        RsmException ex = Assert.ThrowsExactly<RsmException>(() => sp.GetRequiredService<IRsmControllerFactory>().GetController("edge"));

        Assert.AreEqual(RsmError.ControllerNotPresent, ex.Error);
        Assert.Contains("controller 'edge' is defined with LoopbackProviderOptions, and no registered provider uses those options (registered: Fake)", ex.Message);
    }

    [TestMethod]
    public void TypedController_ConfiguredForAnotherProvider_BadConfiguration()
    {
        var services = new ServiceCollection();
        IConfiguration configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["Rsm:Controllers:edge:Provider"] = "Fake" })
            .Build();
        services.AddRsm(configuration.GetSection("Rsm"))
            .AddLoopbackProvider()
            .AddController<LoopbackProviderOptions>("edge", o => o.NodeId = 1);
        services.AddSingleton<IRsmProvider>(new FakeProvider("Fake"));
        using ServiceProvider sp = services.BuildServiceProvider();

        RsmException ex = Assert.ThrowsExactly<RsmException>(() => sp.GetRequiredService<IRsmControllerFactory>().GetController("edge"));

        Assert.AreEqual(RsmError.BadConfiguration, ex.Error);
        Assert.Contains("controller 'edge' is defined in code with LoopbackProviderOptions, but its provider 'Fake' (Rsm:Controllers:edge:Provider) does not use those options", ex.Message);
    }

    [TestMethod]
    public void AddController_BadArguments_Throw()
    {
        IRsmBuilder builder = new ServiceCollection().AddRsm(static _ => { });

        Assert.ThrowsExactly<ArgumentException>(() => builder.AddController<LoopbackProviderOptions>("", _ => { }));
        Assert.ThrowsExactly<ArgumentNullException>(() => builder.AddController<LoopbackProviderOptions>("x", null!));
        Assert.ThrowsExactly<ArgumentNullException>(() => new RsmOptions().AddController<LoopbackProviderOptions>("x", null!));
    }

    private static ServiceProvider FromConfiguration(
        Dictionary<string, string?> settings,
        Action<LoopbackProviderOptions>? defaults = null,
        Action<IRsmBuilder>? typed = null)
    {
        IConfiguration configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var services = new ServiceCollection();
        IRsmBuilder builder = services.AddRsm(configuration.GetSection("Rsm")).AddLoopbackProvider(defaults ?? (static _ => { }));
        typed?.Invoke(builder);
        return services.BuildServiceProvider();
    }

    /// <summary>An application's own rule, judged with the engine's.</summary>
    private sealed class NoThirteen : IValidateOptions<LoopbackProviderOptions>
    {
        public ValidateOptionsResult Validate(string? name, LoopbackProviderOptions options) =>
            options.NodeId == 13 ? ValidateOptionsResult.Fail($"{name}: node 13 is not allowed here") : ValidateOptionsResult.Success;
    }
}
