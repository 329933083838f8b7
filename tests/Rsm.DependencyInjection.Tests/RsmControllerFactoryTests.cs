using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Rsm.Engine;

namespace Rsm.DependencyInjection.Tests;

[TestClass]
public sealed class RsmControllerFactoryTests
{
    private static ServiceProvider Build(IDictionary<string, string?> settings, params IRsmProvider[] providers)
    {
        IConfiguration configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var services = new ServiceCollection();
        services.AddRsm(configuration.GetSection("Rsm"));
        foreach (IRsmProvider provider in providers)
        {
            services.AddSingleton(provider);
        }

        return services.BuildServiceProvider();
    }

    private static Dictionary<string, string?> LoopbackConfiguration() => new()
    {
        ["Rsm:Controllers:loopback:Provider"] = "Loopback",
    };

    private static RsmException AssertRsmError(RsmError expected, Action action)
    {
        RsmException ex = Assert.ThrowsExactly<RsmException>(action);
        Assert.AreEqual(expected, ex.Error, ex.Message);
        return ex;
    }

    [TestMethod]
    public void GetController_UnknownName_ControllerNotPresent()
    {
        using ServiceProvider sp = Build(LoopbackConfiguration(), new FakeProvider("Loopback"));
        var factory = sp.GetRequiredService<IRsmControllerFactory>();

        RsmException ex = AssertRsmError(RsmError.ControllerNotPresent, () => factory.GetController("sci0"));

        // The message names the section searched and what it holds.
        StringAssert.Contains(ex.Message, "configuration section Rsm:Controllers has no entry 'sci0'");
        StringAssert.Contains(ex.Message, "(configured: loopback)");
    }

    [TestMethod]
    public void GetController_UnknownNameDefinedInCode_MessageListsTheNames()
    {
        var services = new ServiceCollection();
        services.AddRsm(o => o.AddController("tcp1", "Tcp").AddController("shm0", "SharedMemory"));
        using ServiceProvider sp = services.BuildServiceProvider();

        RsmException ex = AssertRsmError(RsmError.ControllerNotPresent, () => sp.GetRequiredService<IRsmControllerFactory>().GetController("tcp0"));

        StringAssert.Contains(ex.Message, "the controllers defined in code do not include 'tcp0' (configured: shm0, tcp1)");
    }

    [TestMethod]
    public void GetController_NameLongerThan255_ControllerNotPresent()
    {
        using ServiceProvider sp = Build(LoopbackConfiguration(), new FakeProvider("Loopback"));
        var factory = sp.GetRequiredService<IRsmControllerFactory>();

        AssertRsmError(RsmError.ControllerNotPresent, () => factory.GetController("loopback" + new string('0', 300)));
    }

    [TestMethod]
    public void GetController_ProviderVersion2_BadLibraryVersion()
    {
        using ServiceProvider sp = Build(LoopbackConfiguration(), new FakeProvider("Loopback", version: 2));
        var factory = sp.GetRequiredService<IRsmControllerFactory>();

        RsmException ex = AssertRsmError(RsmError.BadLibraryVersion, () => factory.GetController("loopback"));
        StringAssert.StartsWith(ex.Message, "RSMERR_BAD_LIBRARY_VERSION (1)");
    }

    [TestMethod]
    public void GetController_SameNameTwice_SameInstance()
    {
        var provider = new FakeProvider("Loopback");
        using ServiceProvider sp = Build(LoopbackConfiguration(), provider);
        var factory = sp.GetRequiredService<IRsmControllerFactory>();

        IRsmController first = factory.GetController("loopback");
        IRsmController second = factory.GetController("loopback");

        Assert.AreSame(first, second);
        Assert.AreEqual(1, provider.Created);
    }

    [TestMethod]
    public void GetController_SameNameTwice_AddsReferenceThroughLifetime()
    {
        using ServiceProvider sp = Build(LoopbackConfiguration(), new FakeProvider("Loopback"));
        var factory = sp.GetRequiredService<IRsmControllerFactory>();

        var controller = (FakeController)factory.GetController("loopback");
        _ = factory.GetController("loopback");
        Assert.AreEqual(2, controller.References);

        controller.Release();
        Assert.AreEqual(1, controller.References);
        Assert.AreSame(controller, factory.GetController("loopback"));
    }

    [TestMethod]
    public void GetController_AfterLastRelease_OpensNewController()
    {
        var provider = new FakeProvider("Loopback");
        using ServiceProvider sp = Build(LoopbackConfiguration(), provider);
        var factory = sp.GetRequiredService<IRsmControllerFactory>();

        IRsmController first = factory.GetController("loopback");
        first.Release();
        IRsmController second = factory.GetController("loopback");

        Assert.AreNotSame(first, second);
        Assert.AreEqual(2, provider.Created);
        Assert.AreEqual(1, ((FakeController)second).References);
    }

    [TestMethod]
    public void GetController_NameDiffersInCase_SameInstance()
    {
        var settings = new Dictionary<string, string?> { ["Rsm:Controllers:shm0:Provider"] = "sharedmemory" };
        using ServiceProvider sp = Build(settings, new FakeProvider("SharedMemory"));
        var factory = sp.GetRequiredService<IRsmControllerFactory>();

        IRsmController lower = factory.GetController("shm0");
        IRsmController upper = factory.GetController("SHM0");

        Assert.AreSame(lower, upper);
        Assert.AreEqual("shm0", upper.Name);
    }

    [TestMethod]
    public void GetController_Loopback5_ResolvesToLoopback()
    {
        using ServiceProvider sp = Build(LoopbackConfiguration(), new FakeProvider("Loopback"));
        var factory = sp.GetRequiredService<IRsmControllerFactory>();

        IRsmController loopback = factory.GetController("loopback");
        IRsmController unit5 = factory.GetController("LOOPBACK5");

        Assert.AreSame(loopback, unit5);
        Assert.AreEqual("loopback", unit5.Name);
    }

    [TestMethod]
    public void GetController_NullName_Loopback()
    {
        using ServiceProvider sp = Build(LoopbackConfiguration(), new FakeProvider("Loopback"));
        var factory = sp.GetRequiredService<IRsmControllerFactory>();

        Assert.AreSame(factory.GetController("loopback"), factory.GetController(null));
    }

    [TestMethod]
    public void GetController_LoopbackNotConfiguredProviderRegistered_ImplicitController()
    {
        var provider = new FakeProvider("Loopback");
        using ServiceProvider sp = Build(new Dictionary<string, string?>(), provider);
        var factory = sp.GetRequiredService<IRsmControllerFactory>();

        IRsmController controller = factory.GetController("loopback3");

        Assert.AreEqual("loopback", controller.Name);
        Assert.AreEqual("Rsm:Controllers:loopback", provider.LastConfigurationPath);
        Assert.IsFalse(provider.LastSettings!.GetChildren().Any());
    }

    [TestMethod]
    public void GetController_LoopbackNeitherConfiguredNorRegistered_ControllerNotPresent()
    {
        using ServiceProvider sp = Build(new Dictionary<string, string?>(), new FakeProvider("Tcp"));
        var factory = sp.GetRequiredService<IRsmControllerFactory>();

        AssertRsmError(RsmError.ControllerNotPresent, () => factory.GetController(null));
    }

    [TestMethod]
    public void GetController_MissingProviderKey_ControllerNotPresentNamingPath()
    {
        var settings = new Dictionary<string, string?> { ["Rsm:Controllers:tcp0:NodeId"] = "1" };
        using ServiceProvider sp = Build(settings, new FakeProvider("Tcp"));
        var factory = sp.GetRequiredService<IRsmControllerFactory>();

        RsmException ex = AssertRsmError(RsmError.ControllerNotPresent, () => factory.GetController("tcp0"));
        StringAssert.Contains(ex.Message, "Rsm:Controllers:tcp0:Provider");
    }

    [TestMethod]
    public void GetController_UnregisteredProvider_ControllerNotPresentNamingPath()
    {
        var settings = new Dictionary<string, string?> { ["Rsm:Controllers:tcp0:Provider"] = "Tcp" };
        using ServiceProvider sp = Build(settings, new FakeProvider("Loopback"));
        var factory = sp.GetRequiredService<IRsmControllerFactory>();

        RsmException ex = AssertRsmError(RsmError.ControllerNotPresent, () => factory.GetController("tcp0"));
        StringAssert.Contains(ex.Message, "Rsm:Controllers:tcp0:Provider");
    }

    [TestMethod]
    public void GetController_ConfiguredSection_ReachesProviderWithPath()
    {
        var settings = new Dictionary<string, string?>
        {
            ["Rsm:Controllers:shm0:Provider"] = "SharedMemory",
            ["Rsm:Controllers:shm0:NodeId"] = "7",
        };
        var provider = new FakeProvider("SharedMemory");
        using ServiceProvider sp = Build(settings, provider);

        _ = sp.GetRequiredService<IRsmControllerFactory>().GetController("shm0");

        Assert.AreEqual("Rsm:Controllers:shm0", provider.LastConfigurationPath);
        Assert.AreEqual("7", provider.LastSettings!["NodeId"]);
    }

    [TestMethod]
    public void GetController_InvalidOptions_BadConfigurationNamingThePath()
    {
        using ServiceProvider sp = Build(LoopbackConfiguration(), new RejectingProvider("Loopback"));
        var factory = sp.GetRequiredService<IRsmControllerFactory>();

        // As IRsmControllerFactory.GetController documents: RsmException BadConfiguration (44), the validation failure inside.
        var ex = Assert.ThrowsExactly<RsmException>(() => factory.GetController("loopback"));
        Assert.AreEqual(RsmError.BadConfiguration, ex.Error);
        StringAssert.Contains(ex.Message, "Rsm:Controllers:loopback:NodeId");
        Assert.IsInstanceOfType<OptionsValidationException>(ex.InnerException);
    }

    [TestMethod]
    public void GetController_ConcurrentCallers_OneControllerAllReferences()
    {
        var provider = new FakeProvider("Loopback");
        using ServiceProvider sp = Build(LoopbackConfiguration(), provider);
        var factory = sp.GetRequiredService<IRsmControllerFactory>();

        var controllers = new IRsmController[64];
        Parallel.For(0, controllers.Length, i => controllers[i] = factory.GetController("loopback"));

        Assert.AreEqual(1, provider.Created);
        Assert.IsTrue(controllers.All(c => ReferenceEquals(c, controllers[0])));
        Assert.AreEqual(controllers.Length, ((FakeController)controllers[0]).References);
    }

    [TestMethod]
    public void KeyedService_ConfiguredName_ResolvesController()
    {
        var settings = new Dictionary<string, string?>
        {
            ["Rsm:Controllers:loopback:Provider"] = "Loopback",
            ["Rsm:Controllers:shm0:Provider"] = "SharedMemory",
        };
        using ServiceProvider sp = Build(settings, new FakeProvider("Loopback"), new FakeProvider("SharedMemory"));
        var factory = sp.GetRequiredService<IRsmControllerFactory>();

        var keyed = sp.GetRequiredKeyedService<IRsmController>("shm0");

        Assert.AreEqual("SharedMemory", keyed.ProviderName);
        Assert.AreSame(factory.GetController("shm0"), keyed);
    }

    [TestMethod]
    public void AddRsm_CalledTwice_OneFactory()
    {
        IConfiguration configuration = new ConfigurationBuilder().AddInMemoryCollection(LoopbackConfiguration()).Build();
        var services = new ServiceCollection();

        services.AddRsm(configuration.GetSection("Rsm"));
        services.AddRsm(configuration.GetSection("Rsm"));

        Assert.AreEqual(1, services.Count(d => d.ServiceType == typeof(IRsmControllerFactory)));
        Assert.AreEqual(1, services.Count(d => d.ServiceType == typeof(IRsmController) && Equals(d.ServiceKey, "loopback")));
    }

    [TestMethod]
    public void AddRsm_CodeOnly_SettingsReachProvider()
    {
        var provider = new FakeProvider("Tcp");
        var services = new ServiceCollection();
        IRsmBuilder builder = services.AddRsm(o => o.AddController("tcp0", "Tcp", new Dictionary<string, string?> { ["NodeId"] = "2", ["Nodes:1"] = "127.0.0.1:7401" }));
        builder.Services.AddSingleton<IRsmProvider>(provider);
        using ServiceProvider sp = services.BuildServiceProvider();

        IRsmController controller = sp.GetRequiredKeyedService<IRsmController>("tcp0");

        Assert.AreEqual("tcp0", controller.Name);
        Assert.AreEqual("2", provider.LastSettings!["NodeId"]);
        Assert.AreEqual("127.0.0.1:7401", provider.LastSettings!["Nodes:1"]);
        Assert.AreEqual("Rsm:Controllers:tcp0", provider.LastConfigurationPath);
    }

    [TestMethod]
    public void Dispose_ServiceProvider_ReleasesEveryReference()
    {
        FakeController controller;
        using (ServiceProvider sp = Build(LoopbackConfiguration(), new FakeProvider("Loopback")))
        {
            var factory = sp.GetRequiredService<IRsmControllerFactory>();
            controller = (FakeController)factory.GetController("loopback");
            _ = factory.GetController("loopback5");
            _ = sp.GetRequiredKeyedService<IRsmController>("loopback");
            Assert.AreEqual(3, controller.References);
        }

        Assert.AreEqual(0, controller.References);
    }

    private sealed class RejectingProvider(string name) : IRsmProvider
    {
        public string Name { get; } = name;

        public int Version => IRsmProvider.CurrentVersion;

        public IRsmController CreateController(string name, IConfiguration settings, string configurationPath) =>
            throw new OptionsValidationException(name, typeof(object), [$"{configurationPath}:NodeId must be between 0 and 64"]);
    }
}
