namespace Rsm.Engine;

internal sealed partial class ImportSegment
{
    public void InitBarrier(RsmBarrierType type, RsmBarrier? barrier)
    {
        EnsureConnected();
        if (barrier is null)
        {
            RsmThrow.Error(RsmError.BadBarrierPointer, "the barrier is null");
        }

        // The type is not validated (RSMAPI A4), and the snapshot is left as it is (RSMAPI 3.7).
        barrier.Bind(this);
        _barrier = barrier;
    }

    public RsmBarrier InitBarrier(RsmBarrierType type = RsmBarrierType.Segment)
    {
        var barrier = new RsmBarrier();
        InitBarrier(type, barrier);
        return barrier;
    }

    public void BarrierOpen(RsmBarrier barrier)
    {
        EnsureConnected();
        barrier.Snapshot = _connectGeneration;
        if (!_direct && !IsAborted)
        {
            _export.OpenBarrier(_view);
        }
    }

    public void BarrierOrder(RsmBarrier barrier)
    {
        EnsureConnected();
        if (!_direct && !IsAborted && _export.OrderBarrier(_view) is var error and not RsmError.Success)
        {
            _controller.OnBarrierFailure(this, error);
            RsmThrow.Error(RsmError.BarrierFailure, $"an earlier write failed: {error}");
        }
    }

    public void BarrierClose(RsmBarrier barrier)
    {
        EnsureConnected();
        if (barrier.Snapshot != (ushort)Volatile.Read(ref _liveGeneration))
        {
            _controller.OnBarrierFailure(this, RsmError.ConnectionAborted);
            RsmThrow.Error(RsmError.ConnectionAborted, "the generation changed since the barrier's snapshot: the connection was forcibly disconnected");
        }

        if (!_direct && _export.CloseBarrier(_view) is var error and not RsmError.Success)
        {
            _controller.OnBarrierFailure(this, error);
            RsmThrow.Error(error, "a write since the last close barrier did not reach the exporter");
        }
    }

    public void BarrierDestroy(RsmBarrier barrier)
    {
        EnsureConnected();

        // Clears the segment's barrier even when another one was registered later (RSMAPI 3.7).
        _barrier = null;
    }
}
