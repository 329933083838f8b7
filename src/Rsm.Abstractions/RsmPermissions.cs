namespace Rsm;

/// <summary>
/// Access permissions with their octal C values (<c>RSM_PERM_READ</c> 0400, <c>RSM_PERM_WRITE</c> 0200).
/// Other values can be expressed by a cast; the engine rejects them where RSMAPI does.
/// </summary>
[Flags]
public enum RsmPermissions : uint
{
    /// <summary><c>RSM_PERM_NONE</c> (0).</summary>
    None = 0,

    /// <summary><c>RSM_PERM_WRITE</c> (0200).</summary>
    Write = 0x80,

    /// <summary><c>RSM_PERM_READ</c> (0400).</summary>
    Read = 0x100,

    /// <summary><c>RSM_PERM_RDWR</c> (0600).</summary>
    ReadWrite = Read | Write,
}
