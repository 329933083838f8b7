using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.DependencyInjection;

namespace Rsm.Conformance.Tests;

/// <summary>Dialing peers: a node that accepts the TCP connection but never answers delays only the connects to it.</summary>
[TestClass]
public sealed class TcpDialTests
{
    private const uint Id = 0x660000;

    [ConformanceTest]
    public void Connect_SilentNodeBeingDialed_OtherNodesStillConnect()
    {
        // Node 3's endpoint accepts connections and never says a word.
        using var silent = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        silent.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        silent.Listen(4);
        using var cluster = new TcpPeerCluster(1, 2);
        using ServiceProvider services = new ServiceCollection().AddTcpProvider().BuildServiceProvider();
        Dictionary<string, string?> settings = cluster.Settings(2);
        settings["Nodes:3"] = silent.LocalEndPoint!.ToString();
        settings["ConnectTimeout"] = "00:00:30";
        using IRsmController importer = NodeControllers.Open(services, 2, settings);
        using IRsmController exporter = cluster.Open(1);
        using RsmPageMemory memory = RsmPageMemory.Allocate(RsmPageMemory.PageSize);
        memory.GetSpan()[0] = 0x5C;
        IExportSegment export = exporter.CreateExportSegment(memory.Address, memory.Length);
        export.Publish(Id, [new RsmAccessEntry(2, 0x1B6)]);

        Task<RsmError> stuck = Task.Run(() => TcpPeerCluster.Outcome(() => importer.Connect(3, Id, RsmPermissions.Read)));
        using Socket held = silent.AcceptAsync().WaitAsync(TimeSpan.FromSeconds(30)).GetAwaiter().GetResult();

        // The dial to node 3 is under way and cannot finish before its 30 s timeout: node 1 is reached meanwhile.
        IImportSegment import = importer.Connect(1, Id, RsmPermissions.Read);
        _ = import.InitBarrier();
        byte[] data = new byte[1];
        import.Get(0, data);
        Assert.AreEqual(0x5C, data[0]);
        Assert.IsFalse(stuck.IsCompleted, "the dial to the silent node ended early, so the check proves nothing");

        // Closing the silent side ends that dial with RemoteNodeUnreachable (39).
        held.Close();
        Assert.AreEqual(RsmError.RemoteNodeUnreachable, stuck.WaitAsync(TimeSpan.FromSeconds(30)).GetAwaiter().GetResult());
        import.Disconnect();
        export.Destroy();
    }
}
