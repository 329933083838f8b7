using System.Runtime.InteropServices;
using Rsm.Interop;

namespace Rsm.Engine;

/// <summary>
/// A mapped window of a segment whose pages the importer cannot map (another host, or a transport that only copies):
/// local pages holding a copy of the exporter's bytes, read and written through the link's <see cref="ExportLink.Read"/>
/// and <see cref="ExportLink.Write"/>. Open barriers refresh it; order and close barriers and unmap ship back the pages
/// that changed since the last refresh or shipment (found by comparing with a shadow copy), so mapped access works with
/// barrier-delimited consistency. A <see cref="RemoteExportLink"/> that is not direct returns one from
/// <see cref="ExportLink.MapView"/>; its default barriers refresh and ship it.
/// </summary>
public sealed unsafe class MirrorView : ISegmentView
{
    private readonly ExportLink _link;
    private readonly long _offset;
    private readonly nuint _mapped;
    private readonly int _protection;
    private readonly byte* _shadow;
    private readonly object _gate = new();
    private volatile bool _aborted;
    private bool _disposed;

    private MirrorView(ExportLink link, long offset, nint address, nuint length, nuint mapped, int protection, byte* shadow)
    {
        _link = link;
        _offset = offset;
        Address = address;
        Length = length;
        _mapped = mapped;
        _protection = protection;
        _shadow = shadow;
    }

    /// <inheritdoc/>
    public nint Address { get; }

    /// <inheritdoc/>
    public nuint Length { get; }

    /// <summary>Maps a mirror of a window of the segment <paramref name="link"/> reaches; the engine fills it with an open barrier.</summary>
    /// <param name="link">The link whose <see cref="ExportLink.Read"/> and <see cref="ExportLink.Write"/> move the bytes.</param>
    /// <param name="offset">The window's segment offset.</param>
    /// <param name="length">The window length.</param>
    /// <param name="protection">Read, write or both; a write-only mirror starts as zeros.</param>
    /// <param name="address">Placement address or hint (0 for none).</param>
    /// <param name="fixedAddress">Whether <paramref name="address"/> is mandatory.</param>
    /// <returns>The view.</returns>
    /// <exception cref="RsmException">MapFailed (24); InsufficientResources (31).</exception>
    public static MirrorView Create(ExportLink link, long offset, nuint length, RsmPermissions protection, nint address, bool fixedAddress)
    {
        ArgumentNullException.ThrowIfNull(link);
        nuint mapped = PageMemory.RoundUp(length);
        int prot = ((protection & RsmPermissions.Read) != 0 ? Libc.PROT_READ : 0) | ((protection & RsmPermissions.Write) != 0 ? Libc.PROT_WRITE : 0);
        int flags = Libc.MAP_PRIVATE | Libc.MAP_ANONYMOUS | (fixedAddress ? Libc.MAP_FIXED : 0);
        nint result = Libc.mmap(address, mapped, Libc.PROT_READ | Libc.PROT_WRITE, flags, -1, 0);
        if (result == Libc.MAP_FAILED)
        {
            int errno = Marshal.GetLastPInvokeError();
            throw RsmThrow.Create(errno == Libc.EAGAIN ? RsmError.InsufficientResources : RsmError.MapFailed, $"mapping a {length}-byte mirror failed with errno {errno}");
        }

        // Only a writable mirror can have stores to ship back, so only it keeps a shadow copy.
        byte* shadow = (protection & RsmPermissions.Write) != 0 ? (byte*)NativeMemory.AllocZeroed(length) : null;
        // The engine fills it (an open barrier) once it has released its lock.
        return new MirrorView(link, offset, result, length, mapped, prot, shadow);
    }

    /// <summary>Fetches the exporter's current bytes (open barrier).</summary>
    public void Refresh()
    {
        lock (_gate)
        {
            if (!_aborted && !_disposed)
            {
                // The importer's own stores are shipped before the copy is overwritten, so none is lost.
                ShipDirty();
                Fill();
            }
        }
    }

    /// <summary>Ships the pages that changed since the last refresh or shipment, as puts acknowledged at the next close barrier.</summary>
    public void ShipDirty()
    {
        lock (_gate)
        {
            if (_aborted || _disposed || _shadow is null)
            {
                return;
            }

            byte* mirror = (byte*)Address;
            nuint page = PageMemory.PageSize;
            for (nuint start = 0; start < Length; start += page)
            {
                int n = (int)Math.Min(page, Length - start);
                var current = new ReadOnlySpan<byte>(mirror + start, n);
                var shipped = new Span<byte>(_shadow + start, n);
                if (!current.SequenceEqual(shipped))
                {
                    _link.Write(_offset + (long)start, current, 1, acknowledged: false);
                    current.CopyTo(shipped);
                }
            }
        }
    }

    /// <inheritdoc/>
    public void Abort()
    {
        // The mirror is local memory: it stays readable; its stores are simply never shipped (DECISIONS F7). No lock:
        // the abort arrives on the connection's reader, which must not wait for a refresh or shipment that itself waits
        // for replies only that reader can deliver.
        _aborted = true;
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            try
            {
                // The lock is re-entrant: shipping happens before the pages go away.
                ShipDirty();
            }
            catch (RsmException)
            {
                // Unmap cannot report; a lost write surfaces at the importer's next close barrier, if any.
            }

            _disposed = true;
            _ = Libc.munmap(Address, _mapped);
            if (_shadow is not null)
            {
                NativeMemory.Free(_shadow);
            }
        }
    }

    private void Fill()
    {
        if ((_protection & Libc.PROT_READ) == 0)
        {
            // A write-only importer may not read the exporter's bytes: its copy starts as zeros and only its stores ship.
            return;
        }

        _ = Libc.mprotect(Address, _mapped, Libc.PROT_READ | Libc.PROT_WRITE);
        var mirror = new Span<byte>((void*)Address, checked((int)Length));
        _link.Read(_offset, mirror, 1);
        if (_shadow is not null)
        {
            mirror.CopyTo(new Span<byte>(_shadow, (int)Length));
        }

        _ = Libc.mprotect(Address, _mapped, _protection == 0 ? Libc.PROT_NONE : _protection);
    }
}
