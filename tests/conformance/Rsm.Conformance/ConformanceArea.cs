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

    /// <summary>Connect, permissions, disconnect (items 75-91).</summary>
    Import,

    /// <summary>get and put (items 92-108).</summary>
    DataAccess,

    /// <summary>getv, putv, local memory handles (items 109-117, 154-157).</summary>
    ScatterGather,

    /// <summary>map and unmap (items 118-130).</summary>
    Map,

    /// <summary>Barriers and modes (items 131-141).</summary>
    Barrier,

    /// <summary>Events and poll handles (items 142-153).</summary>
    Events,

    /// <summary>Lock operations (DECISIONS L1-L3, items 200 and up).</summary>
    LockOperations,

    /// <summary>Lifetime across processes and uids (items 30, 31, 36, 57, 62, 70, 81-84 with a peer).</summary>
    Lifetime,

    /// <summary>Several importers at once: disjoint and overlapping transfers, contended atomics, signal storms, churn (items 227 and up).</summary>
    Concurrency,
}
