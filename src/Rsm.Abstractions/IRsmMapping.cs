namespace Rsm;

/// <summary>An explicit mapping of an import segment, created by <see cref="IImportSegment.Map"/>.
/// It stays valid across a rebind of the exporter (DECISIONS D4); after a forced disconnect it stays readable
/// and stores go nowhere visible (DECISIONS F7). Remove it with <see cref="IImportSegment.Unmap"/>.</summary>
public interface IRsmMapping
{
    /// <summary>The address of the first mapped byte (the segment's byte at <see cref="Offset"/>).</summary>
    nint Address { get; }

    /// <summary>The segment offset of the window.</summary>
    long Offset { get; }

    /// <summary>The window length in bytes.</summary>
    nuint Length { get; }

    /// <summary>The protection the mapping was made with.</summary>
    RsmPermissions Permission { get; }

    /// <summary>The window as a span (valid until <see cref="IImportSegment.Unmap"/>).</summary>
    /// <returns>A span over the mapped bytes.</returns>
    Span<byte> GetSpan();
}
