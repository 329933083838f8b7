namespace Rsm.Engine;

/// <summary>The import segment side of a barrier.</summary>
internal interface IBarrierHost
{
    void BarrierOpen(RsmBarrier barrier);

    void BarrierOrder(RsmBarrier barrier);

    void BarrierClose(RsmBarrier barrier);

    void BarrierDestroy(RsmBarrier barrier);
}
