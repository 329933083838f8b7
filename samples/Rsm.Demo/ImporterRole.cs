using System.Globalization;
using System.Text;
using Microsoft.Extensions.Configuration;

namespace Rsm.Demo;

/// <summary>
/// The importer process of the two-process demo: it connects to the exporter's segment and performs the importer's
/// steps one command at a time, as the exporter asks on standard input (see <see cref="ImporterProtocol"/>).
/// </summary>
internal sealed class ImporterRole(IRsmController controller, uint nodeId, uint segmentId, DemoSteps steps) : IDisposable
{
    private IImportSegment? _import;
    private RsmBarrier? _barrier;
    private IRsmMapping? _mapping;

    private IImportSegment Import => _import ?? throw new InvalidOperationException("there is no import segment: the connect step has not run");

    /// <summary>Runs the importer role until the exporter says exit (0), a step fails (1) or the commands end (1).</summary>
    public static int Run(IRsmControllerFactory factory, IConfiguration configuration, string transport, TextReader input, TextWriter output)
    {
        string prefix = ImporterProtocol.LinePrefix(ImporterProtocol.ImporterRole, Environment.ProcessId);
        if (configuration["Demo:Role"] != ImporterProtocol.ImporterRole
            || !uint.TryParse(configuration["Demo:Node"], NumberStyles.None, CultureInfo.InvariantCulture, out uint nodeId)
            || !ImporterProtocol.TryParseSegmentId(configuration["Demo:Segment"], out uint segmentId))
        {
            string reason = $"{ImporterProtocol.RoleSwitch} {ImporterProtocol.ImporterRole} needs {ImporterProtocol.NodeSwitch} <node id> and {ImporterProtocol.SegmentSwitch} <segment id>; this role is started by the demo itself";
            output.WriteLine($"{prefix}{reason}");
            Reply(output, ImporterProtocol.Failed, reason);
            return 1;
        }

        IRsmController controller;
        try
        {
            controller = factory.GetController(transport);
        }
        catch (RsmException ex)
        {
            string reason = $"could not open controller '{transport}': {ex.Message}";
            output.WriteLine($"{prefix}{reason}");
            Reply(output, ImporterProtocol.Failed, reason);
            return 1;
        }

        var steps = new DemoSteps(output, prefix);
        using (controller)
        using (var role = new ImporterRole(controller, nodeId, segmentId, steps))
        {
            steps.Note($"opened controller '{transport}': provider {controller.ProviderName}, local node {controller.LocalNodeId}; " +
                $"the segment to import is {ImporterProtocol.FormatSegmentId(segmentId)} on node {nodeId}");
            Reply(output, ImporterProtocol.Ready);
            while (input.ReadLine() is { } line)
            {
                string[] parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                if (parts is [ImporterProtocol.Exit])
                {
                    steps.Note("exiting as the exporter asked");
                    return 0;
                }

                if (parts.Length is not (2 or 3) || !int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out int step) || step < 1)
                {
                    Reply(output, ImporterProtocol.Failed, $"malformed command '{line}'");
                    return 1;
                }

                try
                {
                    role.Perform(parts[0], step, parts.Length == 3 ? parts[2] : null);
                }
                catch (DemoFailedException ex)
                {
                    Reply(output, ImporterProtocol.Failed, ex.Message);
                    return 1;
                }

                Reply(output, ImporterProtocol.Done);
            }

            steps.Note("the exporter closed the command stream without asking to exit");
            return 1;
        }
    }

    public void Dispose() => _import?.Dispose();

    private static void Reply(TextWriter output, string reply, string? detail = null)
    {
        string text = detail is null ? reply : $"{reply} {detail.ReplaceLineEndings(" ")}";
        output.WriteLine($"{ImporterProtocol.ReplyMarker}{text}");
    }

    /// <summary>Performs <paramref name="command"/>: a whole step numbered <paramref name="step"/>, or the importer's part of it.</summary>
    /// <param name="command">The command.</param>
    /// <param name="step">The step number.</param>
    /// <param name="argument">The command's argument: the segment id to connect to for <see cref="ImporterProtocol.Reconnect"/>.</param>
    private void Perform(string command, int step, string? argument)
    {
        switch (command)
        {
            case ImporterProtocol.Connect:
                steps.ContinueAfter(step - 1);
                _import = steps.Run(DemoText.Connect, () =>
                {
                    IImportSegment i = controller.Connect(nodeId, segmentId, RsmPermissions.ReadWrite);
                    return (i, $"{i.Length} bytes on node {i.NodeId}, mode {i.GetMode()}");
                });
                break;

            case ImporterProtocol.InitBarrier:
                steps.ContinueAfter(step - 1);
                _barrier = steps.Run(DemoText.InitBarrier, () =>
                {
                    RsmBarrier b = Import.InitBarrier();
                    return (b, $"mode {Import.GetMode()}, barrier initialised: {b.IsInitialized}");
                });
                break;

            case ImporterProtocol.PutGet:
                steps.ContinueAfter(step - 1);
                steps.Run(DemoText.PutGet, () =>
                {
                    RsmBarrier barrier = _barrier ?? throw new InvalidOperationException("no barrier: the barrier step has not run");
                    byte[] sent = Encoding.UTF8.GetBytes(DemoText.Message);
                    byte[] received = new byte[sent.Length];
                    barrier.Open();
                    Import.Put(0, sent);
                    Import.Get(0, received);
                    barrier.Close();
                    string text = Encoding.UTF8.GetString(received);
                    DemoSteps.Check(text == DemoText.Message, $"got back \"{text}\"");
                    return $"importer got \"{text}\"";
                });
                break;

            case ImporterProtocol.Map:
                steps.ContinueAfter(step - 1);
                _mapping = steps.Run(DemoText.Map, () =>
                {
                    // The first get or put mapped the segment implicitly, as in C; an explicit map needs it gone.
                    Import.Unmap();
                    IRsmMapping m = Import.Map(RsmPermissions.Read, 0, Import.Length);
                    string text = DemoText.ReadText(m.GetSpan(), DemoText.Message.Length);
                    DemoSteps.Check(text == DemoText.Message, $"the mapping shows \"{text}\"");
                    return (m, $"{m.Length} bytes at 0x{m.Address:x} show \"{text}\"");
                });
                break;

            case ImporterProtocol.CheckRebound:
            {
                steps.ContinueAfter(step);
                string? beforeBarrier = null;
                steps.Also(() =>
                {
                    IRsmMapping mapping = _mapping ?? throw new InvalidOperationException("no mapping: the map step has not run");
                    RsmBarrier barrier = _barrier ?? throw new InvalidOperationException("no barrier: the barrier step has not run");

                    // Where the mapping is a local mirror, the exporter's rebind shows in it only after an open barrier;
                    // where the pages are shared, the barrier costs nothing and the mapping already shows it.
                    beforeBarrier = DemoText.ReadText(mapping.GetSpan(), DemoText.Rebound.Length).TrimEnd('\0');
                    barrier.Open();
                    string viaGet = DemoText.GetText(Import, DemoText.Rebound.Length);
                    string viaMap = DemoText.ReadText(mapping.GetSpan(), DemoText.Rebound.Length);
                    barrier.Close();
                    DemoSteps.Check(viaGet == DemoText.Rebound, $"get shows \"{viaGet}\"");
                    DemoSteps.Check(viaMap == DemoText.Rebound, $"the mapping shows \"{viaMap}\"");
                    return $"importer's get and existing mapping both show \"{viaGet}\"";
                });
                if (NodePlacement.IsTcp(controller.ProviderName) && beforeBarrier is not null)
                {
                    steps.Note(DemoText.MirrorRefreshed(beforeBarrier));
                }

                break;
            }

            case ImporterProtocol.Post:
                steps.ContinueAfter(step - 1);
                steps.Run(DemoText.Signal, () =>
                {
                    Import.SignalPost();
                    return "the importer posted one event";
                });
                break;

            case ImporterProtocol.GetAborted:
                steps.ContinueAfter(step - 1);
                steps.ExpectError(DemoText.AbortedGet, RsmError.ConnectionAborted, "CONN_ABORTED", () => DemoText.GetText(Import, DemoText.Message.Length));
                break;

            case ImporterProtocol.Release:
                steps.ContinueAfter(step - 1);
                steps.Run(DemoText.Release, () =>
                {
                    Import.Unmap();
                    Import.Disconnect();
                    return "the importer unmapped and disconnected";
                });
                break;

            case ImporterProtocol.Reconnect:
                steps.ContinueAfter(step);
                if (!ImporterProtocol.TryParseSegmentId(argument, out uint republished))
                {
                    throw new DemoFailedException($"'{command}' needs the segment id to connect to, not '{argument}'");
                }

                steps.Also(() =>
                {
                    _import = controller.Connect(nodeId, republished, RsmPermissions.ReadWrite);
                    _ = _import.InitBarrier();
                    string text = DemoText.GetText(_import, DemoText.Rebound.Length);
                    DemoSteps.Check(text == DemoText.Rebound, $"the new import reads \"{text}\"");
                    return $"the importer connected again and reads \"{text}\"";
                });
                break;

            case ImporterProtocol.GetDestroyed:
                steps.ContinueAfter(step - 1);
                steps.ExpectError(DemoText.DestroyedGet, RsmError.ConnectionAborted, "CONN_ABORTED", () => DemoText.GetText(Import, DemoText.Rebound.Length));
                break;

            case ImporterProtocol.Disconnect:
                steps.ContinueAfter(step - 1);
                steps.Run(DemoText.Disconnect, () =>
                {
                    Import.Disconnect();
                    return "the importer disconnected";
                });
                break;

            default:
                throw new DemoFailedException($"unknown command '{command}' for step {step}");
        }
    }
}
