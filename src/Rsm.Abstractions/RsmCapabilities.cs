namespace Rsm;

/// <summary>What a controller's transport can do beyond the mandatory RSMAPI surface.</summary>
[Flags]
public enum RsmCapabilities
{
    /// <summary>Nothing optional.</summary>
    None = 0,

    /// <summary>Import segments can be mapped into the caller's address space.</summary>
    Mapping = 0x01,

    /// <summary>Lock operations (DECISIONS L1-L3) run atomically.</summary>
    LockOperations = 0x02,

    /// <summary>Importers and exporters may live on different nodes.</summary>
    MultipleNodes = 0x04,

    /// <summary>Importers and exporters may live in different processes.</summary>
    CrossProcess = 0x08,

    /// <summary>Rebind redirects existing importer mappings to the new memory (DECISIONS D4).</summary>
    TransparentRebind = 0x10,
}
