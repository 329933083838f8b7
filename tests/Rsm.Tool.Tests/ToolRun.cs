using System.Text.Json;

namespace Rsm.Tool.Tests;

/// <summary>One run of the tool's entry point in this process, with its output captured.</summary>
internal sealed record ToolRun(int ExitCode, string Output, string Error)
{
    public static async Task<ToolRun> RunAsync(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        using var limit = new CancellationTokenSource(HostedNodeProcess.WaitLimit * 2);
        int exit = await RsmTool.RunAsync(args, output, error, limit.Token);
        return new ToolRun(exit, output.ToString(), error.ToString());
    }

    /// <summary>The output as one JSON document; fails the test when the run failed or printed anything else.</summary>
    public JsonElement Json()
    {
        Assert.AreEqual(0, ExitCode, $"exit code; stderr: {Error}");
        Assert.AreEqual("", Error, "stderr");
        string[] lines = Output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.HasCount(1, lines, $"one JSON line: {Output}");
        using JsonDocument document = JsonDocument.Parse(lines[0]);
        return document.RootElement.Clone();
    }

    public override string ToString() => $"exit {ExitCode}{Environment.NewLine}stdout: {Output}{Environment.NewLine}stderr: {Error}";
}
