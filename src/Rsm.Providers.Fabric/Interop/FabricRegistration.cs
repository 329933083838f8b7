namespace Rsm.Providers.Fabric.Interop;

/// <summary>
/// A memory registration of a <see cref="FabricDomain"/> that remote endpoints access with <see cref="Key"/> at
/// <see cref="RemoteBase"/> + offset. Disposing closes it: the key stops working at the fabric, and a later remote access
/// completes with an error at its initiator.
/// </summary>
internal sealed unsafe class FabricRegistration : IDisposable
{
    private readonly FabricDomain _domain;

    internal FabricRegistration(FabricDomain domain, FidMr* mr, nint address, nuint length, ulong remoteBase, bool remote)
    {
        _domain = domain;
        Mr = mr;
        Address = address;
        Length = length;
        RemoteBase = remoteBase;
        Remote = remote;
        Key = FabricCalls.fi_mr_key(mr);
        Descriptor = (nint)FabricCalls.fi_mr_desc(mr);
    }

    /// <summary>The key remote endpoints use: the provider's under FI_MR_PROV_KEY, else the requested one.</summary>
    public ulong Key { get; }

    /// <summary>The remote address of offset 0: the virtual address under FI_MR_VIRT_ADDR, else 0.</summary>
    public ulong RemoteBase { get; }

    /// <summary>The local descriptor (fi_mr_desc), for local access under FI_MR_LOCAL.</summary>
    public nint Descriptor { get; }

    /// <summary>Whether remote endpoints may access it (it was registered with remote read or write).</summary>
    public bool Remote { get; }

    /// <summary>The first byte registered.</summary>
    public nint Address { get; }

    /// <summary>The number of bytes registered.</summary>
    public nuint Length { get; }

    /// <summary>Whether the registration is closed (by <see cref="Dispose"/> or with its domain).</summary>
    public bool IsClosed => Mr is null;

    internal FidMr* Mr { get; set; }

    /// <summary>Closes the registration; idempotent, and safe after the domain is disposed.</summary>
    public void Dispose() => _domain.Unregister(this);
}
