using System.Globalization;
using System.Text.Json;

namespace Rsm.Tool.Tests;

/// <summary><c>rsm topology</c> against the sample running as a real process, with the sample's settings in a file.</summary>
[TestClass]
public sealed class TopologyTests
{
    private string _directory = "";

    [TestInitialize]
    public void CreateDirectory() => _directory = Directory.CreateTempSubdirectory("rsm-tool-test-").FullName;

    [TestCleanup]
    public void DeleteDirectory() => Directory.Delete(_directory, recursive: true);

    [TestMethod]
    public async Task TopologyJson_TcpExporter_IsReachableWhileItRuns_AndRefusedAfterItIsKilled()
    {
        (int exporterPort, int otherPort) = HostedNodeProcess.FreePorts();
        string config = WriteConfig($$"""
            {
              "Rsm": {
                "Controllers": {
                  "tcp0": {
                    "Provider": "Tcp", "NodeId": 1, "StartWithHost": true, "Listen": "127.0.0.1:{{exporterPort}}",
                    "Nodes": { "2": "127.0.0.1:{{otherPort}}" }, "ClusterKey": "{{HostedNodeProcess.ClusterKey}}"
                  }
                }
              }
            }
            """);
        Dictionary<string, string> settings = HostedNodeProcess.Exporter("tcp0");
        settings["Rsm:Controllers:tcp0:Listen"] = $"127.0.0.1:{exporterPort}";
        settings["Rsm:Controllers:tcp0:Nodes:2"] = $"127.0.0.1:{otherPort}";
        await using var node = HostedNodeProcess.Start(settings);
        await node.WaitForLineAsync("Published segment 0x00400100");

        JsonElement running = Controller((await ToolRun.RunAsync("topology", "--config", config, "--json")).Json(), "tcp0");

        Assert.AreEqual("Tcp", running.GetProperty("provider").GetString());
        Assert.AreEqual(1u, running.GetProperty("nodeId").GetUInt32());
        Assert.IsTrue(running.GetProperty("startWithHost").GetBoolean());
        Assert.AreEqual($"127.0.0.1:{exporterPort}", running.GetProperty("settings").GetProperty("Listen").GetString());
        Assert.AreEqual("inline", running.GetProperty("settings").GetProperty("ClusterKey").GetString());
        JsonElement[] nodes = [.. running.GetProperty("nodes").EnumerateArray()];
        Assert.HasCount(2, nodes);
        AssertNode(nodes[0], 1, "local", $"127.0.0.1:{exporterPort}", "reachable", true);
        AssertNode(nodes[1], 2, "directory", $"127.0.0.1:{otherPort}", "refused", false);

        // The probe left the node running: it still serves its segment.
        Assert.IsFalse(node.HasExited, node.Output);

        await node.KillAsync();

        JsonElement killed = Controller((await ToolRun.RunAsync("topology", "--config", config, "--json", "--controller", "tcp0")).Json(), "tcp0");
        JsonElement[] after = [.. killed.GetProperty("nodes").EnumerateArray()];
        Assert.HasCount(2, after);
        AssertNode(after[0], 1, "local", $"127.0.0.1:{exporterPort}", "refused", false);
        AssertNode(after[1], 2, "directory", $"127.0.0.1:{otherPort}", "refused", false);
    }

    [TestMethod]
    public async Task TopologyJson_SharedMemoryExporter_IsPublishedWhileItRuns_AndAbsentAfterItIsKilled()
    {
        string prefix = HostedNodeProcess.UniquePrefix();
        string config = WriteConfig($$"""
            {
              "Rsm": {
                "Controllers": {
                  "loopback": { "Provider": "Loopback" },
                  "shm0": { "Provider": "SharedMemory", "NodeId": 1, "RendezvousPrefix": "{{prefix}}" }
                }
              }
            }
            """);
        Dictionary<string, string> settings = HostedNodeProcess.Exporter("shm0");
        settings["Rsm:Controllers:shm0:RendezvousPrefix"] = prefix;
        await using var node = HostedNodeProcess.Start(settings);
        await node.WaitForLineAsync("Published segment 0x00400100");

        JsonElement report = (await ToolRun.RunAsync("topology", "--config", config, "--json")).Json();
        JsonElement loopback = Controller(report, "loopback");
        JsonElement[] loopbackNodes = [.. loopback.GetProperty("nodes").EnumerateArray()];
        Assert.HasCount(1, loopbackNodes);
        Assert.AreEqual("in-process", loopbackNodes[0].GetProperty("state").GetString());
        Assert.AreEqual(JsonValueKind.Null, loopbackNodes[0].GetProperty("reachable").ValueKind);

        JsonElement shm = Controller(report, "shm0");
        Assert.AreEqual(prefix, shm.GetProperty("settings").GetProperty("RendezvousPrefix").GetString());
        Assert.IsFalse(shm.GetProperty("startWithHost").GetBoolean());
        JsonElement[] nodes = [.. shm.GetProperty("nodes").EnumerateArray()];
        Assert.HasCount(1, nodes);
        AssertNode(nodes[0], 1, "local", $"@{prefix}/node1/segment*", "published", true);
        Assert.AreEqual(HostedNodeProcess.SegmentId, nodes[0].GetProperty("segments").EnumerateArray().Single().GetString());
        Assert.AreEqual(node.Id, nodes[0].GetProperty("processes").EnumerateArray().Single().GetProperty("pid").GetInt32());

        await node.KillAsync();

        JsonElement killed = Controller((await ToolRun.RunAsync("topology", "--config", config, "--json", "--controller", "shm0")).Json(), "shm0");
        JsonElement[] after = [.. killed.GetProperty("nodes").EnumerateArray()];
        Assert.HasCount(1, after);
        AssertNode(after[0], 1, "local", $"@{prefix}/node1/segment*", "absent", false);
        Assert.AreEqual(0, after[0].GetProperty("segments").GetArrayLength());
    }

    [TestMethod]
    public async Task Topology_InvalidSetting_FailsWithItsConfigurationPath()
    {
        string config = WriteConfig($$"""
            { "Rsm": { "Controllers": { "tcp0": { "Provider": "Tcp", "NodeId": 1, "Listen": "nowhere", "ClusterKey": "{{HostedNodeProcess.ClusterKey}}" } } } }
            """);

        ToolRun run = await ToolRun.RunAsync("topology", "--config", config, "--json");

        Assert.AreEqual(2, run.ExitCode, run.ToString());
        Assert.AreEqual("", run.Output);
        Assert.AreEqual($"rsm: {config}: Rsm:Controllers:tcp0:Listen: 'nowhere' is not host:port{Environment.NewLine}", run.Error);
    }

    [TestMethod]
    public async Task Topology_ControllerWithoutProvider_FailsWithItsConfigurationPath()
    {
        string config = WriteConfig("""{ "Rsm": { "Controllers": { "shm0": { "NodeId": 1 } } } }""");

        ToolRun run = await ToolRun.RunAsync("topology", "--config", config);

        Assert.AreEqual(2, run.ExitCode, run.ToString());
        Assert.AreEqual($"rsm: {config}: Rsm:Controllers:shm0:Provider is missing: name the controller's provider (Loopback, SharedMemory, Tcp){Environment.NewLine}", run.Error);
    }

    [TestMethod]
    public async Task Topology_NodeIdThatIsNotANumber_FailsWithItsConfigurationPath()
    {
        string config = WriteConfig("""{ "Rsm": { "Controllers": { "shm0": { "Provider": "SharedMemory", "NodeId": "one" } } } }""");

        ToolRun run = await ToolRun.RunAsync("topology", "--config", config);

        Assert.AreEqual(2, run.ExitCode, run.ToString());
        Assert.StartsWith($"rsm: {config}: Rsm:Controllers:shm0: ", run.Error);
        Assert.Contains("'Rsm:Controllers:shm0:NodeId'", run.Error);
        Assert.HasCount(1, run.Error.Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries));
    }

    [TestMethod]
    public async Task Topology_MissingFile_AndNoRsmSection_AndUnknownController_AreUsageErrors()
    {
        string missing = Path.Combine(_directory, "absent.json");
        ToolRun none = await ToolRun.RunAsync("topology", "--config", missing);
        Assert.AreEqual(2, none.ExitCode, none.ToString());
        Assert.AreEqual($"rsm: {missing}: no such file{Environment.NewLine}", none.Error);

        string empty = WriteConfig("""{ "Logging": { } }""");
        ToolRun noSection = await ToolRun.RunAsync("topology", "--config", empty);
        Assert.AreEqual(2, noSection.ExitCode, noSection.ToString());
        Assert.AreEqual($"rsm: {empty}: Rsm:Controllers is missing or empty: no controller is configured{Environment.NewLine}", noSection.Error);

        string config = WriteConfig("""{ "Rsm": { "Controllers": { "a": { "Provider": "Loopback" }, "b": { "Provider": "Loopback" } } } }""");
        ToolRun unknown = await ToolRun.RunAsync("topology", "--config", config, "--controller", "c");
        Assert.AreEqual(2, unknown.ExitCode, unknown.ToString());
        Assert.AreEqual($"rsm: {config}: no controller 'c' in Rsm:Controllers (configured: a, b){Environment.NewLine}", unknown.Error);

        string broken = WriteConfig("""{ "Rsm": { "Controllers": """);
        ToolRun notJson = await ToolRun.RunAsync("topology", "--config", broken);
        Assert.AreEqual(2, notJson.ExitCode, notJson.ToString());
        Assert.StartsWith($"rsm: {broken}: not a valid JSON configuration file: ", notJson.Error);
    }

    [TestMethod]
    public async Task Topology_TcpListenPortZero_IsNotProbed()
    {
        string config = WriteConfig($$"""
            { "Rsm": { "Controllers": { "tcp0": { "Provider": "Tcp", "NodeId": 3, "ClusterKey": "{{HostedNodeProcess.ClusterKey}}" } } } }
            """);

        JsonElement report = Controller((await ToolRun.RunAsync("topology", "--config", config, "--json")).Json(), "tcp0");

        JsonElement node = report.GetProperty("nodes").EnumerateArray().Single();
        AssertNode(node, 3, "local", "127.0.0.1:0", "not-probed", null);
    }

    private static JsonElement Controller(JsonElement report, string name) =>
        report.GetProperty("controllers").EnumerateArray().Single(c => c.GetProperty("name").GetString() == name);

    private static void AssertNode(JsonElement node, uint id, string role, string address, string state, bool? reachable)
    {
        string text = node.ToString();
        Assert.AreEqual(id, node.GetProperty("nodeId").GetUInt32(), text);
        Assert.AreEqual(role, node.GetProperty("role").GetString(), text);
        Assert.AreEqual(address, node.GetProperty("address").GetString(), text);
        Assert.AreEqual(state, node.GetProperty("state").GetString(), text);
        if (reachable is { } expected)
        {
            Assert.AreEqual(expected, node.GetProperty("reachable").GetBoolean(), text);
        }
        else
        {
            Assert.AreEqual(JsonValueKind.Null, node.GetProperty("reachable").ValueKind, text);
        }
    }

    private string WriteConfig(string json)
    {
        string path = Path.Combine(_directory, string.Create(CultureInfo.InvariantCulture, $"appsettings-{Guid.NewGuid():N}.json"));
        File.WriteAllText(path, json);
        return path;
    }
}
