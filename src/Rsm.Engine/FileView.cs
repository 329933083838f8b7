using System.Runtime.InteropServices;
using Rsm.Interop;

namespace Rsm.Engine;

/// <summary>A shared mapping of a window of a segment's memfd.</summary>
public sealed class FileView : ISegmentView
{
    private readonly int _protection;
    private readonly nuint _mappedLength;
    private readonly nint _base;
    private readonly object _gate = new();
    private int _state;

    private FileView(nint baseAddress, nuint mappedLength, nuint length, int protection)
    {
        _base = baseAddress;
        _mappedLength = mappedLength;
        Length = length;
        _protection = protection;
    }

    /// <inheritdoc/>
    public nint Address => _base;

    /// <inheritdoc/>
    public nuint Length { get; }

    /// <summary>Maps a window of a segment's memfd shared, for an importer that received the descriptor.</summary>
    /// <param name="fd">The memfd.</param>
    /// <param name="offset">The page-aligned offset of the window.</param>
    /// <param name="length">The window length.</param>
    /// <param name="protection">Read, write or both.</param>
    /// <param name="address">Placement address or hint (0 for none).</param>
    /// <param name="fixedAddress">Whether <paramref name="address"/> is mandatory.</param>
    /// <returns>The view.</returns>
    /// <exception cref="RsmException">MapFailed (24); InsufficientResources (31).</exception>
    public static FileView Map(SafeDescriptorHandle fd, long offset, nuint length, RsmPermissions protection, nint address, bool fixedAddress)
    {
        nuint mapped = PageMemory.RoundUp(length);
        int prot = ((protection & RsmPermissions.Read) != 0 ? Libc.PROT_READ : 0) | ((protection & RsmPermissions.Write) != 0 ? Libc.PROT_WRITE : 0);
        int flags = Libc.MAP_SHARED | (fixedAddress ? Libc.MAP_FIXED : 0);
        nint result = Libc.mmap(address, mapped, prot, flags, fd, offset);
        if (result == Libc.MAP_FAILED)
        {
            int errno = Marshal.GetLastPInvokeError();
            RsmThrow.Error(errno == Libc.EAGAIN ? RsmError.InsufficientResources : RsmError.MapFailed, $"mapping {length} bytes at offset {offset} failed with errno {errno}");
        }

        return new FileView(result, mapped, length, prot);
    }

    /// <inheritdoc/>
    public void Abort()
    {
        // An abort may come from another thread than the unmap; the lock keeps it off a range already given back.
        lock (_gate)
        {
            if (_state != 0)
            {
                return;
            }

            _state = 1;

            // Same address, private zero pages: loads never fault and stores stay invisible to everyone else.
            _ = Libc.mmap(_base, _mappedLength, _protection, Libc.MAP_PRIVATE | Libc.MAP_ANONYMOUS | Libc.MAP_FIXED, -1, 0);
        }
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        lock (_gate)
        {
            if (_state != 2)
            {
                _state = 2;
                _ = Libc.munmap(_base, _mappedLength);
            }
        }
    }
}
