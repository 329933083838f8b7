namespace Rsm.Conformance;

/// <summary>The areas of the suite; each has one abstract test class.</summary>
public enum ConformanceArea
{
    /// <summary>Controllers, attributes, topology, segment-id ranges (items 1-10, 158-162).</summary>
    Controller,

    /// <summary>Export create, destroy, rebind (items 11-42).</summary>
    Export,

    /// <summary>Publish, unpublish, republish (items 43-74).</summary>
    Publish,

    /// <summary>Connect, permissions, disconnect (items 75-91; 216-218, the asynchronous connect).</summary>
    Import,

    /// <summary>get and put (items 92-108; 219-220, access during unpublish and republish).</summary>
    DataAccess,

    /// <summary>getv, putv, local memory handles (items 109-117, 154-157).</summary>
    ScatterGather,

    /// <summary>map and unmap (items 118-130; 250-252, DECISIONS D10: no transfer or lock operation through a mapping without the access ever faults, 27 instead).</summary>
    Map,

    /// <summary>Barriers and modes (items 131-141).</summary>
    Barrier,

    /// <summary>Events and poll handles (items 142-153; 211-215, the asynchronous waits).</summary>
    Events,

    /// <summary>Lock operations (DECISIONS L1-L3, items 200-210).</summary>
    LockOperations,

    /// <summary>Lifetime across processes and uids, with peer processes (items 31, 59, 72, 74, 81-84; 221-226).</summary>
    Lifetime,

    /// <summary>Several importers at once: disjoint and overlapping transfers, contended atomics, signal storms, churn (items 227-236).</summary>
    Concurrency,
}
