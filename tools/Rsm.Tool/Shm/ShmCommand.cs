using System.CommandLine;
using System.Globalization;
using Spectre.Console;

namespace Rsm.Tool.Shm;

/// <summary><c>rsm shm list</c>: the SharedMemory rendezvous sockets of this host.</summary>
internal static class ShmCommand
{
    public static Command Create(TextWriter output)
    {
        var json = new Option<bool>("--json") { Description = "Print one JSON object instead of a table." };
        var prefix = new Option<string?>("--prefix") { Description = "Only the sockets of this rendezvous prefix (RendezvousPrefix of a SharedMemory controller).", HelpName = "prefix" };
        var list = new Command("list", "Lists the SharedMemory rendezvous sockets of this host (one per published segment, in the abstract namespace, from /proc/net/unix) with the process that holds each, marking those whose process is gone.")
        {
            json, prefix,
        };
        list.SetAction(parsed => Run(output, parsed.GetValue(json), parsed.GetValue(prefix)));

        return new Command("shm", "SharedMemory provider: the rendezvous sockets of this host.") { list };
    }

    public static int Run(TextWriter output, bool json, string? prefix)
    {
        IReadOnlyList<RendezvousSocket> sockets = RendezvousScanner.Scan(prefix);
        if (json)
        {
            JsonOutput.WriteLine(output, w =>
            {
                w.WriteStartObject();
                w.WriteStartArray("sockets");
                foreach (RendezvousSocket socket in sockets)
                {
                    WriteSocket(w, socket);
                }

                w.WriteEndArray();
                w.WriteEndObject();
            });
            return ExitCodes.Ok;
        }

        IAnsiConsole console = Consoles.For(output);
        if (sockets.Count == 0)
        {
            console.WriteLine(prefix is null ? "No SharedMemory rendezvous socket on this host: no segment is published." : $"No SharedMemory rendezvous socket with the prefix '{prefix}'.");
            return ExitCodes.Ok;
        }

        var table = new Table().Border(TableBorder.Rounded)
            .AddColumn("Prefix").AddColumn(new TableColumn("Node").RightAligned()).AddColumn("Segment")
            .AddColumn("State").AddColumn(new TableColumn("PID").RightAligned()).AddColumn(new TableColumn("UID").RightAligned()).AddColumn("Command");
        foreach (RendezvousSocket socket in sockets)
        {
            SocketOwner? owner = socket.Owners.Count > 0 ? socket.Owners[0] : null;
            table.AddRow(
                Markup.Escape(socket.Prefix),
                socket.NodeId.ToString(CultureInfo.InvariantCulture),
                socket.SegmentIdText,
                socket.State switch
                {
                    RendezvousSocket.Alive => "[green]alive[/]",
                    RendezvousSocket.Gone => "[red]gone[/]",
                    _ => "[yellow]unknown[/]",
                },
                owner is null ? "" : string.Join(",", socket.Owners.Select(o => o.ProcessId.ToString(CultureInfo.InvariantCulture))),
                owner?.Uid?.ToString(CultureInfo.InvariantCulture) ?? "",
                Markup.Escape(owner?.Command ?? (socket.State == RendezvousSocket.Gone ? "(its process has exited)" : "(not visible to this user)")));
        }

        console.Write(table);
        return ExitCodes.Ok;
    }

    public static void WriteSocket(System.Text.Json.Utf8JsonWriter w, RendezvousSocket socket)
    {
        w.WriteStartObject();
        w.WriteString("name", socket.Name);
        w.WriteString("prefix", socket.Prefix);
        w.WriteNumber("nodeId", socket.NodeId);
        w.WriteString("segmentId", socket.SegmentIdText);
        w.WriteNumber("inode", socket.Inode);
        w.WriteString("state", socket.State);
        WriteOwners(w, socket.Owners);
        w.WriteEndObject();
    }

    /// <summary>Writes the <c>processes</c> array: each owner's pid, uid (null when unknown) and command line.</summary>
    public static void WriteOwners(System.Text.Json.Utf8JsonWriter w, IEnumerable<SocketOwner> owners)
    {
        w.WriteStartArray("processes");
        foreach (SocketOwner owner in owners)
        {
            w.WriteStartObject();
            w.WriteNumber("pid", owner.ProcessId);
            if (owner.Uid is { } uid)
            {
                w.WriteNumber("uid", uid);
            }
            else
            {
                w.WriteNull("uid");
            }

            w.WriteString("command", owner.Command);
            w.WriteEndObject();
        }

        w.WriteEndArray();
    }
}
