namespace Rsm.Engine;

/// <summary>
/// Transport SPI: the memory behind an export segment after it was bound. Importers reach it through views.
/// </summary>
public interface ISegmentBacking : IDisposable
{
    /// <summary>The exporter's current memory.</summary>
    nint Address { get; }

    /// <summary>The segment length.</summary>
    nuint Length { get; }

    /// <summary>Moves the backing under <paramref name="newAddress"/>; existing views see the new memory.</summary>
    /// <param name="newAddress">Page-aligned, mapped memory of <see cref="Length"/> bytes.</param>
    /// <exception cref="RsmException">BadAddress (16) when the range is not mapped; InsufficientMemory (32).</exception>
    void Rebind(nint newAddress);

    /// <summary>Creates an importer view of a window of the segment.</summary>
    /// <param name="offset">Page-aligned segment offset.</param>
    /// <param name="length">Window length.</param>
    /// <param name="protection">Protection of the view.</param>
    /// <param name="address">Placement address or hint.</param>
    /// <param name="fixedAddress">Whether <paramref name="address"/> is mandatory.</param>
    /// <returns>The view.</returns>
    /// <exception cref="RsmException">MapFailed (33); InsufficientResources (31).</exception>
    ISegmentView MapView(long offset, nuint length, RsmPermissions protection, nint address, bool fixedAddress);
}

/// <summary>Transport SPI: an importer's view of a segment window.</summary>
public interface ISegmentView : IDisposable
{
    /// <summary>The address of the window's first byte.</summary>
    nint Address { get; }

    /// <summary>The window length.</summary>
    nuint Length { get; }

    /// <summary>Redirects the view to private scratch memory after a forced disconnect (DECISIONS F7): it stays readable and stores vanish.</summary>
    void Abort();
}
