namespace Rsm;

/// <summary>Flags of a scatter/gather request (<c>rsm_scat_gath_t.flags</c>).</summary>
[Flags]
public enum RsmScatterGatherFlags : uint
{
    /// <summary>No flag.</summary>
    None = 0,

    /// <summary><c>RSM_IMPLICIT_SIGPOST</c> (0x01): after a successful transfer, post one event to the exporter.</summary>
    ImplicitSignalPost = 0x01,

    /// <summary><c>RSM_SIGPOST_NO_ACCUMULATE</c> (0x02): accepted and ignored.</summary>
    NoAccumulate = 0x02,
}
