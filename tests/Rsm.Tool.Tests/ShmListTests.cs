using System.Text.Json;

namespace Rsm.Tool.Tests;

/// <summary><c>rsm shm list</c> against the sample running as a real process.</summary>
[TestClass]
public sealed class ShmListTests
{
    [TestMethod]
    public async Task ShmListJson_ListsTheExportersRendezvousWhileItRuns_AndNotAfterItIsKilled()
    {
        string prefix = HostedNodeProcess.UniquePrefix();
        Dictionary<string, string> settings = HostedNodeProcess.Exporter("shm0");
        settings["Rsm:Controllers:shm0:RendezvousPrefix"] = prefix;
        await using var node = HostedNodeProcess.Start(settings);
        await node.WaitForLineAsync("Published segment 0x00400100");

        JsonElement[] running = Mine(await ToolRun.RunAsync("shm", "list", "--json"), prefix);

        Assert.HasCount(1, running);
        JsonElement socket = running[0];
        Assert.AreEqual($"{prefix}/node1/segment00400100", socket.GetProperty("name").GetString());
        Assert.AreEqual(1u, socket.GetProperty("nodeId").GetUInt32());
        Assert.AreEqual(HostedNodeProcess.SegmentId, socket.GetProperty("segmentId").GetString());
        Assert.AreEqual("alive", socket.GetProperty("state").GetString());
        JsonElement[] processes = [.. socket.GetProperty("processes").EnumerateArray()];
        Assert.HasCount(1, processes);
        Assert.AreEqual(node.Id, processes[0].GetProperty("pid").GetInt32());
        Assert.AreEqual(HostedNodeProcess.CurrentUid(), processes[0].GetProperty("uid").GetUInt32());
        Assert.Contains("Rsm.HostedNode.dll", processes[0].GetProperty("command").GetString()!);

        await node.KillAsync();

        // The kernel drops an abstract name with its last descriptor: a killed exporter leaves nothing behind, and a name
        // still listed would have to be marked gone.
        JsonElement[] after = Mine(await ToolRun.RunAsync("shm", "list", "--json"), prefix);
        Assert.IsTrue(after.All(s => s.GetProperty("state").GetString() == "gone"), string.Join(", ", after.Select(s => s.ToString())));
        Assert.IsEmpty(after.Where(s => s.GetProperty("processes").GetArrayLength() > 0));
    }

    [TestMethod]
    public async Task ShmListPrefix_ShowsOnlyThatPrefix()
    {
        string prefix = HostedNodeProcess.UniquePrefix();
        Dictionary<string, string> settings = HostedNodeProcess.Exporter("shm0");
        settings["Rsm:Controllers:shm0:RendezvousPrefix"] = prefix;
        settings["Rsm:Controllers:shm0:NodeId"] = "7";
        await using var node = HostedNodeProcess.Start(settings);
        await node.WaitForLineAsync("Published segment 0x00400100");

        JsonElement listed = (await ToolRun.RunAsync("shm", "list", "--json", "--prefix", prefix)).Json();
        JsonElement[] sockets = [.. listed.GetProperty("sockets").EnumerateArray()];
        Assert.HasCount(1, sockets);
        Assert.AreEqual(prefix, sockets[0].GetProperty("prefix").GetString());
        Assert.AreEqual(7u, sockets[0].GetProperty("nodeId").GetUInt32());

        JsonElement none = (await ToolRun.RunAsync("shm", "list", "--json", "--prefix", prefix + "-other")).Json();
        Assert.AreEqual(0, none.GetProperty("sockets").GetArrayLength());
    }

    private static JsonElement[] Mine(ToolRun run, string prefix) =>
        [.. run.Json().GetProperty("sockets").EnumerateArray().Where(s => s.GetProperty("prefix").GetString() == prefix)];
}
