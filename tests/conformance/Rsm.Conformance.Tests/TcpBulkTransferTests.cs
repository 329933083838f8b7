namespace Rsm.Conformance.Tests;

/// <summary>
/// Tcp transfers large enough to take the bulk paths: replies written from the exporter's pages and received into the
/// caller's buffer, puts received straight into the segment, puts in Explicit mode gathered into shared writes, and the
/// element-wise paths of the sized forms over payloads that arrive in several buffers. Two nodes in this process.
/// </summary>
[TestClass]
public sealed class TcpBulkTransferTests
{
    private const uint Id = 0x650000;
    private const int Length = 1 << 20;

    [ConformanceTest]
    public void BulkPutAndGet_MoveEveryByte_BothModes()
    {
        using var pair = new NodePair();
        RsmPageMemory memory = pair.Memory;
        using RsmPageMemory local = RsmPageMemory.Allocate(Length);

        // Explicit mode: the put is pipelined and the close barrier confirms it.
        IImportSegment pipelined = pair.Connect();
        pipelined.SetMode(RsmBarrierMode.Explicit);
        RsmBarrier barrier = pipelined.InitBarrier();
        Fill(local.GetSpan(), 7);
        barrier.Open();
        pipelined.Put(0, local.GetSpan());
        barrier.Close();
        Assert.IsTrue(memory.GetSpan().SequenceEqual(local.GetSpan()), "the pipelined 1 MiB put did not arrive whole");

        // Implicit mode: acknowledged put and get, at an odd offset and length.
        IImportSegment acknowledged = pair.Connect();
        _ = acknowledged.InitBarrier();
        Fill(local.GetSpan(), 11);
        acknowledged.Put(4096, local.GetSpan()[..(Length - 4096 - 3)]);
        Assert.IsTrue(memory.GetSpan().Slice(4096, Length - 4096 - 3).SequenceEqual(local.GetSpan()[..(Length - 4096 - 3)]));
        Assert.IsTrue(memory.GetSpan()[..4096].SequenceEqual(Pattern(4096, 7)), "a put wrote before its offset");

        byte[] back = new byte[Length - 1];
        acknowledged.Get(1, back);
        Assert.IsTrue(memory.GetSpan().Slice(1, Length - 1).SequenceEqual(back), "the 1 MiB get did not return the exporter's bytes");

        acknowledged.Disconnect();
        pipelined.Disconnect();
    }

    [ConformanceTest]
    public void BulkGetAndPut_AfterRebind_ReachTheNewMemory()
    {
        using var cluster = new TcpPeerCluster(1, 2);
        using IRsmController exporter = cluster.Open(1);
        using IRsmController importer = cluster.Open(2);
        using RsmPageMemory first = RsmPageMemory.Allocate(Length);
        using RsmPageMemory second = RsmPageMemory.Allocate(Length);
        Fill(first.GetSpan(), 3);
        Fill(second.GetSpan(), 5);
        IExportSegment export = exporter.CreateExportSegment(first.Address, first.Length, ExportFlags.AllowRebind);
        export.Publish(Id, [new RsmAccessEntry(2, 0x1B6)]);
        IImportSegment import = importer.Connect(1, Id, RsmPermissions.ReadWrite);
        _ = import.InitBarrier();
        byte[] data = new byte[Length];
        import.Get(0, data);
        CollectionAssert.AreEqual(Pattern(Length, 3), data);

        export.Rebind(second.Address, second.Length);
        import.Get(0, data);
        CollectionAssert.AreEqual(Pattern(Length, 5), data, "a get after rebind read the old memory");

        Fill(data, 9);
        import.Put(0, data);
        Assert.IsTrue(second.GetSpan().SequenceEqual(data), "a put after rebind did not reach the new memory");
        Assert.IsTrue(first.GetSpan().SequenceEqual(Pattern(Length, 3)), "a put after rebind changed the old memory");

        import.Disconnect();
        export.Destroy();
    }

    [ConformanceTest]
    public void SizedForms_LargePayloads_KeepEveryElement()
    {
        using var pair = new NodePair();
        RsmPageMemory memory = pair.Memory;
        IImportSegment import = pair.Connect();
        _ = import.InitBarrier();

        // 768 KiB of 64-bit, then 32-bit, then 16-bit elements, each write read back through the other width.
        ulong[] wide = new ulong[(3 * Length / 4) / sizeof(ulong)];
        for (int i = 0; i < wide.Length; i++)
        {
            wide[i] = 0x0101010101010101UL * (ulong)(i % 251) ^ (ulong)i;
        }

        import.Put64(8, wide);
        ulong[] wideBack = new ulong[wide.Length];
        import.Get64(8, wideBack);
        CollectionAssert.AreEqual(wide, wideBack);

        uint[] narrow = new uint[wide.Length * 2];
        import.Get32(8, narrow);
        for (int i = 0; i < wide.Length; i++)
        {
            Assert.AreEqual((uint)wide[i], narrow[2 * i]);
            Assert.AreEqual((uint)(wide[i] >> 32), narrow[(2 * i) + 1]);
        }

        ushort[] halves = new ushort[narrow.Length * 2];
        for (int i = 0; i < halves.Length; i++)
        {
            halves[i] = (ushort)(i * 7);
        }

        import.Put16(2, halves);
        ushort[] halvesBack = new ushort[halves.Length];
        import.Get16(2, halvesBack);
        CollectionAssert.AreEqual(halves, halvesBack);

        import.Disconnect();
    }

    [ConformanceTest]
    public void ExplicitMode_ManySmallPuts_AllArriveByTheCloseBarrier()
    {
        using var pair = new NodePair();
        RsmPageMemory memory = pair.Memory;
        IImportSegment import = pair.Connect();
        import.SetMode(RsmBarrierMode.Explicit);
        RsmBarrier barrier = import.InitBarrier();

        // 3,000 puts of 100 bytes, gathered into shared writes: the close barrier waits for every acknowledgement.
        byte[] chunk = new byte[100];
        barrier.Open();
        for (int i = 0; i < 3000; i++)
        {
            chunk.AsSpan().Fill((byte)(i % 253));
            import.Put(i * 100L, chunk);
        }

        barrier.Close();
        for (int i = 0; i < 3000; i++)
        {
            Assert.AreEqual((byte)(i % 253), memory.GetSpan()[(i * 100) + 99], $"put {i} did not arrive by the close barrier");
        }

        // A lone put with no barrier after it still goes out: at the latest with the keep-alive tick.
        import.Put(Length - 1, [0xEE]);
        long deadline = Environment.TickCount64 + (long)TcpPeerCluster.LossLimit.TotalMilliseconds;
        while (memory.GetSpan()[Length - 1] != 0xEE)
        {
            Assert.IsLessThan(deadline, Environment.TickCount64, "a put without a following barrier never went out");
            Thread.Sleep(10);
        }

        import.Disconnect();
    }

    [ConformanceTest]
    public void BulkTransfers_ThenIdlePastTheSilenceLimit_ConnectionStays()
    {
        // A put received straight into the pages and a get received straight into the buffer end their frames; an idle
        // connection afterwards is kept alive by keep-alives and never taken for a peer stuck in a frame.
        using var pair = new NodePair();
        IImportSegment import = pair.Connect();
        _ = import.InitBarrier();
        byte[] data = Pattern(Length, 21);
        import.Put(0, data);
        byte[] back = new byte[Length];
        import.Get(0, back);
        CollectionAssert.AreEqual(data, back);

        Thread.Sleep(TcpPeerCluster.SilenceLimit + TimeSpan.FromSeconds(2));

        Fill(data, 22);
        Assert.AreEqual(RsmError.Success, TcpPeerCluster.Outcome(() => import.Put(0, data)), "the idle connection was dropped");
        import.Get(0, back);
        CollectionAssert.AreEqual(data, back);
        import.Disconnect();
    }

    private static void Fill(Span<byte> span, int seed)
    {
        for (int i = 0; i < span.Length; i++)
        {
            span[i] = (byte)((i * seed) + (i >> 12));
        }
    }

    private static byte[] Pattern(int length, int seed)
    {
        byte[] bytes = new byte[length];
        Fill(bytes, seed);
        return bytes;
    }

    /// <summary>Node 1 exports 1 MiB of its memory to node 2; both in this process.</summary>
    private sealed class NodePair : IDisposable
    {
        private readonly TcpPeerCluster _cluster = new(1, 2);
        private readonly IRsmController _exporter;
        private readonly IRsmController _importer;
        private readonly IExportSegment _export;

        public NodePair()
        {
            _exporter = _cluster.Open(1);
            _importer = _cluster.Open(2);
            Memory = RsmPageMemory.Allocate(Length);
            _export = _exporter.CreateExportSegment(Memory.Address, Memory.Length);
            _export.Publish(Id, [new RsmAccessEntry(2, 0x1B6)]);
        }

        public RsmPageMemory Memory { get; }

        public IImportSegment Connect() => _importer.Connect(1, Id, RsmPermissions.ReadWrite);

        public void Dispose()
        {
            _export.Destroy();
            _importer.Dispose();
            _exporter.Dispose();
            Memory.Dispose();
            _cluster.Dispose();
        }
    }
}
