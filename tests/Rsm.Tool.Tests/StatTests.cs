using System.Text.Json;

namespace Rsm.Tool.Tests;

/// <summary><c>rsm stat</c> against the sample running as a real process.</summary>
[TestClass]
public sealed class StatTests
{
    // The instrument the engine counts existing export segments with.
    private const string SegmentsExported = "rsm.export.count";

    [TestMethod]
    public async Task StatOnceJson_SharedMemoryExporter_ShowsItsControllerWithOneSegmentExported()
    {
        Dictionary<string, string> settings = HostedNodeProcess.Exporter("shm0");
        settings["Rsm:Controllers:shm0:RendezvousPrefix"] = HostedNodeProcess.UniquePrefix();
        await AssertSegmentExported(settings, "shm0", "SharedMemory");
    }

    [TestMethod]
    public async Task StatOnceJson_TcpExporter_ShowsItsControllerWithOneSegmentExported()
    {
        (int listen, int other) = HostedNodeProcess.FreePorts();
        Dictionary<string, string> settings = HostedNodeProcess.Exporter("tcp0");
        settings["Rsm:Controllers:tcp0:Listen"] = $"127.0.0.1:{listen}";
        settings["Rsm:Controllers:tcp0:Nodes:2"] = $"127.0.0.1:{other}";
        await AssertSegmentExported(settings, "tcp0", "Tcp");
    }

    [TestMethod]
    public async Task Stat_ProcessWithoutTheMeter_FailsWithNoMeterSeen()
    {
        // Started paused and never resumed: its runtime runs no managed code, so no Rsm meter can appear.
        await using var node = HostedNodeProcess.Start(HostedNodeProcess.Exporter("shm0"), suspended: true);
        await node.WaitForDiagnosticsAsync();

        ToolRun run = await ToolRun.RunAsync("stat", $"{node.Id}", "--once", "--json", "--timeout", "2");

        Assert.AreEqual(1, run.ExitCode, run.ToString());
        Assert.AreEqual("", run.Output, run.ToString());
        Assert.AreEqual($"rsm: no Rsm meter seen in process {node.Id} within 2 s: it does not use Rsm, or has not opened a controller yet{Environment.NewLine}", run.Error);
    }

    [TestMethod]
    public async Task Stat_NoSuchProcess_FailsWithOneLine()
    {
        int pid = int.Parse(await File.ReadAllTextAsync("/proc/sys/kernel/pid_max"), System.Globalization.CultureInfo.InvariantCulture) + 1;

        ToolRun run = await ToolRun.RunAsync("stat", $"{pid}", "--once");

        Assert.AreEqual(1, run.ExitCode, run.ToString());
        Assert.AreEqual($"rsm: no process with id {pid}{Environment.NewLine}", run.Error);
    }

    [TestMethod]
    public async Task Stat_NotADotNetProcess_FailsWithOneLine()
    {
        using var sleep = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo("sleep", "120") { UseShellExecute = false })!;
        try
        {
            ToolRun run = await ToolRun.RunAsync("stat", $"{sleep.Id}", "--once");

            Assert.AreEqual(1, run.ExitCode, run.ToString());
            Assert.AreEqual($"rsm: process {sleep.Id} (sleep) is not a .NET process, or its diagnostics port is turned off (DOTNET_EnableDiagnostics=0) or not visible to this user{Environment.NewLine}", run.Error);
        }
        finally
        {
            sleep.Kill();
            using var limit = new CancellationTokenSource(HostedNodeProcess.WaitLimit);
            await sleep.WaitForExitAsync(limit.Token);
        }
    }

    [TestMethod]
    public async Task Stat_WithoutPid_IsAUsageErrorOnOneLine()
    {
        ToolRun run = await ToolRun.RunAsync("stat", "--once");

        Assert.AreEqual(2, run.ExitCode, run.ToString());
        Assert.AreEqual("", run.Output);
        string[] lines = run.Error.Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries);
        Assert.HasCount(1, lines, run.Error);
        Assert.StartsWith("rsm: ", lines[0]);
        Assert.EndsWith("(see 'rsm stat --help')", lines[0]);
    }

    [TestMethod]
    public async Task Stat_OnceAndCount_IsAUsageError()
    {
        ToolRun run = await ToolRun.RunAsync("stat", "1", "--once", "--count", "2");

        Assert.AreEqual(2, run.ExitCode, run.ToString());
        Assert.AreEqual($"rsm: --once and --count exclude each other (see 'rsm stat --help'){Environment.NewLine}", run.Error);
    }

    [TestMethod]
    public async Task StatHelp_ListsItsOptions()
    {
        ToolRun run = await ToolRun.RunAsync("stat", "--help");

        Assert.AreEqual(0, run.ExitCode, run.ToString());
        foreach (string option in new[] { "<pid>", "--interval", "--json", "--once", "--count", "--timeout", "--resume" })
        {
            Assert.Contains(option, run.Output);
        }
    }

    private static async Task AssertSegmentExported(Dictionary<string, string> settings, string controller, string provider)
    {
        // The tool attaches to a node that already runs: the segment counts are observed, so it sees the export that exists.
        await using var node = HostedNodeProcess.Start(settings, suspended: false);
        await node.WaitForLineAsync("Published segment 0x00400100");

        ToolRun run = await ToolRun.RunAsync("stat", $"{node.Id}", "--once", "--json", "--timeout", "60");

        JsonElement snapshot = run.Json();
        Assert.AreEqual("Rsm", snapshot.GetProperty("meter").GetString());
        Assert.AreEqual(node.Id, snapshot.GetProperty("pid").GetInt32());
        string[] instruments = [.. snapshot.GetProperty("instruments").EnumerateArray().Select(i => i.GetProperty("name").GetString()!)];
        CollectionAssert.Contains(instruments, SegmentsExported, string.Join(", ", instruments));

        JsonElement[] groups = [.. snapshot.GetProperty("controllers").EnumerateArray()];
        Assert.HasCount(1, groups, run.Output);
        Assert.AreEqual(controller, groups[0].GetProperty("controller").GetString());
        Assert.AreEqual(provider, groups[0].GetProperty("provider").GetString());

        JsonElement[] exported = [.. groups[0].GetProperty("series").EnumerateArray().Where(s => s.GetProperty("instrument").GetString() == SegmentsExported)];
        Assert.HasCount(1, exported, run.Output);
        Assert.AreEqual(1, exported[0].GetProperty("value").GetInt64(), run.Output);
        Assert.AreEqual(controller, exported[0].GetProperty("tags").GetProperty("rsm.controller").GetString());
        Assert.AreEqual(provider, exported[0].GetProperty("tags").GetProperty("rsm.provider").GetString());
    }
}
