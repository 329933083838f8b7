namespace Rsm;

/// <summary>Barrier mode of an import segment (<c>rsm_barrier_mode_t</c>).</summary>
public enum RsmBarrierMode
{
    /// <summary><c>RSM_BARRIER_MODE_EXPLICIT</c> (0): get/put need no barrier and do not detect aborts.</summary>
    Explicit = 0,

    /// <summary><c>RSM_BARRIER_MODE_IMPLICIT</c> (1), the default after connect: every get/put is bracketed by the registered barrier.</summary>
    Implicit = 1,
}
