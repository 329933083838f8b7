using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Rsm.Conformance.Tests;

[TestClass]
public sealed class LoopbackProviderOptionsTests
{
    [TestMethod]
    public void GetController_InvalidSettings_ValidationErrorNamesConfigurationPath()
    {
        using ServiceProvider services = Build(new()
        {
            ["Rsm:Controllers:lb:Provider"] = "Loopback",
            ["Rsm:Controllers:lb:NodeId"] = "99",
            ["Rsm:Controllers:lb:MaxExportSegmentSize"] = "1000",
        });
        IRsmControllerFactory factory = services.GetRequiredService<IRsmControllerFactory>();

        OptionsValidationException ex = Assert.ThrowsExactly<OptionsValidationException>(() => factory.GetController("lb"));

        Assert.Contains("Rsm:Controllers:lb:NodeId", ex.Message);
        Assert.Contains("Rsm:Controllers:lb:MaxExportSegmentSize", ex.Message);
    }

    [TestMethod]
    public void GetController_Settings_ReachTheController()
    {
        nuint page = RsmPageMemory.PageSize;
        using ServiceProvider services = Build(new()
        {
            ["Rsm:Controllers:lb:Provider"] = "Loopback",
            ["Rsm:Controllers:lb:NodeId"] = "7",
            ["Rsm:Controllers:lb:MaxExportSegmentSize"] = (16 * page).ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Rsm:Controllers:lb:MaxExportSegments"] = "3",
        });

        using IRsmController controller = services.GetRequiredService<IRsmControllerFactory>().GetController("lb");
        RsmControllerAttributes attributes = controller.GetAttributes();

        Assert.AreEqual(7u, controller.LocalNodeId);
        Assert.AreEqual(16 * page, attributes.MaxExportSegmentSize);
        Assert.AreEqual(3ul, attributes.MaxExportSegments);
        Assert.AreEqual("Loopback", controller.ProviderName);
        Assert.AreSame(controller, services.GetRequiredKeyedService<IRsmController>("lb"));
    }

    private static ServiceProvider Build(Dictionary<string, string?> settings)
    {
        IConfiguration configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var services = new ServiceCollection();
        services.AddRsm(configuration.GetSection("Rsm")).AddLoopbackProvider();
        return services.BuildServiceProvider();
    }
}
