using BenchmarkDotNet.Attributes;

namespace Rsm.Benchmarks.Tcp;

/// <summary>
/// Four importing Tcp nodes putting 1 MiB at once into one exporter's segment, against four raw TCP streams sending
/// 1 MiB at once into one receiver, measured in the same run. Node 1 of this process exports and publishes a 4 MiB
/// segment; nodes 2 to 5 (four controllers of the same provider, each with its own authenticated connection to node 1 on
/// 127.0.0.1) each own one disjoint 1 MiB range of it (importer <c>i</c> at offset <c>i</c> MiB) and put from a private
/// 1 MiB buffer of their own. One operation is all four putting their 1 MiB once, released together and finished when
/// the last put is acknowledged (<see cref="ContendedWorkers"/>: the benchmark thread and three others), so the ratio is
/// the aggregate throughput against the raw streams'.
/// </summary>
/// <remarks>
/// As in the single-importer "Put 1 MiB" category of <see cref="TcpGetPutBenchmarks"/>, there are two measured cases:
/// <see cref="PutsImplicit"/>, each put in Implicit mode and waiting for its acknowledgement, and
/// <see cref="PutsExplicit"/>, each importer opening its barrier, putting in Explicit mode (pipelined) and closing the
/// barrier, which waits for the acknowledgement. The baseline (<see cref="RawLoopbackReceiver"/>) is four connected socket
/// pairs on 127.0.0.1 into one listener, each sender sending 1 MiB in one send and waiting for a 4-byte acknowledgement,
/// each accepted stream served by a thread of its own that receives straight into its range of one 4 MiB memory: the
/// raw counterpart of the exporter's reader per connection. The allocation column counts every thread of the process.
/// </remarks>
[MemoryDiagnoser]
[SimpleJob(launchCount: 1, warmupCount: 3, iterationCount: 15)]
public class TcpContendedPutBenchmarks
{
    /// <summary>The importers, and the threads of one operation.</summary>
    public const int Importers = 4;

    /// <summary>The bytes each importer puts in one operation (one frame with the default <c>MaxFrameSize</c>).</summary>
    public const int PutSize = 1 << 20;

    private const int SegmentSize = Importers * PutSize;

    private RsmPageMemory?[] _locals = [];
    private ContendedWorkers? _workers;
    private RawLoopbackReceiver? _raw;
    private TcpNodeGroup? _nodes;
    private RsmPageMemory? _exported;
    private IExportSegment? _export;
    private IImportSegment?[] _acknowledged = [];
    private IImportSegment?[] _pipelined = [];
    private RsmBarrier?[] _barriers = [];
    private Action<int>? _rawOne;
    private Action<int>? _implicitOne;
    private Action<int>? _explicitOne;

    [GlobalSetup(Target = nameof(RawStreams))]
    public void SetupRaw()
    {
        try
        {
            Prepare();
            _raw = RawLoopbackReceiver.Start(Importers, PutSize);

            // One operation proves every stream's bytes land in its range before anything is measured.
            _workers!.Run(_rawOne!);
            Check(_raw.Memory, "one operation of the raw streams");
        }
        catch
        {
            Release();
            throw;
        }
    }

    [GlobalSetup(Targets = [nameof(PutsImplicit), nameof(PutsExplicit)])]
    public void SetupTcp()
    {
        try
        {
            Prepare();
            _nodes = new TcpNodeGroup(Importers);
            _exported = RsmPageMemory.Allocate(SegmentSize);
            _export = _nodes.Exporter.CreateExportSegment(_exported.Address, _exported.Length);
            var access = new RsmAccessEntry[Importers];
            for (int i = 0; i < Importers; i++)
            {
                access[i] = new RsmAccessEntry(TcpNodeGroup.ImporterNodeId(i), 0x1B6);
            }

            uint segmentId = _export.Publish(0, access);
            _acknowledged = new IImportSegment?[Importers];
            _pipelined = new IImportSegment?[Importers];
            _barriers = new RsmBarrier?[Importers];
            for (int i = 0; i < Importers; i++)
            {
                IRsmController importer = _nodes.Importers[i];

                // Implicit mode (the default) needs a barrier for its generation check; every put waits for its acknowledgement.
                _acknowledged[i] = importer.Connect(TcpNodeGroup.ExporterNodeId, segmentId, RsmPermissions.ReadWrite);
                _ = _acknowledged[i]!.InitBarrier();

                // Explicit mode: puts are pipelined, and the close barrier waits for their acknowledgements.
                _pipelined[i] = importer.Connect(TcpNodeGroup.ExporterNodeId, segmentId, RsmPermissions.ReadWrite);
                _pipelined[i]!.SetMode(RsmBarrierMode.Explicit);
                _barriers[i] = _pipelined[i]!.InitBarrier();
            }

            // One operation of each kind, each on cleared memory, proves that every importer's bytes land in its range;
            // the first accesses (implicit maps, first use of the connections) stay out of the measurement.
            _exported.GetSpan().Clear();
            _workers!.Run(_implicitOne!);
            Check(_exported.GetSpan(), "one operation of the acknowledged puts");
            _exported.GetSpan().Clear();
            _workers.Run(_explicitOne!);
            Check(_exported.GetSpan(), "one operation of the pipelined puts");
        }
        catch
        {
            Release();
            throw;
        }
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        // What the run left in the memory written: every range the bytes of its importer or stream, nothing else.
        string? wrong = null;
        if (_workers is not null)
        {
            if (_raw is not null)
            {
                wrong = ContendedBytes.Check(_raw.Memory, PutSize, _locals);
            }
            else if (_exported is not null)
            {
                wrong = ContendedBytes.Check(_exported.GetSpan(), PutSize, _locals);
            }
        }

        Release();
        if (wrong is not null)
        {
            throw new InvalidOperationException($"after the run the memory written is wrong: {wrong}");
        }
    }

    [Benchmark(Baseline = true)]
    public void RawStreams() => _workers!.Run(_rawOne!);

    [Benchmark]
    public void PutsImplicit() => _workers!.Run(_implicitOne!);

    [Benchmark]
    public void PutsExplicit() => _workers!.Run(_explicitOne!);

    private void RawOne(int importer) => _raw!.Put(importer, _locals[importer]!.GetSpan());

    private void ImplicitOne(int importer) => _acknowledged[importer]!.Put(importer * PutSize, _locals[importer]!.GetSpan());

    private void ExplicitOne(int importer)
    {
        RsmBarrier barrier = _barriers[importer]!;
        barrier.Open();
        _pipelined[importer]!.Put(importer * PutSize, _locals[importer]!.GetSpan());
        barrier.Close();
    }

    /// <summary>The sources, the threads and the work of one operation, common to the baseline and the Tcp cases.</summary>
    private void Prepare()
    {
        _locals = new RsmPageMemory?[Importers];
        for (int i = 0; i < Importers; i++)
        {
            _locals[i] = RsmPageMemory.Allocate(PutSize);
            ContendedBytes.Fill(_locals[i]!.GetSpan(), i);
        }

        _rawOne = RawOne;
        _implicitOne = ImplicitOne;
        _explicitOne = ExplicitOne;
        _workers = new ContendedWorkers(Importers);
    }

    private void Check(ReadOnlySpan<byte> written, string what)
    {
        if (ContendedBytes.Check(written, PutSize, _locals) is { } wrong)
        {
            throw new InvalidOperationException($"{what} did not move the bytes it should have: {wrong}");
        }
    }

    private void Release()
    {
        // Workers first (nothing sends any more), then imports before the segment, nodes after both.
        _workers?.Dispose();
        _workers = null;
        _raw?.Dispose();
        _raw = null;
        foreach (IImportSegment?[] imports in new[] { _acknowledged, _pipelined })
        {
            for (int i = 0; i < imports.Length; i++)
            {
                imports[i]?.Disconnect();
                imports[i] = null;
            }
        }

        _barriers = [];
        _export?.Destroy();
        _export = null;
        _nodes?.Dispose();
        _nodes = null;
        _exported?.Dispose();
        _exported = null;
        foreach (RsmPageMemory? local in _locals)
        {
            local?.Dispose();
        }

        _locals = [];
    }
}
