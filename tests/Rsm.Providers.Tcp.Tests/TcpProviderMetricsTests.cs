using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Rsm.Diagnostics;
using Rsm.Tests;

namespace Rsm.Providers.Tcp.Tests;

/// <summary>The Tcp provider from a container records the engine's and its own instruments on the container's meter.</summary>
[TestClass]
public sealed class TcpProviderMetricsTests
{
    [TestMethod]
    public void ProviderFromTheContainer_RecordsOnTheContainersMeter_TransfersAndConnections()
    {
        var services = new ServiceCollection().AddMetrics();
        services.AddRsm(o => o
            .AddController("metrics-exporter", "Tcp", Node(1))
            .AddController("metrics-importer", "Tcp", Node(2)))
            .AddTcpProvider();
        using ServiceProvider container = services.BuildServiceProvider();
        IMeterFactory factory = container.GetRequiredService<IMeterFactory>();
        using var log = new MeasurementLog(factory);
        IRsmControllerFactory controllers = container.GetRequiredService<IRsmControllerFactory>();
        using IRsmController exporter = controllers.GetController("metrics-exporter");
        using IRsmController importer = controllers.GetController("metrics-importer");
        using RsmPageMemory memory = RsmPageMemory.Allocate(RsmPageMemory.PageSize);
        IExportSegment export = exporter.CreateExportSegment(memory.Address, memory.Length);
        uint id = export.Publish(0);

        IImportSegment import = importer.Connect(1, id, RsmPermissions.ReadWrite);
        _ = import.InitBarrier();
        import.Put(0, new byte[100]);
        import.Get(0, new byte[50]);

        Assert.AreEqual(RsmInstrumentation.MeterName, log.Instrument("rsm.io").Meter.Name);
        Assert.AreEqual(
            "metrics-importer Tcp put 100|metrics-importer Tcp get 50",
            string.Join("|", log.Of("rsm.io").Select(m => $"{m.Tag("rsm.controller")} {m.Tag("rsm.provider")} {m.Tag("rsm.io.direction")} {m.Value}")));
        Assert.AreEqual(
            "metrics-exporter create -|metrics-exporter publish -|metrics-importer connect -",
            string.Join("|", log.Of("rsm.operation.duration").Select(m => $"{m.Tag("rsm.controller")} {m.Tag("rsm.operation")} {m.Tag("error.type") ?? "-"}")));

        // The importer's node dialed the exporter's; each side counts its end of the one connection.
        Assert.AreEqual(
            "1 accepted 1|2 dialed 1",
            string.Join("|", log.Of("rsm.tcp.connection.active").Select(m => $"{m.Tag("rsm.node.id")} {m.Tag("rsm.tcp.connection.role")} {m.Value}").Order(StringComparer.Ordinal)));
        Assert.AreEqual(
            "1 accepted -|2 dialed -",
            string.Join("|", log.Of("rsm.tcp.handshake.duration").Select(m => $"{m.Tag("rsm.node.id")} {m.Tag("rsm.tcp.connection.role")} {m.Tag("error.type") ?? "-"}").Order(StringComparer.Ordinal)));

        import.Disconnect();
        export.Destroy();
    }

    private static Dictionary<string, string?> Node(uint id) => new()
    {
        ["NodeId"] = id.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["Listen"] = "127.0.0.1:0",
        ["ClusterKey"] = Convert.ToBase64String(TestNodes.Key),
    };
}
