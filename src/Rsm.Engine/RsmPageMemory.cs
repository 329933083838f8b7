using System.Runtime.InteropServices;
using Rsm.Engine;
using Rsm.Interop;

namespace Rsm;

/// <summary>
/// Page-aligned native memory for exporting: anonymous <c>mmap</c> on Unix, <see cref="NativeMemory.AlignedAlloc"/> elsewhere.
/// Destroy every segment created on it before disposing it.
/// </summary>
public sealed unsafe class RsmPageMemory : IDisposable
{
    private nint _address;

    private RsmPageMemory(nint address, nuint length)
    {
        _address = address;
        Length = length;
    }

    /// <summary>The page-aligned start.</summary>
    public nint Address => _address;

    /// <summary>The length in bytes (a page multiple).</summary>
    public nuint Length { get; }

    /// <summary>The system page size, the alignment unit of every built-in provider.</summary>
    public static nuint PageSize => PageMemory.PageSize;

    /// <summary>The memory as a span.</summary>
    /// <returns>A span over all of it.</returns>
    public Span<byte> GetSpan()
    {
        ObjectDisposedException.ThrowIf(_address == 0, this);
        return new Span<byte>((void*)_address, checked((int)Length));
    }

    /// <summary>Allocates zeroed memory of <paramref name="length"/> bytes rounded up to whole pages.</summary>
    /// <param name="length">At least one byte.</param>
    /// <returns>The memory.</returns>
    public static RsmPageMemory Allocate(nuint length)
    {
        ArgumentOutOfRangeException.ThrowIfZero(length);
        nuint rounded = PageMemory.RoundUp(length);
        if (OperatingSystem.IsLinux())
        {
            nint p = Libc.mmap(0, rounded, Libc.PROT_READ | Libc.PROT_WRITE, Libc.MAP_PRIVATE | Libc.MAP_ANONYMOUS, -1, 0);
            if (p == Libc.MAP_FAILED)
            {
                throw new InsufficientMemoryException($"mmap of {rounded} bytes failed with errno {Marshal.GetLastPInvokeError()}");
            }

            return new RsmPageMemory(p, rounded);
        }

        void* q = NativeMemory.AlignedAlloc(rounded, PageSize);
        NativeMemory.Clear(q, rounded);
        return new RsmPageMemory((nint)q, rounded);
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        nint p = Interlocked.Exchange(ref _address, 0);
        if (p == 0)
        {
            return;
        }

        if (OperatingSystem.IsLinux())
        {
            _ = Libc.munmap(p, Length);
        }
        else
        {
            NativeMemory.AlignedFree((void*)p);
        }
    }
}
