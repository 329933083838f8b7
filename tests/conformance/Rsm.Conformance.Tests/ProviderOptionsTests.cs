using System.Globalization;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Rsm.Conformance.Tests;

/// <summary>Configuration of the built-in providers: settings reach the controller, invalid ones name their path.</summary>
[TestClass]
public sealed class ProviderOptionsTests
{
    [ConformanceTest]
    [DataRow("Loopback")]
    [DataRow("SharedMemory")]
    public void GetController_InvalidSettings_ValidationErrorNamesConfigurationPath(string provider)
    {
        using ServiceProvider services = Build(new()
        {
            ["Rsm:Controllers:c:Provider"] = provider,
            ["Rsm:Controllers:c:NodeId"] = "99",
            ["Rsm:Controllers:c:MaxExportSegmentSize"] = "1000",
        });
        IRsmControllerFactory factory = services.GetRequiredService<IRsmControllerFactory>();

        RsmException ex = Assert.ThrowsExactly<RsmException>(() => factory.GetController("c"));
        Assert.AreEqual(RsmError.BadConfiguration, ex.Error);
        Assert.IsInstanceOfType<OptionsValidationException>(ex.InnerException);

        Assert.Contains("Rsm:Controllers:c:NodeId", ex.Message);
        Assert.Contains("Rsm:Controllers:c:MaxExportSegmentSize", ex.Message);
    }

    [ConformanceTest]
    [DataRow("Loopback")]
    [DataRow("SharedMemory")]
    public void GetController_Settings_ReachTheController(string provider)
    {
        nuint page = RsmPageMemory.PageSize;
        using ServiceProvider services = Build(new()
        {
            ["Rsm:Controllers:c:Provider"] = provider,
            ["Rsm:Controllers:c:NodeId"] = "7",
            ["Rsm:Controllers:c:MaxExportSegmentSize"] = (16 * page).ToString(CultureInfo.InvariantCulture),
            ["Rsm:Controllers:c:MaxExportSegments"] = "3",
        });

        using IRsmController controller = services.GetRequiredService<IRsmControllerFactory>().GetController("c");
        RsmControllerAttributes attributes = controller.GetAttributes();

        Assert.AreEqual(7u, controller.LocalNodeId);
        Assert.AreEqual(16 * page, attributes.MaxExportSegmentSize);
        Assert.AreEqual(3ul, attributes.MaxExportSegments);
        Assert.AreEqual(provider, controller.ProviderName);
        Assert.AreSame(controller, services.GetRequiredKeyedService<IRsmController>("c"));
    }

    [ConformanceTest]
    [DataRow("", "00:00:05", "RendezvousPrefix")]
    [DataRow("rsm", "00:00:00", "ConnectTimeout")]
    [DataRow("rsm", "-00:00:01", "ConnectTimeout")]
    public void SharedMemory_InvalidRendezvousSettings_NameTheirPath(string prefix, string timeout, string key)
    {
        using ServiceProvider services = Build(new()
        {
            ["Rsm:Controllers:shm:Provider"] = "SharedMemory",
            ["Rsm:Controllers:shm:RendezvousPrefix"] = prefix,
            ["Rsm:Controllers:shm:ConnectTimeout"] = timeout,
        });

        RsmException ex = Assert.ThrowsExactly<RsmException>(
            () => services.GetRequiredService<IRsmControllerFactory>().GetController("shm"));
        Assert.AreEqual(RsmError.BadConfiguration, ex.Error);

        Assert.Contains("Rsm:Controllers:shm:" + key, ex.Message);
    }

    [ConformanceTest]
    public void SharedMemory_DifferentPrefixes_AreSeparateClusters()
    {
        string prefix = $"rsm-options/{Environment.ProcessId}/{Guid.NewGuid():N}";
        using ServiceProvider services = Build(new()
        {
            ["Rsm:Controllers:a:Provider"] = "SharedMemory",
            ["Rsm:Controllers:a:NodeId"] = "1",
            ["Rsm:Controllers:a:RendezvousPrefix"] = prefix + "/a",
            ["Rsm:Controllers:b:Provider"] = "SharedMemory",
            ["Rsm:Controllers:b:NodeId"] = "1",
            ["Rsm:Controllers:b:RendezvousPrefix"] = prefix + "/b",
            ["Rsm:Controllers:a2:Provider"] = "SharedMemory",
            ["Rsm:Controllers:a2:NodeId"] = "2",
            ["Rsm:Controllers:a2:RendezvousPrefix"] = prefix + "/a",
        });
        IRsmControllerFactory factory = services.GetRequiredService<IRsmControllerFactory>();
        using IRsmController a = factory.GetController("a");
        using IRsmController b = factory.GetController("b");
        using IRsmController a2 = factory.GetController("a2");
        using RsmPageMemory memory = RsmPageMemory.Allocate(RsmPageMemory.PageSize);
        using IExportSegment export = a.CreateExportSegment(memory.Address, memory.Length);
        uint id = export.Publish(0x500000);

        // The same id under another prefix is free, and node 1 of the other cluster has no such segment.
        using RsmPageMemory other = RsmPageMemory.Allocate(RsmPageMemory.PageSize);
        using IExportSegment otherExport = b.CreateExportSegment(other.Address, other.Length);
        Assert.AreEqual(id, otherExport.Publish(id));
        otherExport.Unpublish();
        RsmException ex = Assert.ThrowsExactly<RsmException>(() => b.Connect(1, id, RsmPermissions.Read));
        Assert.AreEqual(RsmError.SegmentNotPublished, ex.Error);

        // Another node of the same cluster reaches it, and sees node 1 in its topology; the other cluster does not.
        using IImportSegment import = a2.Connect(1, id, RsmPermissions.Read);
        Assert.AreEqual(memory.Length, import.Length);
        RsmTopology topology = a2.GetInterconnectTopology();
        Assert.AreEqual(2u, topology.LocalNodeId);
        CollectionAssert.AreEqual(new uint[] { 1 }, topology.Controllers.Single().Remotes.Select(static r => r.NodeId).ToArray());
        Assert.AreEqual(3u, topology.Controllers.Single().Remotes[0].ConnectionState);
        Assert.IsEmpty(b.GetInterconnectTopology().Controllers.Single().Remotes);
    }

    private static ServiceProvider Build(Dictionary<string, string?> settings)
    {
        IConfiguration configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var services = new ServiceCollection();
        services.AddRsm(configuration.GetSection("Rsm")).AddLoopbackProvider().AddSharedMemoryProvider();
        return services.BuildServiceProvider();
    }
}
