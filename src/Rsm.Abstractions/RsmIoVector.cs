namespace Rsm;

/// <summary>One scatter/gather element (<c>rsm_iovec_t</c>).</summary>
public readonly record struct RsmIoVector
{
    /// <summary>Whether <see cref="Handle"/> or <see cref="LocalAddress"/> names the local memory.</summary>
    public RsmIoVectorType Type { get; init; }

    /// <summary>The local memory handle (for <see cref="RsmIoVectorType.Handle"/>).</summary>
    public RsmLocalMemoryHandle? Handle { get; init; }

    /// <summary>The local address (for <see cref="RsmIoVectorType.Address"/>).</summary>
    public nint LocalAddress { get; init; }

    /// <summary>Offset added to the local memory.</summary>
    public nuint LocalOffset { get; init; }

    /// <summary>Offset in the remote segment.</summary>
    public nuint RemoteOffset { get; init; }

    /// <summary>Bytes to transfer.</summary>
    public nuint Length { get; init; }

    /// <summary>An element that uses a local address.</summary>
    /// <param name="localAddress">Local memory.</param>
    /// <param name="remoteOffset">Segment offset.</param>
    /// <param name="length">Byte count.</param>
    /// <returns>The element.</returns>
    public static RsmIoVector FromAddress(nint localAddress, nuint remoteOffset, nuint length) =>
        new() { Type = RsmIoVectorType.Address, LocalAddress = localAddress, RemoteOffset = remoteOffset, Length = length };

    /// <summary>An element that uses a local memory handle.</summary>
    /// <param name="handle">The handle.</param>
    /// <param name="localOffset">Offset in the handle's memory.</param>
    /// <param name="remoteOffset">Segment offset.</param>
    /// <param name="length">Byte count.</param>
    /// <returns>The element.</returns>
    public static RsmIoVector FromHandle(RsmLocalMemoryHandle handle, nuint localOffset, nuint remoteOffset, nuint length) =>
        new() { Type = RsmIoVectorType.Handle, Handle = handle, LocalOffset = localOffset, RemoteOffset = remoteOffset, Length = length };
}
