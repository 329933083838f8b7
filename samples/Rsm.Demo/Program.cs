using System.Text;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Rsm;
using Rsm.Demo;

// One exporter and one importer on the controller named by --transport (default: Rsm:DefaultTransport in appsettings.json).
IConfiguration configuration = new ConfigurationBuilder()
    .SetBasePath(AppContext.BaseDirectory)
    .AddJsonFile("appsettings.json", optional: false)
    .AddCommandLine(args, new Dictionary<string, string> { ["--transport"] = "Rsm:DefaultTransport" })
    .Build();
string transport = configuration["Rsm:DefaultTransport"] ?? "loopback";

var services = new ServiceCollection();
services.AddRsm(configuration.GetSection("Rsm")).AddLoopbackProvider();
using ServiceProvider provider = services.BuildServiceProvider();

Console.WriteLine($"Rsm demo on controller '{transport}'");
var steps = new DemoSteps(Console.Out);
try
{
    RunDemo(provider.GetRequiredService<IRsmControllerFactory>(), transport, steps);
    Console.WriteLine("Every step had its expected outcome.");
    return 0;
}
catch (DemoFailedException ex)
{
    Console.WriteLine($"Demo failed: {ex.Message}");
    return 1;
}

static void RunDemo(IRsmControllerFactory factory, string transport, DemoSteps steps)
{
    const string Message = "Hello through RSM";
    const string Rebound = "Hello from the second buffer";

    using IRsmController controller = steps.Run($"Open controller '{transport}'", () =>
    {
        IRsmController c = factory.GetController(transport);
        return (c, $"provider {c.ProviderName}, local node {c.LocalNodeId}, page size {c.GetAttributes().PageSize} bytes");
    });

    nuint pageSize = controller.GetAttributes().PageSize;
    using RsmPageMemory first = steps.Run("Allocate a page-aligned buffer for the exporter", () =>
    {
        RsmPageMemory m = RsmPageMemory.Allocate(pageSize);
        return (m, $"{m.Length} bytes at 0x{m.Address:x}");
    });
    using RsmPageMemory second = RsmPageMemory.Allocate(pageSize);
    Encoding.UTF8.GetBytes(Rebound, second.GetSpan());

    using IExportSegment export = steps.Run("Create an export segment that allows rebind", () =>
    {
        IExportSegment e = controller.CreateExportSegment(first.Address, first.Length, ExportFlags.AllowRebind);
        return (e, $"{e.Length} bytes, flags {e.Flags}");
    });

    uint segmentId = steps.Run("Publish it with an automatic id, read/write for this node (0666)", () =>
    {
        uint id = export.Publish(0, [new RsmAccessEntry(controller.LocalNodeId, 0x1B6)]);
        return (id, $"segment id 0x{id:x8}");
    });

    using IImportSegment import = steps.Run("Connect an importer with ReadWrite", () =>
    {
        IImportSegment i = controller.Connect(controller.LocalNodeId, segmentId, RsmPermissions.ReadWrite);
        return (i, $"{i.Length} bytes on node {i.NodeId}, mode {i.GetMode()}");
    });

    RsmBarrier barrier = steps.Run("Initialise a barrier for Implicit-mode accesses", () =>
    {
        RsmBarrier b = import.InitBarrier();
        return (b, $"mode {import.GetMode()}, barrier initialised: {b.IsInitialized}");
    });

    steps.Run($"Put \"{Message}\" and get it back inside an open/close barrier", () =>
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

    IRsmMapping mapping = steps.Run("Map the segment for reading and read through the mapping", () =>
    {
        // The first get or put mapped the segment implicitly, as in C; an explicit map needs it gone.
        import.Unmap();
        IRsmMapping m = import.Map(RsmPermissions.Read, 0, import.Length);
        string text = ReadText(m.GetSpan(), Message.Length);
        DemoSteps.Check(text == Message, $"the mapping shows \"{text}\"");
        return (m, $"{m.Length} bytes at 0x{m.Address:x} show \"{text}\"");
    });

    steps.Run("Rebind the export to a second buffer with different content", () =>
    {
        export.Rebind(second.Address, second.Length);
        string viaGet = GetText(import, Rebound.Length);
        string viaMap = ReadText(mapping.GetSpan(), Rebound.Length);
        DemoSteps.Check(viaGet == Rebound, $"get shows \"{viaGet}\"");
        DemoSteps.Check(viaMap == Rebound, $"the mapping shows \"{viaMap}\"");
        return $"importer's get and existing mapping both show \"{viaGet}\"";
    });

    steps.Run("Post an event from the importer; the exporter waits for it (1 s)", () =>
    {
        import.SignalPost();
        export.SignalWait(1000);
        return "the exporter consumed one event";
    });

    steps.Run("Unpublish the segment (forcibly disconnects the importer)", () =>
    {
        export.Unpublish();
        return $"published: {export.IsPublished}";
    });

    steps.ExpectError("Get on the aborted import in Implicit mode", RsmError.ConnectionAborted, "CONN_ABORTED", () => GetText(import, Message.Length));

    steps.Run("Unmap, disconnect and destroy", () =>
    {
        import.Unmap();
        import.Disconnect();
        export.Destroy();
        return "all released";
    });
}

static string GetText(IImportSegment import, int length)
{
    Span<byte> buffer = stackalloc byte[length];
    import.Get(0, buffer);
    return Encoding.UTF8.GetString(buffer);
}

static string ReadText(Span<byte> bytes, int length) => Encoding.UTF8.GetString(bytes[..length]);
