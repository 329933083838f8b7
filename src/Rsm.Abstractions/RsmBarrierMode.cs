namespace Rsm;

/// <summary>Barrier mode of an import segment (<c>rsm_barrier_mode_t</c>).</summary>
public enum RsmBarrierMode
{
    /// <summary>
    /// <c>RSM_BARRIER_MODE_EXPLICIT</c> (0): get/put need no barrier and do not detect aborts. A put is guaranteed to have
    /// reached the exporter only when the close barrier that follows it succeeds: providers that cross a network may hold
    /// puts back to send them together (Tcp sends them at the latest at that barrier, at any order barrier, with the next
    /// other request to that node, or at its next keep-alive tick).
    /// </summary>
    Explicit = 0,

    /// <summary><c>RSM_BARRIER_MODE_IMPLICIT</c> (1), the default after connect: every get/put is bracketed by the registered barrier.</summary>
    Implicit = 1,
}
