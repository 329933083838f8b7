using System.Runtime.InteropServices;

namespace Rsm.Providers.Fabric.Interop;

/// <summary>
/// Puts private zero pages in place of a range of the process's mappings (mmap with MAP_FIXED), so that whatever still
/// writes there lands in memory nobody reads, and whatever still reads there reads zeros, instead of faulting or reaching
/// the pages that were mapped before.
/// </summary>
internal static partial class ScratchPages
{
    private const int ProtRead = 0x1;
    private const int ProtWrite = 0x2;
    private const int MapPrivate = 0x02;
    private const int MapFixed = 0x10;
    private const int MapAnonymous = 0x20;

    /// <summary>Replaces the pages of <paramref name="address"/>..+<paramref name="length"/> (page aligned); false when the kernel refused.</summary>
    public static bool Replace(nint address, nuint length)
    {
        if (address == 0 || length == 0 || !OperatingSystem.IsLinux())
        {
            return false;
        }

        nint mapped = Mmap(address, length, ProtRead | ProtWrite, MapPrivate | MapFixed | MapAnonymous, -1, 0);
        return mapped == address;
    }

    [LibraryImport("libc", EntryPoint = "mmap", SetLastError = true)]
    private static partial nint Mmap(nint address, nuint length, int protection, int flags, int fd, nint offset);
}
