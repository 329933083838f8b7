namespace Rsm;

/// <summary>Flags of <c>rsm_memseg_export_create</c>; values are those of the C headers. Unknown bits are ignored.</summary>
[Flags]
public enum ExportFlags : uint
{
    /// <summary>No flag.</summary>
    None = 0,

    /// <summary><c>RSM_ALLOW_REBIND</c> (0x01): the segment may be rebound to other memory.</summary>
    AllowRebind = 0x01,

    /// <summary><c>RSM_CREATE_SEG_DONTWAIT</c> (0x02): publishing fails with InsufficientResources (31) instead of waiting for resources.</summary>
    CreateSegmentDontWait = 0x02,

    /// <summary><c>RSM_LOCK_OPS</c> (0x04): importers may run atomic lock operations on the segment.</summary>
    LockOperations = 0x04,
}
