namespace Rsm;

/// <summary>A poll handle of a segment (the <c>struct pollfd</c> filled by <c>rsm_memseg_get_pollfd</c>).</summary>
public sealed class RsmPollHandle
{
    /// <summary>Creates the poll handle of <paramref name="segment"/>; segments create theirs in <see cref="IRsmSegment.GetPollHandle"/>.</summary>
    /// <param name="segment">The segment whose events the handle reports.</param>
    /// <param name="source">Where the segment's events are counted.</param>
    public RsmPollHandle(IRsmSegment segment, IRsmEventSource source)
    {
        ArgumentNullException.ThrowIfNull(segment);
        ArgumentNullException.ThrowIfNull(source);
        Segment = segment;
        Source = source;
    }

    /// <summary>The segment whose events this handle reports.</summary>
    public IRsmSegment Segment { get; }

    /// <summary>The events to wait for: always <see cref="RsmPollEvents.ReadNormal"/>.</summary>
#pragma warning disable CA1822 // an instance member mirrors struct pollfd
    public RsmPollEvents Events => RsmPollEvents.ReadNormal;
#pragma warning restore CA1822

    /// <summary>The operating-system descriptor that becomes readable while events are pending, or -1 where the platform has none.
    /// Plain <c>poll</c> on it does not consume events; the library's poll wait (<c>rsm_intr_signal_wait_pollfd</c>) does.</summary>
    public int Descriptor => Source.Descriptor;

    /// <summary>Where the segment's events are counted.</summary>
    public IRsmEventSource Source { get; }
}
