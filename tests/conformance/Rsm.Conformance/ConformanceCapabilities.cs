namespace Rsm.Conformance;

/// <summary>Optional abilities a provider declares to the suite; a test that needs a missing one is skipped with the reason.</summary>
[Flags]
public enum ConformanceCapabilities
{
    /// <summary>Nothing optional.</summary>
    None = 0,

    /// <summary>Two controllers on different node ids can reach each other.</summary>
    SecondNode = 0x01,

    /// <summary>A peer process can be started (exporter death, non-creator handles).</summary>
    SecondProcess = 0x02,

    /// <summary>A peer can run under another uid.</summary>
    SecondUid = 0x04,

    /// <summary>Import segments can be mapped.</summary>
    Mapping = 0x08,

    /// <summary>Lock operations run atomically (DECISIONS L1-L3).</summary>
    LockOperations = 0x10,

    /// <summary>Segment handles can be used from a process other than the creator (NOT_CREATOR, DECISIONS F13).</summary>
    CrossProcessHandles = 0x20,

    /// <summary>
    /// A mapping is the exporter's own pages: stores are visible both ways at once. Without it a mapping is a copy whose
    /// consistency is delimited by barriers (open refreshes it, close ships the importer's stores back), and the checks
    /// bracket their mapped accesses with a barrier.
    /// </summary>
    CoherentMapping = 0x40,
}
