using Microsoft.Win32.SafeHandles;

namespace Rsm.Interop;

/// <summary>An owned Linux file descriptor (memfd, eventfd); closing it is the only way it is released.</summary>
internal sealed class SafeDescriptorHandle : SafeHandleMinusOneIsInvalid
{
    public SafeDescriptorHandle()
        : base(ownsHandle: true)
    {
    }

    /// <summary>The descriptor number, for <c>poll</c> and for callers that integrate it in their own loops.</summary>
    public int Number => (int)DangerousGetHandle();

    protected override bool ReleaseHandle() => Libc.close((int)handle) == 0;
}
