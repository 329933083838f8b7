using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using BenchmarkDotNet.Attributes;

namespace Rsm.Benchmarks.SharedMemory;

/// <summary>
/// A read loop (the sum of every 64-bit word) over 1 MiB of a SharedMemory import mapping, against the same loop over a
/// memfd this class creates and maps shared itself. Both are memfd pages seen through a MAP_SHARED mapping; the
/// difference left is whatever the import mapping adds.
/// </summary>
[MemoryDiagnoser]
[SimpleJob(launchCount: 1, warmupCount: 3, iterationCount: 10)]
public unsafe class SharedMemoryMappedReadBenchmarks
{
    private const int Size = 1048576;

    private SharedMemoryNode? _node;
    private RsmPageMemory? _exported;
    private IExportSegment? _export;
    private IImportSegment? _import;
    private IRsmMapping? _mapping;
    private int _rawFd = -1;
    private nint _raw;

    [GlobalSetup]
    public void Setup()
    {
        _node = new SharedMemoryNode(SharedMemoryNode.NewPrefix(), 0);
        IRsmController controller = _node.Controller;

        _exported = RsmPageMemory.Allocate(Size);
        Fill(_exported.GetSpan());
        _export = controller.CreateExportSegment(_exported.Address, _exported.Length);
        uint segmentId = _export.Publish(0, [new RsmAccessEntry(controller.LocalNodeId, 0x1B6)]);
        _import = controller.Connect(controller.LocalNodeId, segmentId, RsmPermissions.Read);
        _mapping = _import.Map(RsmPermissions.Read, 0, Size);

        _rawFd = (int)Native.Check(Native.MemfdCreate("rsm-bench-raw", 0), "memfd_create");
        _ = Native.Check(Native.Ftruncate(_rawFd, Size), "ftruncate");
        _raw = Native.Mmap(0, Size, Native.ProtRead | Native.ProtWrite, Native.MapShared, _rawFd, 0);
        if (_raw == -1)
        {
            _ = Native.Check(-1, "mmap of the raw memfd");
        }

        Fill(new Span<byte>((void*)_raw, Size));
        if (Sum(_mapping.GetSpan()) != Sum(new ReadOnlySpan<byte>((void*)_raw, Size)))
        {
            throw new InvalidOperationException("the import mapping and the raw mapping do not hold the same bytes");
        }
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        if (_raw != 0)
        {
            _ = Native.Munmap(_raw, Size);
            _raw = 0;
        }

        if (_rawFd >= 0)
        {
            _ = Native.Close(_rawFd);
            _rawFd = -1;
        }

        if (_mapping is not null)
        {
            _import!.Unmap();
            _mapping = null;
        }

        _import?.Disconnect();
        _export?.Destroy();
        _node?.Dispose();
        _exported?.Dispose();
    }

    [Benchmark(Baseline = true)]
    public ulong RawSharedMapping() => Sum(new ReadOnlySpan<byte>((void*)_raw, Size));

    [Benchmark]
    public ulong ImportMapping() => Sum(_mapping!.GetSpan());

    /// <summary>One loop for both cases, kept out of line so that both run the same code.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static ulong Sum(ReadOnlySpan<byte> bytes)
    {
        ReadOnlySpan<ulong> words = MemoryMarshal.Cast<byte, ulong>(bytes);
        ulong sum = 0;
        for (int i = 0; i < words.Length; i++)
        {
            sum += words[i];
        }

        return sum;
    }

    private static void Fill(Span<byte> bytes)
    {
        for (int i = 0; i < bytes.Length; i++)
        {
            bytes[i] = (byte)(i * 31);
        }
    }
}
