using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Rsm;
using Rsm.Diagnostics;
using Rsm.HostedNode;

// A Generic Host worker that exports a segment or imports it, on the controller HostedNode:Controller names. Settings
// come from appsettings.json (next to the program), then DOTNET_/environment variables, then the command line
// (--HostedNode:Role=Importer --Rsm:Controllers:tcp0:NodeId=2 ...).
HostApplicationBuilder builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings
{
    Args = args,
    ContentRootPath = AppContext.BaseDirectory,
});

// Only the controller this node works on opens with the host: the others of the file stay closed, so that, for
// example, a SharedMemory node does not also listen on the Tcp node's port.
HostedNodeOptions node;
try
{
    node = builder.Configuration.GetSection(HostedNodeOptions.SectionName).Get<HostedNodeOptions>() ?? new HostedNodeOptions();
}
catch (InvalidOperationException ex)
{
    // A value that does not convert, such as a Role other than Exporter, Importer or Both; the message names its key.
    Console.Error.WriteLine($"Rsm.HostedNode did not start: {ex.Message}");
    return 1;
}

builder.Configuration.AddInMemoryCollection(builder.Configuration.GetSection("Rsm:Controllers").GetChildren()
    .Where(c => !string.Equals(c.Key, node.Controller, StringComparison.OrdinalIgnoreCase))
    .Select(c => new KeyValuePair<string, string?>($"{c.Path}:StartWithHost", "false")));

// Every controller of Rsm:Controllers is checked when the host starts (a wrong setting fails the start with its
// configuration path); those marked "StartWithHost": true are opened then, so a Tcp node listens from the start, and
// released after the workers have stopped.
IRsmBuilder rsm = builder.Services.AddRsm(builder.Configuration.GetSection("Rsm"))
    .AddLoopbackProvider()
    .AddTcpProvider();
if (OperatingSystem.IsLinux())
{
    // SharedMemory needs Linux; elsewhere a controller that names it is reported at host start.
    rsm.AddSharedMemoryProvider();
}

rsm.AddHostedControllers();

// Health checks: one check per controller (rsm:shm0, rsm:tcp0, ...), which HealthReporter runs every
// HostedNode:HealthInterval and logs when a status changes. A web host maps the same checks to an endpoint instead.
builder.Services.AddHealthChecks().AddRsmHealthChecks();
builder.Services.AddHostedService<HealthReporter>();

// Metrics: the controllers create the "Rsm" meter through the host's IMeterFactory, so dotnet-counters
// (dotnet-counters monitor -p <pid> --counters Rsm) and OpenTelemetry (AddMeter(RsmInstrumentation.MeterName)) see
// them. HostedNode:ConsoleMetrics=true also writes each measurement to the console through the host's metrics builder.
builder.Metrics.EnableMetrics(RsmInstrumentation.MeterName);
if (node.ConsoleMetrics)
{
    builder.Metrics.AddDebugConsole();
}

builder.Services.AddOptions<HostedNodeOptions>()
    .Bind(builder.Configuration.GetSection(HostedNodeOptions.SectionName))
    .ValidateOnStart();
builder.Services.AddSingleton<IValidateOptions<HostedNodeOptions>, HostedNodeOptionsValidator>();

if (node.Role is NodeRole.Exporter or NodeRole.Both)
{
    builder.Services.AddHostedService<ExporterWorker>();
}

if (node.Role is NodeRole.Importer or NodeRole.Both)
{
    builder.Services.AddHostedService<ImporterWorker>();
}

using IHost host = builder.Build();
try
{
    await host.RunAsync().ConfigureAwait(false);
}
catch (Exception ex) when (ex is RsmException or OptionsValidationException)
{
    // The host has logged it in full; a wrong setting ends the program with its configuration path on one line.
    Console.Error.WriteLine($"Rsm.HostedNode did not start: {ex.Message}");
    return 1;
}

return Environment.ExitCode;
