using Spectre.Console;

namespace Rsm.Tool;

/// <summary>The Spectre console a command draws its tables on.</summary>
internal static class Consoles
{
    private const int RedirectedWidth = 200;

    /// <summary>Whether <paramref name="output"/> is this process's own terminal, where a live view can redraw itself.</summary>
    public static bool IsTerminal(TextWriter output) => ReferenceEquals(output, Console.Out) && !Console.IsOutputRedirected;

    public static IAnsiConsole For(TextWriter output)
    {
        bool terminal = IsTerminal(output);
        IAnsiConsole console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(output),
            Ansi = terminal ? AnsiSupport.Detect : AnsiSupport.No,
            ColorSystem = terminal ? ColorSystemSupport.Detect : ColorSystemSupport.NoColors,
            Interactive = terminal ? InteractionSupport.Yes : InteractionSupport.No,
        });
        if (!terminal)
        {
            // A file or a pipe has no width of its own: wide enough that tables keep one line per row.
            console.Profile.Width = RedirectedWidth;
        }

        return console;
    }
}
