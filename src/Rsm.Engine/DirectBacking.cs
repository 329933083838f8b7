namespace Rsm.Engine;

/// <summary>
/// Memory used in place: the binding of transports whose importers never map the exporter's pages (Tcp serves them from
/// the current address), and the fallback for platforms without memfd, where views point straight into the exporter's
/// current memory, so a rebind is seen by get and put and by views created afterwards, and an aborted view keeps its old target.
/// </summary>
/// <param name="address">The page-aligned start of the exported range.</param>
/// <param name="length">Its length.</param>
public sealed class DirectBacking(nint address, nuint length) : ISegmentBacking
{
    private nint _address = address;

    /// <inheritdoc/>
    public nint Address => _address;

    /// <inheritdoc/>
    public nuint Length { get; } = length;

    /// <inheritdoc/>
    public void Rebind(nint newAddress)
    {
        PageMemory.EnsureMapped(newAddress, Length);
        _address = newAddress;
    }

    /// <inheritdoc/>
    public ISegmentView MapView(long offset, nuint length, RsmPermissions protection, nint address, bool fixedAddress) =>
        new View(_address + (nint)offset, length);

    /// <inheritdoc/>
    public void Dispose()
    {
    }

    private sealed class View(nint address, nuint length) : ISegmentView
    {
        public nint Address { get; } = address;

        public nuint Length { get; } = length;

        public void Abort()
        {
        }

        public void Dispose()
        {
        }
    }
}
