namespace Rsm;

/// <summary>A local memory handle (<c>rsm_localmemory_handle_t</c>) for scatter/gather, created by
/// <see cref="IRsmController.CreateLocalMemoryHandle"/>.</summary>
public sealed class RsmLocalMemoryHandle
{
    /// <summary>Creates a handle; controllers create theirs in <see cref="IRsmController.CreateLocalMemoryHandle"/>.</summary>
    /// <param name="owner">The controller that creates it; only that controller frees it and accepts it in scatter/gather.</param>
    /// <param name="address">The start of the local memory.</param>
    /// <param name="length">The length given at creation.</param>
    public RsmLocalMemoryHandle(object owner, nint address, nuint length)
    {
        ArgumentNullException.ThrowIfNull(owner);
        Owner = owner;
        Address = address;
        Length = length;
    }

    /// <summary>The start of the local memory (on Loopback, the handle is this address, as in C).</summary>
    public nint Address { get; }

    /// <summary>The length given at creation.</summary>
    public nuint Length { get; }

    /// <summary>Whether the handle was freed.</summary>
    public bool IsFreed { get; private set; }

    /// <summary>The controller that created the handle.</summary>
    public object Owner { get; }

    /// <summary>Marks the handle freed; its controller calls this from <see cref="IRsmController.FreeLocalMemoryHandle"/> once it accepted the handle.</summary>
    public void MarkFreed() => IsFreed = true;
}
