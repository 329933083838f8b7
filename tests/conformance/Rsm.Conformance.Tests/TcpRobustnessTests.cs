using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using Microsoft.Extensions.DependencyInjection;
using Rsm.Engine;

namespace Rsm.Conformance.Tests;

/// <summary>
/// A Tcp node under hostile input: thousands of random, truncated and oversized frames from raw sockets, a peer with the
/// wrong cluster key, and a node the access list does not name. The node keeps serving a well-behaved importer, and no
/// bad peer ever reaches a segment.
/// </summary>
[TestClass]
public sealed class TcpRobustnessTests
{
    private const uint Id = 0x630000;
    private const int Frames = 10_000;

    [ConformanceTest]
    public void Node_RandomFramesWrongKeyAndUnlistedNode_KeepsServingAndRefusesThem()
    {
        string key = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
        using ServiceProvider cluster = Provider();
        using IRsmController exporter = Open(cluster, 1, key, []);
        using RsmPageMemory memory = RsmPageMemory.Allocate(4 * RsmPageMemory.PageSize);
        using IExportSegment export = exporter.CreateExportSegment(memory.Address, memory.Length);
        export.Publish(Id, [new RsmAccessEntry(2, 0x180)]);
        var endpoint = (IPEndPoint)EndpointOf(cluster, 1);

        long before = GC.GetTotalMemory(forceFullCollection: true);
        SendGarbage(endpoint, seed: 4242);
        long after = GC.GetTotalMemory(forceFullCollection: true);
        Assert.IsLessThan(64L << 20, after - before, $"memory grew by {after - before} bytes while refusing garbage");

        // The wrong key never completes the handshake, so it never reaches a segment.
        using ServiceProvider strangers = Provider();
        using IRsmController stranger = Open(strangers, 2, Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)), new() { ["1"] = endpoint.ToString() });
        RsmException refused = Assert.ThrowsExactly<RsmException>(() => stranger.Connect(1, Id, RsmPermissions.Read));
        Assert.AreEqual(RsmError.RemoteNodeUnreachable, refused.Error);

        // A node the access list does not name is judged by its proven id, whatever it asks for.
        using ServiceProvider others = Provider();
        using IRsmController unlisted = Open(others, 3, key, new() { ["1"] = endpoint.ToString() });
        RsmException notListed = Assert.ThrowsExactly<RsmException>(() => unlisted.Connect(1, Id, RsmPermissions.Read));
        Assert.AreEqual(RsmError.SegmentNotPublishedToNode, notListed.Error);

        // The well-behaved importer is served.
        using ServiceProvider friends = Provider();
        using IRsmController importer = Open(friends, 2, key, new() { ["1"] = endpoint.ToString() });
        using IImportSegment import = importer.Connect(1, Id, RsmPermissions.ReadWrite);
        _ = import.InitBarrier();
        import.Put(8, "healthy"u8);
        Span<byte> back = stackalloc byte[7];
        import.Get(8, back);
        Assert.IsTrue(back.SequenceEqual("healthy"u8));
        Assert.IsTrue(memory.GetSpan().Slice(8, 7).SequenceEqual("healthy"u8));
    }

    /// <summary>Random blobs, frames with random headers, truncated frames and oversized announcements, over many connections.</summary>
    private static void SendGarbage(IPEndPoint endpoint, int seed)
    {
        var random = new Random(seed);
        int sent = 0;
        while (sent < Frames)
        {
            using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            socket.Connect(endpoint);
            for (int i = 0; i < 50 && sent < Frames; i++, sent++)
            {
                byte[] frame = (sent % 4) switch
                {
                    0 => Bytes(random, random.Next(1, 200)),
                    1 => Header(random, (uint)random.Next(1, 64), (uint)random.Next(0, 1 << 30)),
                    2 => [.. Header(random, 1, 36), .. Bytes(random, random.Next(0, 36))],
                    _ => Header(random, (byte)random.Next(0, 256), uint.MaxValue),
                };
                try
                {
                    _ = socket.Send(frame);
                }
                catch (SocketException)
                {
                    // The node dropped this connection already; the remaining frames go to the next one.
                    break;
                }
            }
        }
    }

    private static byte[] Header(Random random, uint opcode, uint length)
    {
        byte[] header = new byte[24];
        BitConverter.GetBytes(0x544D5352u).CopyTo(header, 0);
        header[4] = (byte)(random.Next(3) == 0 ? random.Next(256) : 1);
        header[5] = (byte)opcode;
        BitConverter.GetBytes((uint)random.Next()).CopyTo(header, 8);
        BitConverter.GetBytes(length).CopyTo(header, 16);
        return header;
    }

    private static byte[] Bytes(Random random, int count)
    {
        byte[] bytes = new byte[count];
        random.NextBytes(bytes);
        return bytes;
    }

    private static ServiceProvider Provider() => new ServiceCollection().AddTcpProvider().BuildServiceProvider();

    private static IRsmController Open(ServiceProvider services, uint node, string key, Dictionary<string, string> directory)
    {
        var settings = new Dictionary<string, string?>
        {
            ["NodeId"] = node.ToString(CultureInfo.InvariantCulture),
            ["Listen"] = "127.0.0.1:0",
            ["ClusterKey"] = key,
            ["ConnectTimeout"] = "00:00:02",
        };
        foreach ((string id, string endpoint) in directory)
        {
            settings[$"Nodes:{id}"] = endpoint;
        }

        return NodeControllers.Open(services, node, settings);
    }

    private static EndPoint EndpointOf(ServiceProvider services, uint node) =>
        ((Providers.Tcp.Internal.TcpProvider)services.GetServices<IRsmProvider>().Single()).LocalEndpointOf(node)!;
}
