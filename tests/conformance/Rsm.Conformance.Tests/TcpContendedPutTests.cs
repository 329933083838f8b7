namespace Rsm.Conformance.Tests;

[TestClass]
public sealed class TcpContendedPutTests
{
    private const uint Id = 0x651000;

    [TestMethod]
    [DataRow(256 * 1024, RsmBarrierMode.Explicit)]
    [DataRow(256 * 1024, RsmBarrierMode.Implicit)]
    [DataRow(1 << 20, RsmBarrierMode.Explicit)]
    [DataRow(1 << 20, RsmBarrierMode.Implicit)]
    public void FourImportingNodes_LargePuts_EveryByteLands(int chunk, RsmBarrierMode mode)
    {
        const int Importers = 4;
        using var cluster = new TcpPeerCluster(1, 2, 3, 4, 5);
        using IRsmController exporter = cluster.Open(1);
        using RsmPageMemory memory = RsmPageMemory.Allocate((nuint)(chunk * Importers));
        IExportSegment export = exporter.CreateExportSegment(memory.Address, memory.Length);
        export.Publish(Id);
        var controllers = new IRsmController[Importers];
        var errors = new System.Collections.Concurrent.ConcurrentQueue<string>();
        for (int i = 0; i < Importers; i++)
        {
            controllers[i] = cluster.Open((uint)(i + 2));
        }

        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(5);
        var threads = new Thread[Importers];
        for (int i = 0; i < Importers; i++)
        {
            int me = i;
            threads[i] = new Thread(() =>
            {
                try
                {
                    IImportSegment import = controllers[me].Connect(1, Id, RsmPermissions.ReadWrite);
                    import.SetMode(mode);
                    RsmBarrier barrier = import.InitBarrier();
                    byte[] data = new byte[chunk];
                    byte round = 0;
                    while (DateTime.UtcNow < deadline)
                    {
                        round++;
                        data.AsSpan().Fill((byte)(round ^ (me * 37)));
                        barrier.Open();
                        import.Put((long)me * chunk, data);
                        barrier.Close();
                        byte[] back = new byte[chunk];
                        import.Get((long)me * chunk, back);
                        if (!back.AsSpan().SequenceEqual(data))
                        {
                            errors.Enqueue($"importer {me} round {round}: bytes differ");
                            break;
                        }
                    }

                    import.Disconnect();
                }
                catch (RsmException ex)
                {
                    errors.Enqueue($"importer {me}: {ex.Message}");
                }
            });
            threads[i].Start();
        }

        foreach (Thread t in threads)
        {
            Assert.IsTrue(t.Join(TimeSpan.FromSeconds(60)));
        }

        foreach (IRsmController c in controllers)
        {
            c.Dispose();
        }

        export.Destroy();
        Assert.IsTrue(errors.IsEmpty, string.Join("; ", errors));
    }
}
