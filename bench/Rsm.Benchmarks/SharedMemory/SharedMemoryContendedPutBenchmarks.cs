using BenchmarkDotNet.Attributes;

namespace Rsm.Benchmarks.SharedMemory;

/// <summary>
/// Four importers putting 1 MiB at once into one exporter's segment, against four plain copies of 1 MiB at once between
/// the same buffers, measured in the same run. Node 0 exports and publishes a 4 MiB segment; nodes 1 to 4 each connect to
/// it in Explicit mode and own one disjoint 1 MiB range of it (importer <c>i</c> at offset <c>i</c> MiB), putting from a
/// private 1 MiB buffer of its own. One operation is all four putting their 1 MiB once, released together and finished
/// when the last is done (<see cref="ContendedWorkers"/>), so the ratio is the aggregate throughput against the raw
/// copies'. The baseline copies from the same private buffers into the same ranges of the exported memory (after export
/// creation, the segment's memfd pages).
/// </summary>
/// <remarks>
/// The importers are four threads of this process, each with a node of its own, rather than four child processes. A
/// SharedMemory put is a copy by the importing thread into that importer's own <c>MAP_SHARED</c> mapping of the
/// exporter's memfd: no exporter thread and no cross-process step lies on the path, so what four importers contend for
/// is the memory and the shared pages, and those are the same whether the four mappings live in one process or in four.
/// Each node connects through the segment's rendezvous socket and maps the memfd the exporter passes, as a node in
/// another process does. Child processes would need a start and a finish signal across processes for every operation,
/// and on this VM waking a process takes tens of microseconds, about as long as the four copies themselves; the raw
/// baseline (four threads) would not pay that, so the ratio would mostly compare wake-ups. With threads, the baseline and
/// the puts share one start and finish, and the ratio is that of the put path.
/// </remarks>
[MemoryDiagnoser]
[SimpleJob(launchCount: 1, warmupCount: 3, iterationCount: 10)]
public unsafe class SharedMemoryContendedPutBenchmarks
{
    /// <summary>The importers, and the threads of one operation.</summary>
    public const int Importers = 4;

    /// <summary>The bytes each importer puts in one operation.</summary>
    public const int PutSize = 1 << 20;

    private const int SegmentSize = Importers * PutSize;
    private const uint ExporterNodeId = 0;

    private SharedMemoryNode? _exporterNode;
    private SharedMemoryNode?[] _importerNodes = [];
    private RsmPageMemory? _exported;
    private IExportSegment? _export;
    private IImportSegment?[] _imports = [];
    private RsmPageMemory?[] _locals = [];
    private ContendedWorkers? _workers;
    private Action<int>? _copyOne;
    private Action<int>? _putOne;

    [GlobalSetup(Target = nameof(RawCopies))]
    public void SetupRawCopies() => Setup(puts: false);

    [GlobalSetup(Target = nameof(Puts))]
    public void SetupPuts() => Setup(puts: true);

    [GlobalCleanup]
    public void Cleanup()
    {
        // What the run left in the exporter's memory: every range the bytes of its importer, nothing else.
        string? wrong = _exported is not null && _workers is not null ? ContendedBytes.Check(_exported.GetSpan(), PutSize, _locals) : null;
        Release();
        if (wrong is not null)
        {
            throw new InvalidOperationException($"after the run the exported memory is wrong: {wrong}");
        }
    }

    [Benchmark(Baseline = true)]
    public void RawCopies() => _workers!.Run(_copyOne!);

    [Benchmark]
    public void Puts() => _workers!.Run(_putOne!);

    private void Setup(bool puts)
    {
        try
        {
            string prefix = SharedMemoryNode.NewPrefix();
            _exporterNode = new SharedMemoryNode(prefix, ExporterNodeId);
            _exported = RsmPageMemory.Allocate(SegmentSize);
            _export = _exporterNode.Controller.CreateExportSegment(_exported.Address, _exported.Length);
            var access = new RsmAccessEntry[Importers];
            for (int i = 0; i < Importers; i++)
            {
                access[i] = new RsmAccessEntry(ImporterNodeId(i), 0x1B6);
            }

            uint segmentId = _export.Publish(0, access);

            _importerNodes = new SharedMemoryNode?[Importers];
            _imports = new IImportSegment?[Importers];
            _locals = new RsmPageMemory?[Importers];
            for (int i = 0; i < Importers; i++)
            {
                _importerNodes[i] = new SharedMemoryNode(prefix, ImporterNodeId(i));
                IImportSegment import = _importerNodes[i]!.Controller.Connect(ExporterNodeId, segmentId, RsmPermissions.ReadWrite);
                _imports[i] = import;
                import.SetMode(RsmBarrierMode.Explicit);
                RsmPageMemory local = RsmPageMemory.Allocate(PutSize);
                _locals[i] = local;
                ContendedBytes.Fill(local.GetSpan(), i);
            }

            _copyOne = CopyOne;
            _putOne = PutOne;
            _workers = new ContendedWorkers(Importers);

            // One operation, on cleared memory, proves that every importer's bytes land in its range (and the first
            // access, which maps each import implicitly, stays out of the measurement).
            _exported.GetSpan().Clear();
            _workers.Run(puts ? _putOne : _copyOne);
            if (ContendedBytes.Check(_exported.GetSpan(), PutSize, _locals) is { } wrong)
            {
                throw new InvalidOperationException($"one operation of the {(puts ? "puts" : "raw copies")} did not move the bytes it should have: {wrong}");
            }
        }
        catch
        {
            Release();
            throw;
        }
    }

    private static uint ImporterNodeId(int importer) => ExporterNodeId + 1 + (uint)importer;

    private void CopyOne(int importer) =>
        Buffer.MemoryCopy((void*)_locals[importer]!.Address, (void*)(_exported!.Address + (importer * PutSize)), PutSize, PutSize);

    private void PutOne(int importer) => _imports[importer]!.Put(importer * PutSize, _locals[importer]!.GetSpan());

    private void Release()
    {
        // Workers first (nothing runs on the segment any more), then importers before the segment they use.
        _workers?.Dispose();
        _workers = null;
        for (int i = 0; i < _imports.Length; i++)
        {
            _imports[i]?.Disconnect();
            _imports[i] = null;
        }

        for (int i = 0; i < _importerNodes.Length; i++)
        {
            _importerNodes[i]?.Dispose();
            _importerNodes[i] = null;
        }

        _export?.Destroy();
        _export = null;
        _exporterNode?.Dispose();
        _exporterNode = null;
        _exported?.Dispose();
        _exported = null;
        foreach (RsmPageMemory? local in _locals)
        {
            local?.Dispose();
        }

        _locals = [];
    }
}
