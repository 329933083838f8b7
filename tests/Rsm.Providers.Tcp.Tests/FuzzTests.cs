using System.Buffers.Binary;
using System.Net.Sockets;
using Rsm.Providers.Tcp.Internal.Wire;

namespace Rsm.Providers.Tcp.Tests;

/// <summary>Random bytes from many peers, before and after the handshake: the listener survives and stays useful.</summary>
[TestClass]
public sealed class FuzzTests
{
    private const int Blobs = 2000;
    private const int MaxFrameSize = 8 * 1024;
    private const int Parallelism = 8;

    private static readonly Opcode[] s_opcodes = Enum.GetValues<Opcode>();

    public TestContext TestContext { get; set; } = null!;

    [TestMethod]
    public async Task Listener_2000RandomBlobs_SurvivesAndStillAuthenticates()
    {
        await using var listener = new TestListener(2, o => o with { MaxFrameSize = MaxFrameSize, Timeout = TimeSpan.FromSeconds(5) }, keepFrames: false);
        var random = new Random(20261125);

        // Drawn up front from one seeded generator, so the run is the same whatever order the sends happen in.
        var blobs = new (bool Authenticate, byte[] Bytes)[Blobs];
        for (int i = 0; i < Blobs; i++)
        {
            bool plausible = (i / 2) % 2 == 1;
            blobs[i] = (i % 2 == 1, plausible ? PlausibleFrames(random) : RandomBytes(random, random.Next(0, 600)));
        }

        long memoryBefore = GC.GetTotalMemory(forceFullCollection: true);
        await Parallel.ForEachAsync(
            blobs,
            new ParallelOptions { MaxDegreeOfParallelism = Parallelism },
            async (blob, _) =>
            {
                using RawPeer peer = blob.Authenticate
                    ? await RawPeer.ConnectAuthenticatedAsync(listener.EndPoint, 1)
                    : await RawPeer.ConnectAsync(listener.EndPoint);
                await SendIgnoringResetAsync(peer, blob.Bytes);
                try
                {
                    peer.Socket.Shutdown(SocketShutdown.Send);
                }
                catch (SocketException)
                {
                    // Dropped already.
                }

                // Ends when the listener's side closed: every blob is fully handled before the next is counted.
                await peer.WaitForEndAsync();
            }).WaitAsync(TimeSpan.FromSeconds(60));

        IReadOnlyList<ConnectionProbe> accepted = listener.AllAccepted;
        await Task.WhenAll(accepted.Select(p => p.Connection.Completion)).WaitAsync(TestNodes.WaitLimit);
        await WaitUntilAsync(() => listener.Listener.RefusedCount == Blobs / 2 && listener.Listener.PendingHandshakes == 0);
        long memoryAfter = GC.GetTotalMemory(forceFullCollection: true);

        foreach (IGrouping<ConnectionCloseReason, ConnectionProbe> group in accepted.GroupBy(p => p.Connection.CloseReason).OrderBy(g => g.Key))
        {
            TestContext.WriteLine($"{group.Key}: {group.Count()} connections");
        }

        TestContext.WriteLine($"frames delivered: {accepted.Sum(p => p.FrameCount)}; heap before {memoryBefore}, after {memoryAfter}");

        // Every authenticated peer was handed over and every other one refused, each exactly once.
        Assert.AreEqual(Blobs / 2, accepted.Count);
        Assert.AreEqual(Blobs / 2, listener.Listener.RefusedCount);
        Assert.IsTrue(accepted.All(p => p.ClosedCalls == 1 && p.Connection.IsClosed));

        // Bounded memory, two ways: no frame callback ever saw a payload over the limit (headers are judged before
        // payloads are waited for), and nothing the 2,000 connections held is still reachable once they are closed.
        Assert.IsLessThanOrEqualTo((long)MaxFrameSize, accepted.Max(p => p.LargestPayload));
        Assert.IsLessThan(32L * 1024 * 1024, memoryAfter - memoryBefore, $"heap grew from {memoryBefore} to {memoryAfter} bytes");

        ConnectionProbe dialer = await TestNodes.DialAsync(listener, 3, o => o with { MaxFrameSize = MaxFrameSize });
        ConnectionProbe good = await listener.NextAcceptedAsync();
        while (good.Connection.PeerNodeId != 3)
        {
            good = await listener.NextAcceptedAsync();
        }

        await dialer.Connection.SendAsync(new FrameHeader(Opcode.Put, 5, 0), new byte[MaxFrameSize]).AsTask().WaitAsync(TestNodes.WaitLimit);
        await WaitUntilAsync(() => good.FrameCount == 1);
        Assert.AreEqual((long)MaxFrameSize, good.LargestPayload);
        Assert.IsFalse(good.Connection.IsClosed);
        dialer.Connection.Close();
    }

    private static byte[] RandomBytes(Random random, int length)
    {
        byte[] bytes = new byte[length];
        random.NextBytes(bytes);
        return bytes;
    }

    /// <summary>One to four frames with a valid magic and version and everything else chosen to probe the checks.</summary>
    private static byte[] PlausibleFrames(Random random)
    {
        var frames = new List<byte>();
        int count = random.Next(1, 5);
        for (int i = 0; i < count; i++)
        {
            byte[] payload = RandomBytes(random, random.Next(0, 300));
            uint length = random.Next(6) switch
            {
                0 => (uint)random.Next(0, 600),
                1 => MaxFrameSize + 1u,
                2 => (uint)random.NextInt64(MaxFrameSize + 1L, uint.MaxValue + 1L),
                _ => (uint)payload.Length,
            };
            byte opcode = random.Next(4) == 0 ? (byte)random.Next(256) : (byte)s_opcodes[random.Next(s_opcodes.Length)];
            byte[] header = new byte[FrameHeader.Size];
            random.NextBytes(header);
            BinaryPrimitives.WriteUInt32LittleEndian(header, FrameHeader.MagicValue);
            header[4] = random.Next(8) == 0 ? (byte)random.Next(256) : FrameHeader.CurrentVersion;
            header[5] = opcode;
            BinaryPrimitives.WriteUInt32LittleEndian(header.AsSpan(16), length);
            if (random.Next(4) != 0)
            {
                BinaryPrimitives.WriteUInt32LittleEndian(header.AsSpan(20), 0);
            }

            frames.AddRange(header);
            frames.AddRange(payload);
        }

        return [.. frames];
    }

    private static async Task SendIgnoringResetAsync(RawPeer peer, byte[] bytes)
    {
        try
        {
            await peer.SendAsync(bytes);
        }
        catch (SocketException)
        {
            // The listener dropped the connection part-way through the blob, as it should for most of them.
        }
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        using var timeout = new CancellationTokenSource(TestNodes.WaitLimit);
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(20));
        while (!condition())
        {
            await timer.WaitForNextTickAsync(timeout.Token);
        }
    }
}
