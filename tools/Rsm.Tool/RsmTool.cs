using System.CommandLine;
using Rsm.Tool.Shm;
using Rsm.Tool.Stat;
using Rsm.Tool.Topology;

namespace Rsm.Tool;

/// <summary>The <c>rsm</c> command line: <c>stat</c>, <c>topology</c> and <c>shm list</c>.</summary>
internal static class RsmTool
{
    /// <summary>Parses <paramref name="args"/> and runs the command they name.</summary>
    /// <param name="args">The arguments, without the program name.</param>
    /// <param name="output">Where results (tables, JSON, help) go.</param>
    /// <param name="error">Where the one-line error message goes.</param>
    /// <param name="cancellationToken">Stops a live view; its command then ends normally.</param>
    /// <returns>The exit code (<see cref="ExitCodes"/>).</returns>
    public static async Task<int> RunAsync(string[] args, TextWriter output, TextWriter error, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(error);

        var root = new RootCommand("Inspects Rsm: the metrics of a running process, the nodes of a configuration, the SharedMemory rendezvous sockets of this host.")
        {
            StatCommand.Create(output),
            TopologyCommand.Create(output),
            ShmCommand.Create(output),
        };

        ParseResult parsed = root.Parse(args);
        if (parsed.Errors.Count > 0)
        {
            string command = string.Join(' ', CommandPath(parsed.CommandResult.Command, root));
            // A stray word is the likelier mistake than the missing command it also causes.
            string message = parsed.UnmatchedTokens.Count > 0 ? $"unrecognized argument '{parsed.UnmatchedTokens[0]}'" : OneLine(parsed.Errors[0].Message);
            error.WriteLine($"rsm: {message} (see 'rsm {command}{(command.Length > 0 ? " " : "")}--help')");
            return ExitCodes.Usage;
        }

        try
        {
            return await parsed.InvokeAsync(
                new InvocationConfiguration { Output = output, Error = error, EnableDefaultExceptionHandler = false, ProcessTerminationTimeout = null },
                cancellationToken).ConfigureAwait(false);
        }
        catch (ToolException ex)
        {
            error.WriteLine($"rsm: {OneLine(ex.Message)}");
            return ex.ExitCode;
        }
    }

    private static string OneLine(string text) => text.ReplaceLineEndings(" ").Trim();

    private static IEnumerable<string> CommandPath(Command command, RootCommand root)
    {
        // The names from the root down to the command that was being parsed, without the root itself.
        var names = new Stack<string>();
        for (Command? c = command; c is not null && c != root; c = c.Parents.OfType<Command>().FirstOrDefault())
        {
            names.Push(c.Name);
        }

        return names;
    }
}
