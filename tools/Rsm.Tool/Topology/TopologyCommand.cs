using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.Configuration;
using Rsm.Tool.Shm;
using Spectre.Console;

namespace Rsm.Tool.Topology;

/// <summary><c>rsm topology --config &lt;file&gt;</c>: the configured controllers, their nodes and each node's state.</summary>
internal static class TopologyCommand
{
    public static Command Create(TextWriter output)
    {
        var config = new Option<FileInfo>("--config", "-c") { Description = "The application's configuration file (appsettings.json) with an Rsm section.", Required = true, HelpName = "file" };
        var controller = new Option<string?>("--controller") { Description = "Only this controller of Rsm:Controllers.", HelpName = "name" };
        var json = new Option<bool>("--json") { Description = "Print one JSON object instead of tables." };
        var timeout = new Option<double>("--timeout")
        {
            Description = "Seconds each Tcp probe may take, name resolution included.",
            HelpName = "seconds",
            DefaultValueFactory = _ => 2,
        };
        var command = new Command("topology", "Shows the controllers of a configuration file's Rsm section (provider, node id, StartWithHost, the settings that place the nodes) and each node's state, probed without disturbing a running application: Tcp endpoints are connected to and closed at once, SharedMemory rendezvous sockets are looked up, nothing is bound.")
        {
            config, controller, json, timeout,
        };
        timeout.Validators.Add(result =>
        {
            double seconds = result.GetValueOrDefault<double>();
            if (double.IsNaN(seconds) || seconds <= 0 || seconds > 60)
            {
                result.AddError($"--timeout {seconds.ToString(CultureInfo.InvariantCulture)}: give more than 0 and at most 60 seconds");
            }
        });
        command.SetAction((parsed, cancellationToken) => RunAsync(
            output,
            parsed.GetValue(config)!.ToString(),
            parsed.GetValue(controller),
            parsed.GetValue(json),
            TimeSpan.FromSeconds(parsed.GetValue(timeout)),
            cancellationToken));
        return command;
    }

    public static async Task<int> RunAsync(TextWriter output, string file, string? only, bool json, TimeSpan timeout, CancellationToken cancellationToken)
    {
        IConfigurationRoot configuration = TopologyReader.Load(file);
        List<ControllerReport> controllers = TopologyReader.Read(configuration, file, only);

        var probes = new List<Task>();
        IReadOnlyList<RendezvousSocket>? sockets = null;
        foreach (ControllerReport c in controllers)
        {
            switch (c.Provider)
            {
                case TopologyReader.Tcp:
                    AddTcpNodes(c, configuration.GetSection(c.Path), timeout, probes, cancellationToken);
                    break;
                case TopologyReader.SharedMemory:
                    sockets ??= OperatingSystem.IsLinux() ? RendezvousScanner.Scan() : [];
                    NodeProbe.AddSharedMemoryNodes(c, c.Settings.First(s => s.Key == "RendezvousPrefix").Value, sockets);
                    break;
                case TopologyReader.Loopback:
                    c.Nodes.Add(new NodeReport
                    {
                        NodeId = c.NodeId ?? 0,
                        Role = "local",
                        State = NodeProbe.InProcess,
                        Detail = "a Loopback controller lives inside one process: nothing outside it can be probed",
                    });
                    break;
            }
        }

        await Task.WhenAll(probes).ConfigureAwait(false);

        if (json)
        {
            WriteJson(output, Path.GetFullPath(file), controllers);
        }
        else
        {
            WriteTables(output, Path.GetFullPath(file), controllers);
        }

        return ExitCodes.Ok;
    }

    private static void AddTcpNodes(ControllerReport c, IConfigurationSection section, TimeSpan timeout, List<Task> probes, CancellationToken cancellationToken)
    {
        uint own = c.NodeId ?? 0;
        string listen = c.Settings.First(s => s.Key == "Listen").Value;
        var local = new NodeReport { NodeId = own, Role = "local", Address = listen, State = NodeProbe.NotProbed };
        c.Nodes.Add(local);
        probes.Add(NodeProbe.ProbeTcpAsync(local, listen, local: true, timeout, cancellationToken));

        foreach (IConfigurationSection entry in section.GetSection("Nodes").GetChildren()
            .OrderBy(n => uint.TryParse(n.Key, NumberStyles.None, CultureInfo.InvariantCulture, out uint id) ? id : uint.MaxValue))
        {
            uint id = uint.Parse(entry.Key, NumberStyles.None, CultureInfo.InvariantCulture);
            string endpoint = entry.Value ?? "";
            if (id == own)
            {
                // The node's own entry: the process listens on Listen, which is probed above.
                continue;
            }

            var node = new NodeReport { NodeId = id, Role = "directory", Address = endpoint, State = NodeProbe.NotProbed };
            c.Nodes.Add(node);
            probes.Add(NodeProbe.ProbeTcpAsync(node, endpoint, local: false, timeout, cancellationToken));
        }
    }

    private static void WriteJson(TextWriter output, string file, List<ControllerReport> controllers) => JsonOutput.WriteLine(output, w =>
    {
        w.WriteStartObject();
        w.WriteString("file", file);
        w.WriteStartArray("controllers");
        foreach (ControllerReport c in controllers)
        {
            w.WriteStartObject();
            w.WriteString("name", c.Name);
            w.WriteString("path", c.Path);
            w.WriteString("provider", c.Provider);
            if (c.NodeId is { } id)
            {
                w.WriteNumber("nodeId", id);
            }
            else
            {
                w.WriteNull("nodeId");
            }

            w.WriteBoolean("startWithHost", c.StartWithHost);
            w.WriteStartObject("settings");
            foreach (KeyValuePair<string, string> setting in c.Settings)
            {
                w.WriteString(setting.Key, setting.Value);
            }

            w.WriteEndObject();
            w.WriteString("note", c.Note);
            WriteStrings(w, "warnings", c.Warnings);
            w.WriteStartArray("nodes");
            foreach (NodeReport n in c.Nodes)
            {
                WriteNode(w, n);
            }

            w.WriteEndArray();
            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteEndObject();
    });

    private static void WriteNode(Utf8JsonWriter w, NodeReport n)
    {
        w.WriteStartObject();
        w.WriteNumber("nodeId", n.NodeId);
        w.WriteString("role", n.Role);
        w.WriteString("address", n.Address);
        w.WriteString("state", n.State);
        if (n.Reachable is { } reachable)
        {
            w.WriteBoolean("reachable", reachable);
        }
        else
        {
            w.WriteNull("reachable");
        }

        w.WriteString("detail", n.Detail);
        WriteStrings(w, "segments", n.Segments);
        ShmCommand.WriteOwners(w, n.Processes);
        w.WriteEndObject();
    }

    private static void WriteStrings(Utf8JsonWriter w, string name, IEnumerable<string> values)
    {
        w.WriteStartArray(name);
        foreach (string value in values)
        {
            w.WriteStringValue(value);
        }

        w.WriteEndArray();
    }

    private static void WriteTables(TextWriter output, string file, List<ControllerReport> controllers)
    {
        IAnsiConsole console = Consoles.For(output);
        console.MarkupLine($"[bold]{Markup.Escape(file)}[/]");
        foreach (ControllerReport c in controllers)
        {
            string node = c.NodeId is { } id ? $", node {id.ToString(CultureInfo.InvariantCulture)}" : "";
            console.WriteLine();
            console.MarkupLine($"[bold]{Markup.Escape(c.Name)}[/] ({Markup.Escape(c.Provider)}{node}, StartWithHost {(c.StartWithHost ? "true" : "false")})");
            foreach (KeyValuePair<string, string> setting in c.Settings)
            {
                console.MarkupLine($"  {Markup.Escape(setting.Key)}: {Markup.Escape(setting.Value)}");
            }

            if (c.Note is not null)
            {
                console.MarkupLine($"  [grey]{Markup.Escape(c.Note)}[/]");
            }

            foreach (string warning in c.Warnings)
            {
                console.MarkupLine($"  [yellow]{Markup.Escape(warning)}[/]");
            }

            if (c.Nodes.Count == 0)
            {
                continue;
            }

            var table = new Table().Border(TableBorder.Rounded)
                .AddColumn(new TableColumn("Node").RightAligned()).AddColumn("Role").AddColumn("Address").AddColumn("State").AddColumn("Detail");
            foreach (NodeReport n in c.Nodes)
            {
                string state = n.Reachable switch
                {
                    true => $"[green]{n.State}[/]",
                    false => $"[red]{n.State}[/]",
                    null => n.State,
                };
                table.AddRow(n.NodeId.ToString(CultureInfo.InvariantCulture), n.Role, Markup.Escape(n.Address ?? ""), state, Markup.Escape(n.Detail));
            }

            console.Write(table);
        }
    }
}
