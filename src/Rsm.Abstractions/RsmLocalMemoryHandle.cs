namespace Rsm;

/// <summary>A local memory handle (<c>rsm_localmemory_handle_t</c>) for scatter/gather, created by
/// <see cref="IRsmController.CreateLocalMemoryHandle"/>.</summary>
public sealed class RsmLocalMemoryHandle
{
    internal RsmLocalMemoryHandle(object owner, nint address, nuint length)
    {
        Owner = owner;
        Address = address;
        Length = length;
    }

    /// <summary>The start of the local memory (on Loopback, the handle is this address, as in C).</summary>
    public nint Address { get; }

    /// <summary>The length given at creation.</summary>
    public nuint Length { get; }

    /// <summary>Whether the handle was freed.</summary>
    public bool IsFreed { get; internal set; }

    internal object Owner { get; }
}
