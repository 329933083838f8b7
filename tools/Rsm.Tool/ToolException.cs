namespace Rsm.Tool;

/// <summary>An outcome that ends a command with a one-line message on standard error and a non-zero exit code.</summary>
/// <param name="message">The message, one line, without the <c>rsm:</c> prefix.</param>
/// <param name="exitCode">The exit code: <see cref="ExitCodes.Failure"/> or <see cref="ExitCodes.Usage"/>.</param>
internal sealed class ToolException(string message, int exitCode = ExitCodes.Failure) : Exception(message)
{
    public int ExitCode { get; } = exitCode;
}

/// <summary>The exit codes of every command.</summary>
internal static class ExitCodes
{
    /// <summary>The command did what was asked.</summary>
    public const int Ok = 0;

    /// <summary>The command could not do it: no such process, not a .NET process, no Rsm meter seen, an I/O error.</summary>
    public const int Failure = 1;

    /// <summary>The command line or the configuration file is wrong.</summary>
    public const int Usage = 2;
}
