using Microsoft.Win32.SafeHandles;

namespace Rsm.Interop;

/// <summary>An owned Linux file descriptor (memfd, eventfd); closing it is the only way it is released.</summary>
public sealed class SafeDescriptorHandle : SafeHandleMinusOneIsInvalid
{
    /// <summary>Creates an invalid handle, for marshalling.</summary>
    public SafeDescriptorHandle()
        : base(ownsHandle: true)
    {
    }

    /// <summary>
    /// Owns the descriptor a call returned. Calls that return a C <c>int</c> are declared to return <see cref="int"/>
    /// and wrapped here: a returned handle would read undefined upper bits of the register, so -1 would not be invalid.
    /// </summary>
    /// <param name="descriptor">The call's result; negative means failure.</param>
    /// <returns>The owning handle, invalid on failure.</returns>
    public static SafeDescriptorHandle FromResult(int descriptor)
    {
        var handle = new SafeDescriptorHandle();
        if (descriptor >= 0)
        {
            handle.SetHandle(descriptor);
        }

        return handle;
    }

    /// <summary>The descriptor number, for <c>poll</c> and for callers that integrate it in their own loops.</summary>
    public int Number => (int)DangerousGetHandle();

    /// <inheritdoc/>
    protected override bool ReleaseHandle() => Libc.close((int)handle) == 0;
}
