using Rsm.Engine;

namespace Rsm;

/// <summary>A poll handle of a segment (the <c>struct pollfd</c> filled by <c>rsm_memseg_get_pollfd</c>).</summary>
public sealed class RsmPollHandle
{
    internal RsmPollHandle(IRsmSegment segment, EventCounter counter)
    {
        Segment = segment;
        Counter = counter;
    }

    /// <summary>The segment whose events this handle reports.</summary>
    public IRsmSegment Segment { get; }

    /// <summary>The events to wait for: always <see cref="RsmPollEvents.ReadNormal"/>.</summary>
#pragma warning disable CA1822 // an instance member mirrors struct pollfd
    public RsmPollEvents Events => RsmPollEvents.ReadNormal;
#pragma warning restore CA1822

    /// <summary>The operating-system descriptor that becomes readable while events are pending, or -1 where the platform has none.
    /// Plain <c>poll</c> on it does not consume events; <see cref="RsmPoll.Wait"/> does.</summary>
    public int Descriptor => Counter.Descriptor;

    internal EventCounter Counter { get; }
}
