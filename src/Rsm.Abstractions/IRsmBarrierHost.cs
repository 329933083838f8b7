namespace Rsm;

/// <summary>
/// The import segment a barrier was initialised on, as <see cref="RsmBarrier"/> calls it. An engine-based provider never
/// implements this (the engine does); a provider that implements the contracts itself does, and binds each barrier in its
/// <see cref="IImportSegment.InitBarrier(RsmBarrierType, RsmBarrier?)"/> with <see cref="RsmBarrier.Bind"/>.
/// </summary>
public interface IRsmBarrierHost
{
    /// <summary>Opens the barrier's span (<c>rsm_memseg_import_open_barrier</c>).</summary>
    /// <param name="barrier">A barrier bound to this host.</param>
    void BarrierOpen(RsmBarrier barrier);

    /// <summary>Orders the accesses of the span issued so far (<c>rsm_memseg_import_order_barrier</c>).</summary>
    /// <param name="barrier">A barrier bound to this host.</param>
    void BarrierOrder(RsmBarrier barrier);

    /// <summary>Closes the span and reports its failures (<c>rsm_memseg_import_close_barrier</c>).</summary>
    /// <param name="barrier">A barrier bound to this host.</param>
    void BarrierClose(RsmBarrier barrier);

    /// <summary>Destroys the barrier (<c>rsm_memseg_import_destroy_barrier</c>).</summary>
    /// <param name="barrier">A barrier bound to this host.</param>
    void BarrierDestroy(RsmBarrier barrier);
}
