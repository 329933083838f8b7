using System.Collections.Concurrent;
using System.Globalization;
using Rsm.Providers.Tcp.Internal.Wire;

namespace Rsm.Conformance.Tests;

/// <summary>
/// Four importing Tcp nodes, one or two threads each (an import per thread), put large chunks into one exporter at the
/// same time, each into its own range, and read them back: every byte must land, and nothing may be aborted that nobody
/// aborted. Large puts are received straight into the
/// segment's pages while the reader's buffers of other connections come and go, which is where a stream once lost its
/// framing. Each case runs <c>RSM_STRESS_SECONDS</c> seconds (default 3; the acceptance runs use 30).
/// </summary>
[TestClass]
public sealed class TcpContendedPutTests
{
    private const uint Id = 0x651000;
    private const int Nodes = 4;

    private static TimeSpan Duration =>
        TimeSpan.FromSeconds(int.TryParse(Environment.GetEnvironmentVariable("RSM_STRESS_SECONDS"), NumberStyles.None, CultureInfo.InvariantCulture, out int seconds) && seconds > 0 ? seconds : 3);

    [ConformanceTest]
    [DataRow(256 * 1024, RsmBarrierMode.Explicit, 1)]
    [DataRow(256 * 1024, RsmBarrierMode.Implicit, 1)]
    [DataRow(1 << 20, RsmBarrierMode.Explicit, 1)]
    [DataRow(1 << 20, RsmBarrierMode.Implicit, 1)]
    [DataRow(256 * 1024, RsmBarrierMode.Explicit, 2)]
    [DataRow(1 << 20, RsmBarrierMode.Implicit, 2)]
    public void FourImportingNodes_LargePutsAtOnce_EveryByteLands(int chunk, RsmBarrierMode mode, int threadsPerNode) =>
        FourImportingNodes(static () => new TcpPeerCluster(1, 2, 3, 4, 5), chunk, mode, threadsPerNode);

    /// <summary>The contended puts on the nodes 1 (the exporter) to 5 of the cluster <paramref name="create"/> makes.</summary>
    internal static void FourImportingNodes(Func<TcpPeerCluster> create, int chunk, RsmBarrierMode mode, int threadsPerNode)
    {
        int importers = Nodes * threadsPerNode;
        int threadsBefore = TcpFrameConnection.ThreadCount;
        int processThreadsBefore = ProcessThreads();
        using (TcpPeerCluster cluster = create())
        {
            using IRsmController exporter = cluster.Open(1);
            using RsmPageMemory memory = RsmPageMemory.Allocate((nuint)(chunk * importers));
            IExportSegment export = exporter.CreateExportSegment(memory.Address, memory.Length);
            export.Publish(Id);
            var controllers = new IRsmController[Nodes];
            for (int i = 0; i < Nodes; i++)
            {
                controllers[i] = cluster.Open((uint)(i + 2));
            }

            var failures = new ConcurrentQueue<string>();
            long[] rounds = new long[importers];
            DateTime deadline = DateTime.UtcNow + Duration;
            var threads = new Thread[importers];
            for (int i = 0; i < importers; i++)
            {
                int me = i;
                IRsmController node = controllers[i % Nodes];
                threads[i] = new Thread(() => Run(node, me, chunk, mode, deadline, memory, failures, ref rounds[me])) { IsBackground = true };
                threads[i].Start();
            }

            foreach (Thread thread in threads)
            {
                Assert.IsTrue(thread.Join(Duration + TimeSpan.FromSeconds(60)), "an importer did not finish");
            }

            foreach (IRsmController controller in controllers)
            {
                controller.Dispose();
            }

            Assert.IsTrue(Task.Run(export.Destroy).Wait(TimeSpan.FromSeconds(30)), "Destroy did not return");
            Assert.IsTrue(failures.IsEmpty, string.Join("; ", failures));
            foreach (long count in rounds)
            {
                Assert.IsTrue(count > 0, "an importer completed no round");
            }
        }

        // Every connection thread of the five nodes ends with its connection (a thread of an earlier test may still have
        // been ending when the count was taken, so the count may also end below it).
        Assert.IsTrue(SpinWait.SpinUntil(() => TcpFrameConnection.ThreadCount <= threadsBefore, TimeSpan.FromSeconds(20)), $"{TcpFrameConnection.ThreadCount} connection threads are left, {threadsBefore} before");

        // The nodes' other threads (a Fabric node's progress thread) end with them too; the pool may keep a few workers.
        Assert.IsTrue(
            SpinWait.SpinUntil(() => ProcessThreads() <= processThreadsBefore + 4, TimeSpan.FromSeconds(20)),
            $"{ProcessThreads()} threads in the process, {processThreadsBefore} before");
    }

    private static int ProcessThreads()
    {
        using var process = System.Diagnostics.Process.GetCurrentProcess();
        return process.Threads.Count;
    }

    private static void Run(IRsmController controller, int me, int chunk, RsmBarrierMode mode, DateTime deadline, RsmPageMemory exported, ConcurrentQueue<string> failures, ref long rounds)
    {
        try
        {
            IImportSegment import = controller.Connect(1, Id, RsmPermissions.ReadWrite);
            import.SetMode(mode);
            RsmBarrier barrier = import.InitBarrier();
            byte[] data = new byte[chunk];
            byte[] back = new byte[chunk];
            long offset = (long)me * chunk;
            while (DateTime.UtcNow < deadline)
            {
                rounds++;

                // Every byte names the importer, the round and its own position, so a byte from elsewhere shows.
                for (int i = 0; i < chunk; i++)
                {
                    data[i] = (byte)((me * 61) + (rounds * 7) + (i * 13));
                }

                barrier.Open();
                import.Put(offset, data);
                barrier.Close();
                if (!exported.GetSpan().Slice((int)offset, chunk).SequenceEqual(data))
                {
                    failures.Enqueue($"importer {me} round {rounds}: the exporter's bytes differ from the put");
                    break;
                }

                barrier.Open();
                import.Get(offset, back);
                barrier.Close();
                if (!back.AsSpan().SequenceEqual(data))
                {
                    failures.Enqueue($"importer {me} round {rounds}: the get returned other bytes");
                    break;
                }
            }

            import.Disconnect();
        }
        catch (RsmException ex)
        {
            failures.Enqueue($"importer {me} round {rounds}: {ex.Message}");
        }
    }
}
