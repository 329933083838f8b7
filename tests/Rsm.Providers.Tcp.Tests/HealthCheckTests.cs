using System.Net.Sockets;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Rsm.Engine;
using Rsm.Providers.Tcp.Internal;

namespace Rsm.Providers.Tcp.Tests;

/// <summary>
/// <c>AddRsmHealthChecks</c> on hosted Tcp nodes, read through <see cref="HealthCheckService"/>: Healthy while the node
/// listens, Degraded when a node of its directory cannot be reached or its connection is lost, Unhealthy when its
/// listener fails.
/// </summary>
[TestClass]
public sealed class HealthCheckTests
{
    private const uint SegmentId = 0x10000071;
    private static readonly TimeSpan s_waitLimit = TimeSpan.FromSeconds(30);

    [TestMethod]
    public async Task ListeningNode_Healthy_WithItsFacts()
    {
        int port = LoopbackPorts.Free();
        using IHost host = Build(1, port, []);
        await host.StartAsync().WaitAsync(s_waitLimit);

        HealthReportEntry entry = await CheckAsync(host);

        Assert.AreEqual(HealthStatus.Healthy, entry.Status, entry.Description);
        Assert.AreEqual($"controller 'tcp1' (Tcp, node 1): listening on 127.0.0.1:{port}", entry.Description);
        Assert.AreEqual($"127.0.0.1:{port}", entry.Data["listen"]);
        Assert.AreEqual("Tcp", entry.Data["provider"]);
        Assert.AreEqual(1u, entry.Data["node"]);
        Assert.AreEqual(0L, entry.Data["segments.exported"]);
        Assert.AreEqual(true, entry.Data["open"]);
        Assert.AreEqual("rsm", entry.Tags.Single());

        IRsmController controller = host.Services.GetRequiredKeyedService<IRsmController>("tcp1");
        using RsmPageMemory memory = RsmPageMemory.Allocate(RsmPageMemory.PageSize);
        using (IExportSegment export = controller.CreateExportSegment(memory.Address, memory.Length))
        {
            entry = await CheckAsync(host);
            Assert.AreEqual(1L, entry.Data["segments.exported"]);
            export.Destroy();
        }

        entry = await CheckAsync(host);
        Assert.AreEqual(0L, entry.Data["segments.exported"]);
        await host.StopAsync().WaitAsync(s_waitLimit);
    }

    [TestMethod]
    public async Task DirectoryNodeThatRefuses_Degraded_NamingTheNode()
    {
        int port = LoopbackPorts.Free();
        int nobody = LoopbackPorts.Free();
        using IHost host = Build(1, port, new() { ["Nodes:2"] = $"127.0.0.1:{nobody}", ["ConnectTimeout"] = "00:00:02" });
        await host.StartAsync().WaitAsync(s_waitLimit);
        Assert.AreEqual(HealthStatus.Healthy, (await CheckAsync(host)).Status, "a node never contacted is not judged");
        Assert.AreEqual("not connected", (await CheckAsync(host)).Data["node.2"]);

        IRsmController controller = host.Services.GetRequiredKeyedService<IRsmController>("tcp1");
        RsmException ex = Assert.ThrowsExactly<RsmException>(() => controller.Connect(2, SegmentId, RsmPermissions.Read));
        Assert.AreEqual(RsmError.RemoteNodeUnreachable, ex.Error);

        HealthReportEntry entry = await CheckAsync(host);
        Assert.AreEqual(HealthStatus.Degraded, entry.Status, entry.Description);
        StringAssert.StartsWith(entry.Description, $"controller 'tcp1' (Tcp, node 1): listening on 127.0.0.1:{port}; node 2 unreachable: ");
        StringAssert.StartsWith((string)entry.Data["node.2"], "unreachable: ");
        await host.StopAsync().WaitAsync(s_waitLimit);
    }

    [TestMethod]
    public async Task ExporterNodeGoesAway_ImporterDegraded_WithTheLostConnection()
    {
        int exporterPort = LoopbackPorts.Free();
        int importerPort = LoopbackPorts.Free();
        IHost exporterHost = Build(1, exporterPort, new() { ["Nodes:2"] = $"127.0.0.1:{importerPort}" });
        using IHost importerHost = Build(2, importerPort, new() { ["Nodes:1"] = $"127.0.0.1:{exporterPort}" });
        using RsmPageMemory memory = RsmPageMemory.Allocate(RsmPageMemory.PageSize);
        try
        {
            await exporterHost.StartAsync().WaitAsync(s_waitLimit);
            await importerHost.StartAsync().WaitAsync(s_waitLimit);
            IRsmController exporter = exporterHost.Services.GetRequiredKeyedService<IRsmController>("tcp1");
            IRsmController importer = importerHost.Services.GetRequiredKeyedService<IRsmController>("tcp1");
            IExportSegment export = exporter.CreateExportSegment(memory.Address, memory.Length);
            export.Publish(SegmentId, [RsmAccessEntry.FromOctal(2, "666")]);
            using IImportSegment import = importer.Connect(1, SegmentId, RsmPermissions.Read);
            HealthReportEntry both = await CheckAsync(importerHost);
            Assert.AreEqual(HealthStatus.Healthy, both.Status, both.Description);
            Assert.AreEqual("connected", both.Data["node.1"]);
            Assert.AreEqual(1L, both.Data["segments.imported"]);
            HealthReportEntry exporterSide = await CheckAsync(exporterHost);
            Assert.AreEqual(HealthStatus.Healthy, exporterSide.Status, exporterSide.Description);
            Assert.AreEqual("connected", exporterSide.Data["node.2"], "the exporter sees the importer's connection");

            // The exporter's host stops and its services go while the import is connected: its node and connections end.
            await exporterHost.StopAsync().WaitAsync(s_waitLimit);
            exporterHost.Dispose();

            HealthReportEntry entry = await WaitForAsync(importerHost, HealthStatus.Degraded);
            StringAssert.StartsWith((string)entry.Data["node.1"], "connection lost: ");
            StringAssert.Contains(entry.Description, "node 1 connection lost: ");
            Assert.AreEqual(1L, entry.Data["forced_disconnects"], "the import was aborted with the connection");
        }
        finally
        {
            exporterHost.Dispose();
        }

        await importerHost.StopAsync().WaitAsync(s_waitLimit);
    }

    [TestMethod]
    public async Task ListenerFails_Unhealthy_AndStoppedNode_Unhealthy()
    {
        int port = LoopbackPorts.Free();
        using IHost host = Build(1, port, []);
        await host.StartAsync().WaitAsync(s_waitLimit);
        TcpNode node = host.Services.GetServices<IRsmProvider>().OfType<TcpProvider>().Single().NodeOf(1)!;

        // A listening socket shut down under the node can accept nothing more: every accept now fails.
        node.Listener!.ListeningSocket.Shutdown(SocketShutdown.Both);
        HealthReportEntry entry = await WaitForAsync(host, HealthStatus.Unhealthy);

        StringAssert.StartsWith(entry.Description, $"controller 'tcp1' (Tcp, node 1): the listener on 127.0.0.1:{port} cannot accept connections: ");
        Assert.IsInstanceOfType<SocketException>(entry.Exception);
        await host.StopAsync().WaitAsync(s_waitLimit);
    }

    [TestMethod]
    public async Task StartWithHostControllerClosed_Unhealthy_LazyControllerNotOpen_Healthy()
    {
        int port = LoopbackPorts.Free();
        int lazyPort = LoopbackPorts.Free();
        HostApplicationBuilder builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Configuration.AddInMemoryCollection(Settings("tcp1", 1, port, new() { ["StartWithHost"] = "true" })
            .Concat(Settings("lazy", 3, lazyPort, [])));
        builder.Services.AddRsm(builder.Configuration.GetSection("Rsm")).AddTcpProvider().AddHostedControllers();
        builder.Services.AddHealthChecks().AddRsmHealthChecks(["cluster"]).AddRsmHealthChecks();
        using IHost host = builder.Build();
        await host.StartAsync().WaitAsync(s_waitLimit);

        HealthReport report = await host.Services.GetRequiredService<HealthCheckService>().CheckHealthAsync().WaitAsync(s_waitLimit);
        Assert.AreEqual(2, report.Entries.Count, "one check per controller, once");
        Assert.AreEqual(HealthStatus.Healthy, report.Entries["rsm:tcp1"].Status);
        Assert.AreEqual(HealthStatus.Healthy, report.Entries["rsm:lazy"].Status);
        Assert.AreEqual("controller 'lazy' is not open yet: it opens at its first use", report.Entries["rsm:lazy"].Description);
        Assert.AreEqual(SocketError.ConnectionRefused, LoopbackPorts.TryConnect(lazyPort), "the health check opened the lazy controller");
        Assert.AreEqual("rsm cluster", string.Join(' ', report.Entries["rsm:lazy"].Tags.Order(StringComparer.Ordinal).Reverse()));

        await host.StopAsync().WaitAsync(s_waitLimit);
        report = await host.Services.GetRequiredService<HealthCheckService>().CheckHealthAsync().WaitAsync(s_waitLimit);

        Assert.AreEqual(HealthStatus.Unhealthy, report.Entries["rsm:tcp1"].Status);
        Assert.AreEqual("controller 'tcp1' should have opened with the host and is not open", report.Entries["rsm:tcp1"].Description);
        Assert.AreEqual(HealthStatus.Unhealthy, report.Status);
    }

    private static async Task<HealthReportEntry> CheckAsync(IHost host)
    {
        HealthReport report = await host.Services.GetRequiredService<HealthCheckService>().CheckHealthAsync().WaitAsync(s_waitLimit);
        Assert.AreEqual(1, report.Entries.Count);
        return report.Entries["rsm:tcp1"];
    }

    private static async Task<HealthReportEntry> WaitForAsync(IHost host, HealthStatus status)
    {
        DateTime deadline = DateTime.UtcNow + s_waitLimit;
        while (true)
        {
            HealthReportEntry entry = await CheckAsync(host);
            if (entry.Status == status)
            {
                return entry;
            }

            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail($"the health stayed {entry.Status} ({entry.Description}), not {status}");
            }

            await Task.Delay(50);
        }
    }

    private static IHost Build(uint nodeId, int port, Dictionary<string, string?> extra)
    {
        extra["StartWithHost"] = "true";
        HostApplicationBuilder builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Configuration.AddInMemoryCollection(Settings("tcp1", nodeId, port, extra));
        builder.Services.AddRsm(builder.Configuration.GetSection("Rsm")).AddTcpProvider().AddHostedControllers();
        builder.Services.AddHealthChecks().AddRsmHealthChecks();
        return builder.Build();
    }

    private static Dictionary<string, string?> Settings(string name, uint nodeId, int port, Dictionary<string, string?> extra)
    {
        var settings = new Dictionary<string, string?>
        {
            [$"Rsm:Controllers:{name}:Provider"] = "Tcp",
            [$"Rsm:Controllers:{name}:NodeId"] = nodeId.ToString(System.Globalization.CultureInfo.InvariantCulture),
            [$"Rsm:Controllers:{name}:Listen"] = $"127.0.0.1:{port}",
            [$"Rsm:Controllers:{name}:ClusterKey"] = Convert.ToBase64String(TestNodes.Key),
        };
        foreach ((string key, string? value) in extra)
        {
            settings[$"Rsm:Controllers:{name}:{key}"] = value;
        }

        return settings;
    }
}
