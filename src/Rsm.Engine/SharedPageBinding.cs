using System.Runtime.InteropServices;
using Rsm.Interop;

namespace Rsm.Engine;

/// <summary>
/// Linux binding of exported memory: the range's contents move into a memfd that is mapped shared and fixed over
/// the caller's own range, so the caller's memory is the shared pages and every view aliases them.
/// </summary>
public sealed class SharedPageBinding : ISegmentBacking
{
    private readonly object _gate = new();
    private readonly SafeDescriptorHandle _memfd;
    private nint _address;

    private SharedPageBinding(SafeDescriptorHandle memfd, nint address, nuint length)
    {
        _memfd = memfd;
        _address = address;
        Length = length;
    }

    /// <inheritdoc/>
    public nint Address => _address;

    /// <inheritdoc/>
    public nuint Length { get; }

    /// <summary>The memfd that holds the segment's pages, for a transport that hands it to importers (duplicate or send it; do not close it).</summary>
    public SafeDescriptorHandle Descriptor => _memfd;

    /// <summary>Moves the contents of a mapped range into a new memfd mapped shared over the range itself.</summary>
    /// <param name="address">Page-aligned start.</param>
    /// <param name="length">Page-multiple length.</param>
    /// <returns>The binding.</returns>
    /// <exception cref="RsmException">BadAddress (16) for an unmapped range; InsufficientMemory (32); InsufficientResources (31).</exception>
    public static SharedPageBinding Bind(nint address, nuint length)
    {
        PageMemory.EnsureMapped(address, length);
        SafeDescriptorHandle fd = Libc.memfd_create("rsm-segment", Libc.MFD_CLOEXEC);
        if (fd.IsInvalid)
        {
            int errno = Marshal.GetLastPInvokeError();
            fd.Dispose();
            RsmThrow.Error(errno == 24 || errno == 23 ? RsmError.InsufficientResources : RsmError.InsufficientMemory, $"memfd_create failed with errno {errno}");
        }

        try
        {
            if (Libc.ftruncate(fd, (long)length) != 0)
            {
                RsmThrow.Error(RsmError.InsufficientMemory, $"sizing the segment to {length} bytes failed with errno {Marshal.GetLastPInvokeError()}");
            }

            WriteAll(fd, address, length);
            PageMemory.MapFixed(address, length, Libc.PROT_READ | Libc.PROT_WRITE, Libc.MAP_SHARED, fd);
        }
        catch
        {
            fd.Dispose();
            throw;
        }

        return new SharedPageBinding(fd, address, length);
    }

    /// <inheritdoc/>
    public void Rebind(nint newAddress)
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_memfd.IsClosed, this);
            PageMemory.EnsureMapped(newAddress, Length);
            nint old = _address;

            // The old range must end up private with its own contents: copy them aside first.
            nint saved = PageMemory.CopyToFreshPages(old, Length);
            WriteAll(_memfd, newAddress, Length);
            PageMemory.MapFixed(newAddress, Length, Libc.PROT_READ | Libc.PROT_WRITE, Libc.MAP_SHARED, _memfd);
            PageMemory.MoveOver(saved, old, Length);
            _address = newAddress;
        }
    }

    /// <inheritdoc/>
    public ISegmentView MapView(long offset, nuint length, RsmPermissions protection, nint address, bool fixedAddress)
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_memfd.IsClosed, this);
            return FileView.Map(_memfd, offset, length, protection, address, fixedAddress);
        }
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        lock (_gate)
        {
            if (_memfd.IsClosed)
            {
                return;
            }

            // Return the caller's range to private memory with its contents: populate fresh pages and move them over.
            nint saved = PageMemory.CopyToFreshPages(_address, Length);
            PageMemory.MoveOver(saved, _address, Length);
            _memfd.Dispose();
        }
    }

    private static void WriteAll(SafeDescriptorHandle fd, nint address, nuint length)
    {
        nuint done = 0;
        while (done < length)
        {
            nint n = Libc.pwrite(fd, address + (nint)done, length - done, (long)done);
            if (n < 0)
            {
                int errno = Marshal.GetLastPInvokeError();
                if (errno == Libc.EINTR)
                {
                    continue;
                }

                RsmThrow.Error(errno == Libc.EFAULT ? RsmError.BadAddress : RsmError.InsufficientMemory, $"copying the segment contents failed with errno {errno}");
            }

            done += (nuint)n;
        }
    }
}
