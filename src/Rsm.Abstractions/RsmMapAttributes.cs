namespace Rsm;

/// <summary>Placement attribute of <c>rsm_memseg_import_map</c>.</summary>
public enum RsmMapAttributes : uint
{
    /// <summary><c>RSM_MAP_NONE</c> (0): the system picks the address; a given address is a hint.</summary>
    None = 0,

    /// <summary><c>RSM_MAP_FIXED</c> (1): map exactly at the given page-aligned address.</summary>
    Fixed = 1,

    /// <summary><c>RSM_MAP_RESERVED</c> (2): defined by the C headers, accepted and without effect.</summary>
    Reserved = 2,
}
