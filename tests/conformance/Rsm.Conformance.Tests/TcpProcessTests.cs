using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using Microsoft.Extensions.DependencyInjection;
using Rsm.Engine;

namespace Rsm.Conformance.Tests;

/// <summary>
/// Tcp nodes in two processes on 127.0.0.1: the death of the exporting process aborts the imports of this one, and the
/// death of an importing process releases what it held here. Every wait is bounded.
/// </summary>
[TestClass]
public sealed class TcpProcessTests
{
    private const uint Id = 0x640000;
    private static readonly TimeSpan s_bound = TimeSpan.FromSeconds(10);
    private readonly string _key = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
    private readonly int _port1 = FreePort();
    private readonly int _port2 = FreePort();

    [TestMethod]
    public void ExporterProcessKilled_ImportsAbortedWithinTheSilenceLimit()
    {
        using ConformancePeer exporter = Peer(node: 2);
        Assert.AreEqual("e1", exporter.Call("export 4"));
        exporter.Call(string.Create(CultureInfo.InvariantCulture, $"publish e1 {Id:x}"));
        exporter.Call("write e1 0 11223344");
        using ServiceProvider services = new ServiceCollection().AddTcpProvider().BuildServiceProvider();
        using IRsmController c = Open(services, node: 1);
        using IImportSegment import = c.Connect(2, Id, RsmPermissions.ReadWrite);
        _ = import.InitBarrier();
        byte[] data = new byte[4];
        import.Get(0, data);
        CollectionAssert.AreEqual(new byte[] { 0x11, 0x22, 0x33, 0x44 }, data);

        exporter.Kill();

        long deadline = Environment.TickCount64 + (long)s_bound.TotalMilliseconds;
        RsmError outcome;
        while ((outcome = Outcome(() => import.Get(0, data))) != RsmError.ConnectionAborted)
        {
            Assert.AreEqual(RsmError.Success, outcome);
            Assert.IsLessThan(deadline, Environment.TickCount64, "the import was not aborted after its exporter was killed");
            Thread.Sleep(20);
        }
    }

    [TestMethod]
    public void ImporterProcessKilled_ExporterReleasesItsImport()
    {
        // The 27-versus-8 contrast needs an importer the owner/group/other check applies to: a peer under uid 65534.
        if (!RsmCredentials.ReadCurrent().IsPrivileged)
        {
            Assert.Inconclusive("starting a peer under another uid needs uid 0; the root run covers this check");
        }

        using ServiceProvider services = new ServiceCollection().AddTcpProvider().BuildServiceProvider();
        using IRsmController c = Open(services, node: 1);
        using RsmPageMemory memory = RsmPageMemory.Allocate(4 * RsmPageMemory.PageSize);
        using IExportSegment export = c.CreateExportSegment(memory.Address, memory.Length);
        export.Publish(Id, [new RsmAccessEntry(2, 0x1B6)]);

        // This node's credentials are root's; the peer reports uid 65534, which falls in the other class of 0666.
        using (ConformancePeer importer = Peer(node: 2, Nobody))
        {
            importer.Call(string.Create(CultureInfo.InvariantCulture, $"connect 1 {Id:x} 600"));
            importer.Call("put i1 0 AABB");
            Assert.AreEqual(0xAA, memory.GetSpan()[0]);

            // While node 2 holds a live import, a republish without it still lets node 2 in with the pushed mode (0): 27.
            export.Republish([new RsmAccessEntry(3, 0x1B6)]);
            Assert.AreEqual(RsmError.PermissionDenied, importer.Outcome(string.Create(CultureInfo.InvariantCulture, $"connect 1 {Id:x} 400")));
            importer.Kill();
        }

        // Once the exporter has released the dead node's import, node 2 is judged by the access list again: 8.
        long deadline = Environment.TickCount64 + (long)s_bound.TotalMilliseconds;
        while (true)
        {
            using ConformancePeer next = Peer(node: 2, Nobody);
            RsmError outcome = next.Outcome(string.Create(CultureInfo.InvariantCulture, $"connect 1 {Id:x} 400"));
            if (outcome == RsmError.SegmentNotPublishedToNode)
            {
                break;
            }

            Assert.AreEqual(RsmError.PermissionDenied, outcome);
            Assert.IsLessThan(deadline, Environment.TickCount64, "the exporter did not release the dead importer's import");
            Thread.Sleep(50);
        }
    }

    private static RsmError Outcome(Action action)
    {
        try
        {
            action();
            return RsmError.Success;
        }
        catch (RsmException ex)
        {
            return ex.Error;
        }
    }

    private static int FreePort()
    {
        using var probe = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        probe.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)probe.LocalEndPoint!).Port;
    }

    private Dictionary<string, string?> Settings(uint node) => new()
    {
        ["NodeId"] = node.ToString(CultureInfo.InvariantCulture),
        ["Listen"] = string.Create(CultureInfo.InvariantCulture, $"127.0.0.1:{(node == 1 ? _port1 : _port2)}"),
        ["Nodes:1"] = string.Create(CultureInfo.InvariantCulture, $"127.0.0.1:{_port1}"),
        ["Nodes:2"] = string.Create(CultureInfo.InvariantCulture, $"127.0.0.1:{_port2}"),
        ["ClusterKey"] = _key,
        ["ConnectTimeout"] = "00:00:05",
        ["KeepAliveInterval"] = "00:00:00.500",
        ["SilenceLimit"] = "00:00:03",
    };

    private IRsmController Open(ServiceProvider services, uint node) => NodeControllers.Open(services, node, Settings(node));

    private static readonly ConformancePeerIdentity Nobody = new() { Uid = 65534, Gid = 65534, Groups = [] };

    private ConformancePeer Peer(uint node, ConformancePeerIdentity? identity = null) => ConformancePeer.Start(
        Path.Combine(AppContext.BaseDirectory, "Rsm.Conformance.Peer.dll"),
        Settings(node).Select(static s => $"{s.Key}={s.Value}").Prepend("Provider=Tcp"),
        identity ?? ConformancePeerIdentity.Same);
}
