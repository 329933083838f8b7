using System.Runtime.InteropServices;
using Rsm.Providers.Fabric.Interop;

namespace Rsm.Providers.Fabric.Tests;

/// <summary>What the fabric tests share: the skip without libfabric, page-aligned native memory, the byte patterns.</summary>
internal static class FabricTestSupport
{
    /// <summary>The bound of each operation of the tests.</summary>
    public static readonly TimeSpan OperationTimeout = TimeSpan.FromSeconds(10);

    /// <summary>Skips the calling test unless libfabric.so.1 and <paramref name="provider"/> are usable here.</summary>
    public static void RequireProvider(string provider)
    {
        RequireLibrary();
        try
        {
            using FabricDomain probe = FabricDomain.Open(provider);
        }
        catch (RsmException ex)
        {
            Assert.Inconclusive($"the libfabric provider '{provider}' is not usable here: {ex.Message}");
        }
    }

    /// <summary>Skips the calling test unless libfabric.so.1 loads.</summary>
    public static void RequireLibrary()
    {
        if (!FabricLibrary.IsAvailable)
        {
            Assert.Inconclusive("libfabric.so.1 is not installed: install the Debian/Ubuntu package libfabric1 (apt-get install libfabric1)");
        }
    }

    /// <summary>The byte at <paramref name="index"/> of pattern <paramref name="seed"/>.</summary>
    public static byte Pattern(long index, int seed) => (byte)((index * 7 + 3 + seed * 13) % 251);

    /// <summary>The pattern the peer program fills its memory with.</summary>
    public static byte PeerPattern(long index) => (byte)((index * 7 + 3) % 251);
}

/// <summary>Page-aligned native memory, zeroed.</summary>
internal sealed unsafe class NativeBuffer : IDisposable
{
    public NativeBuffer(nuint length)
    {
        Length = length;
        Pointer = (byte*)NativeMemory.AlignedAlloc(length, 4096);
        NativeMemory.Clear(Pointer, length);
    }

    public byte* Pointer { get; private set; }

    public nint Address => (nint)Pointer;

    public nuint Length { get; }

    public Span<byte> Span => new(Pointer, checked((int)Length));

    public void Dispose()
    {
        if (Pointer is not null)
        {
            NativeMemory.AlignedFree(Pointer);
            Pointer = null;
        }
    }
}
