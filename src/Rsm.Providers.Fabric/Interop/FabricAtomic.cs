namespace Rsm.Providers.Fabric.Interop;

/// <summary>The fetching atomic operations the bindings run.</summary>
internal enum FabricAtomic
{
    /// <summary>fi_fetch_atomic with FI_SUM: adds the value, returns the previous one.</summary>
    FetchAdd,

    /// <summary>fi_compare_atomic with FI_CSWAP: stores the value when the word equals the comparand, returns the previous one.</summary>
    CompareSwap,

    /// <summary>fi_fetch_atomic with FI_ATOMIC_WRITE: stores the value, returns the previous one.</summary>
    Swap,
}
