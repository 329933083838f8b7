using System.Text;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Rsm;
using Rsm.Demo;

// One exporter and one importer on the controller named by --transport (default: Rsm:DefaultTransport in appsettings.json).
// On a SharedMemory or Tcp controller the importer is a second process: this program started again with the hidden
// --role importer. On Tcp each process is a node of its own, and the importer also gets its node id and endpoints.
IConfiguration configuration = BuildConfiguration(args, exporterSettings: null);
string transport = configuration["Rsm:DefaultTransport"] ?? "loopback";

if (configuration["Demo:Role"] is not null)
{
    using ServiceProvider importerServices = BuildServices(configuration);
    return ImporterRole.Run(importerServices.GetRequiredService<IRsmControllerFactory>(), configuration, transport, Console.In, Console.Out);
}

// With two processes, every line names the process that printed it.
bool crossProcess = NodePlacement.IsCrossProcess(configuration[$"Rsm:Controllers:{transport}:Provider"]);
string prefix = crossProcess ? ImporterProtocol.LinePrefix(CrossProcessDemo.ExporterRole, Environment.ProcessId) : "";

Console.WriteLine($"Rsm demo on controller '{transport}'");
var steps = new DemoSteps(Console.Out, prefix);
try
{
    NodePlacement? placement = null;
    if (crossProcess)
    {
        // On Tcp this picks the two nodes' ports; this process takes its own through configuration layered over the rest.
        placement = NodePlacement.Plan(configuration, transport);
        if (placement.ExporterSettings.Count > 0)
        {
            configuration = BuildConfiguration(args, placement.ExporterSettings);
        }
    }

    using ServiceProvider services = BuildServices(configuration);
    RunDemo(services.GetRequiredService<IRsmControllerFactory>(), transport, placement, steps, args);
    Console.WriteLine("Every step had its expected outcome.");
    return 0;
}
catch (DemoFailedException ex)
{
    Console.WriteLine($"Demo failed: {ex.Message}");
    return 1;
}

// appsettings.json, then the command line, then (in the exporter of a Tcp demo) the endpoints picked at start.
static IConfiguration BuildConfiguration(string[] args, IReadOnlyDictionary<string, string?>? exporterSettings)
{
    IConfigurationBuilder builder = new ConfigurationBuilder()
        .SetBasePath(AppContext.BaseDirectory)
        .AddJsonFile("appsettings.json", optional: false)
        .AddCommandLine(args, new Dictionary<string, string>
        {
            ["--transport"] = "Rsm:DefaultTransport",
            [ImporterProtocol.RoleSwitch] = "Demo:Role",
            [ImporterProtocol.NodeSwitch] = "Demo:Node",
            [ImporterProtocol.SegmentSwitch] = "Demo:Segment",
        });
    if (exporterSettings is not null)
    {
        builder.AddInMemoryCollection(exporterSettings);
    }

    return builder.Build();
}

static ServiceProvider BuildServices(IConfiguration configuration)
{
    var services = new ServiceCollection();
    IRsmBuilder rsm = services.AddRsm(configuration.GetSection("Rsm")).AddLoopbackProvider().AddTcpProvider();
    if (OperatingSystem.IsLinux())
    {
        // SharedMemory needs Linux; elsewhere a controller that names it reports CTLR_NOT_PRESENT when opened.
        rsm.AddSharedMemoryProvider();
    }

    return services.BuildServiceProvider();
}

static void RunDemo(IRsmControllerFactory factory, string transport, NodePlacement? placement, DemoSteps steps, string[] args)
{
    const string Message = DemoText.Message;
    const string Rebound = DemoText.Rebound;

    using IRsmController controller = steps.Run(DemoText.OpenController(transport), () =>
    {
        IRsmController c = factory.GetController(transport);
        return (c, $"provider {c.ProviderName}, local node {c.LocalNodeId}, page size {c.GetAttributes().PageSize} bytes");
    });

    if (placement is not null)
    {
        CrossProcessDemo.Run(controller, placement, args, steps, Console.Out);
        return;
    }

    nuint pageSize = controller.GetAttributes().PageSize;
    using RsmPageMemory first = steps.Run(DemoText.Allocate, () =>
    {
        RsmPageMemory m = RsmPageMemory.Allocate(pageSize);
        return (m, $"{m.Length} bytes at 0x{m.Address:x}");
    });
    using RsmPageMemory second = RsmPageMemory.Allocate(pageSize);
    Encoding.UTF8.GetBytes(Rebound, second.GetSpan());

    using IExportSegment export = steps.Run(DemoText.CreateExport, () =>
    {
        IExportSegment e = controller.CreateExportSegment(first.Address, first.Length, ExportFlags.AllowRebind);
        return (e, $"{e.Length} bytes, flags {e.Flags}");
    });

    uint segmentId = steps.Run(DemoText.Publish, () =>
    {
        uint id = export.Publish(0, [RsmAccessEntry.FromOctal(controller.LocalNodeId, "0666")]);
        return (id, $"segment id 0x{id:x8}");
    });

    using IImportSegment import = steps.Run(DemoText.Connect, () =>
    {
        IImportSegment i = controller.Connect(controller.LocalNodeId, segmentId, RsmPermissions.ReadWrite);
        return (i, $"{i.Length} bytes on node {i.NodeId}, mode {i.GetMode()}");
    });

    RsmBarrier barrier = steps.Run(DemoText.InitBarrier, () =>
    {
        RsmBarrier b = import.InitBarrier();
        return (b, $"mode {import.GetMode()}, barrier initialised: {b.IsInitialized}");
    });

    steps.Run(DemoText.PutGet, () =>
    {
        byte[] sent = Encoding.UTF8.GetBytes(Message);
        byte[] received = new byte[sent.Length];
        barrier.Open();
        import.Put(0, sent);
        import.Get(0, received);
        barrier.Close();
        string text = Encoding.UTF8.GetString(received);
        DemoSteps.Check(text == Message, $"got back \"{text}\"");
        string local = Encoding.UTF8.GetString(first.GetSpan()[..sent.Length]);
        DemoSteps.Check(local == Message, $"the exporter's memory holds \"{local}\"");
        return $"importer got \"{text}\"; the exporter's own memory holds \"{local}\"";
    });

    IRsmMapping mapping = steps.Run(DemoText.Map, () =>
    {
        // The first get or put mapped the segment implicitly, as in C; an explicit map needs it gone.
        import.Unmap();
        IRsmMapping m = import.Map(RsmPermissions.Read, 0, import.Length);
        string text = DemoText.ReadText(m.GetSpan(), Message.Length);
        DemoSteps.Check(text == Message, $"the mapping shows \"{text}\"");
        return (m, $"{m.Length} bytes at 0x{m.Address:x} show \"{text}\"");
    });

    steps.Run(DemoText.Rebind, () =>
    {
        export.Rebind(second.Address, second.Length);
        string viaGet = DemoText.GetText(import, Rebound.Length);
        string viaMap = DemoText.ReadText(mapping.GetSpan(), Rebound.Length);
        DemoSteps.Check(viaGet == Rebound, $"get shows \"{viaGet}\"");
        DemoSteps.Check(viaMap == Rebound, $"the mapping shows \"{viaMap}\"");
        return $"importer's get and existing mapping both show \"{viaGet}\"";
    });

    steps.Run(DemoText.Signal, () =>
    {
        import.SignalPost();
        export.SignalWait(1000);
        return "the exporter consumed one event";
    });

    steps.Run(DemoText.Unpublish, () =>
    {
        export.Unpublish();
        return $"published: {export.IsPublished}";
    });

    steps.ExpectError(DemoText.AbortedGet, RsmError.ConnectionAborted, "CONN_ABORTED", () => DemoText.GetText(import, Message.Length));

    steps.Run(DemoText.Release, () =>
    {
        import.Unmap();
        import.Disconnect();
        return "the importer unmapped and disconnected";
    });

    using IImportSegment again = steps.Run(DemoText.Republish, () =>
    {
        uint republished = export.Publish(0, [RsmAccessEntry.FromOctal(controller.LocalNodeId, "0666")]);
        IImportSegment i = controller.Connect(controller.LocalNodeId, republished, RsmPermissions.ReadWrite);
        _ = i.InitBarrier();
        string text = DemoText.GetText(i, Rebound.Length);
        DemoSteps.Check(text == Rebound, $"the new import reads \"{text}\"");
        return (i, $"published again with the automatic id 0x{republished:x8}; the new import reads \"{text}\"");
    });

    steps.Run(DemoText.Destroy, () =>
    {
        export.Destroy();
        return "the exporter destroyed the export without unpublishing it first";
    });

    steps.ExpectError(DemoText.DestroyedGet, RsmError.ConnectionAborted, "CONN_ABORTED", () => DemoText.GetText(again, Rebound.Length));

    steps.Run(DemoText.Disconnect, () =>
    {
        again.Disconnect();
        return "the importer disconnected";
    });
}
