using System.Runtime.InteropServices;
using Rsm.Interop;

namespace Rsm.Engine;

/// <summary>Page-level memory helpers for transports and bindings (Linux; elsewhere they do no checking).</summary>
public static class PageMemory
{
    /// <summary>The system page size.</summary>
    public static readonly nuint PageSize = (nuint)Environment.SystemPageSize;

    /// <summary>Rounds <paramref name="length"/> up to whole pages.</summary>
    /// <param name="length">A length in bytes.</param>
    /// <returns>The smallest page multiple that is not less than it.</returns>
    public static nuint RoundUp(nuint length) => (length + PageSize - 1) & ~(PageSize - 1);

    /// <summary>The default memory limit of a provider: the memory available to the process, rounded down to pages.</summary>
    /// <returns>The limit in bytes, at least one page.</returns>
    public static ulong DefaultMemoryLimit()
    {
        ulong available = (ulong)GC.GetGCMemoryInfo().TotalAvailableMemoryBytes;
        return Math.Max((ulong)PageSize, available / PageSize * PageSize);
    }

    /// <summary>Whether <paramref name="address"/> is page aligned.</summary>
    /// <param name="address">An address.</param>
    /// <returns><see langword="true"/> when it is a multiple of the page size.</returns>
    public static bool IsAligned(nint address) => ((nuint)address & (PageSize - 1)) == 0;

    /// <summary>Fails with BadAddress (16) unless every page of the range is mapped, as the page lock of RSMAPI 3.2 does.</summary>
    /// <param name="address">The page-aligned start.</param>
    /// <param name="length">The length.</param>
    /// <exception cref="RsmException">BadAddress (16).</exception>
    public static unsafe void EnsureMapped(nint address, nuint length)
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        const int Chunk = 4096;
        byte* vector = stackalloc byte[Chunk];
        for (nuint done = 0; done < length;)
        {
            nuint part = Math.Min(length - done, (nuint)Chunk * PageSize);
            if (Libc.mincore(address + (nint)done, part, vector) != 0)
            {
                int errno = Marshal.GetLastPInvokeError();
                RsmThrow.Error(RsmError.BadAddress, $"the range 0x{address:x}+{length} is not mapped memory (errno {errno})");
            }

            done += part;
        }
    }

    internal static void MapFixed(nint address, nuint length, int prot, int flags, SafeDescriptorHandle fd)
    {
        nint result = Libc.mmap(address, length, prot, flags | Libc.MAP_FIXED, fd, 0);
        if (result == Libc.MAP_FAILED)
        {
            int errno = Marshal.GetLastPInvokeError();
            RsmThrow.Error(RsmError.InsufficientMemory, $"mapping 0x{address:x}+{length} failed with errno {errno}");
        }
    }

    /// <summary>Copies a range into newly populated private pages elsewhere and returns their address.</summary>
    internal static unsafe nint CopyToFreshPages(nint source, nuint length)
    {
        nint fresh = Libc.mmap(0, length, Libc.PROT_READ | Libc.PROT_WRITE, Libc.MAP_PRIVATE | Libc.MAP_ANONYMOUS | Libc.MAP_POPULATE, -1, 0);
        if (fresh == Libc.MAP_FAILED)
        {
            RsmThrow.Error(RsmError.InsufficientMemory, $"allocating {length} bytes failed with errno {Marshal.GetLastPInvokeError()}");
        }

        Buffer.MemoryCopy((void*)source, (void*)fresh, length, length);
        return fresh;
    }

    /// <summary>Moves private pages over a destination range in one step (mremap), without a second copy.</summary>
    internal static void MoveOver(nint source, nint destination, nuint length)
    {
        nint result = Libc.mremap(source, length, length, Libc.MREMAP_MAYMOVE | Libc.MREMAP_FIXED, destination);
        if (result == Libc.MAP_FAILED)
        {
            int errno = Marshal.GetLastPInvokeError();
            _ = Libc.munmap(source, length);
            RsmThrow.Error(RsmError.InsufficientMemory, $"moving pages over 0x{destination:x}+{length} failed with errno {errno}");
        }
    }
}
