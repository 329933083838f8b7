namespace Rsm;

/// <summary>Barrier types of <c>rsm_memseg_import_init_barrier</c>. The value is not validated; any value works.</summary>
public enum RsmBarrierType : uint
{
    /// <summary><c>RSM_BARRIER_SEGMENT</c> (0x01).</summary>
    Segment = 0x01,

    /// <summary><c>RSM_BARRIER_NODE</c> (0x02).</summary>
    Node = 0x02,

    /// <summary><c>RSM_BARRIER_SEGMENT_THREAD</c> (0x11).</summary>
    SegmentThread = 0x11,

    /// <summary><c>RSM_BARRIER_NODE_THREAD</c> (0x12).</summary>
    NodeThread = 0x12,
}
