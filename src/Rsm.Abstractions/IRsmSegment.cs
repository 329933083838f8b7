namespace Rsm;

/// <summary>What export and import segments share: events and poll handles (the <c>void *memseg</c> functions of RSMAPI).</summary>
public interface IRsmSegment : IDisposable
{
    /// <summary>The segment id (0 for an export segment that is not published).</summary>
    uint SegmentId { get; }

    /// <summary>
    /// Posts one event to the other side: an importer's post reaches the exporter, an exporter's post reaches every
    /// import of the segment. Events count and never coalesce (DECISIONS F8). <c>rsm_intr_signal_post</c>.
    /// </summary>
    /// <remarks>
    /// An importer's event goes to whichever segment is published under the import's segment id on the exporter's node
    /// now; when none is, it is dropped and the call still succeeds, also after a forced disconnect (RSMAPI 4.3). On
    /// Loopback and SharedMemory the exporter's node is this host, so the exit of the exporting process is such a forced
    /// disconnect (DECISIONS F7). On Tcp the exporting process is the node itself: once the connection to it is lost, a
    /// post reports ConnectionAborted (40), the path loss of RSMAPI 3.8.
    /// </remarks>
    /// <param name="flags"><see cref="RsmSignalFlags.NoAccumulate"/> is accepted and ignored.</param>
    /// <exception cref="RsmException">
    /// BadSegmentHandle (5) destroyed or disconnected; ConnectionAborted (40) on Tcp when the connection to the exporter's
    /// node is lost, or the node did not take the event within its ConnectTimeout.
    /// </exception>
    void SignalPost(RsmSignalFlags flags = RsmSignalFlags.None);

    /// <summary>Waits for and consumes one event. <c>rsm_intr_signal_wait</c>.</summary>
    /// <param name="timeoutMilliseconds">-1 waits forever, 0 only checks.</param>
    /// <param name="cancellationToken">Cancellation interrupts the wait with Interrupted (41), the analogue of a signal.</param>
    /// <exception cref="RsmException">BadSegmentHandle (5); Timeout (42), also when another waiter consumed the event; Interrupted (41).</exception>
    void SignalWait(int timeoutMilliseconds, CancellationToken cancellationToken = default);

    /// <summary>Waits for and consumes one event without blocking a thread. <c>rsm_intr_signal_wait</c>.</summary>
    /// <param name="timeoutMilliseconds">-1 waits forever, 0 only checks.</param>
    /// <param name="cancellationToken">Cancels the wait (<see cref="OperationCanceledException"/>).</param>
    /// <returns>A task that completes when one event was consumed.</returns>
    /// <exception cref="RsmException">BadSegmentHandle (5); Timeout (42).</exception>
    ValueTask SignalWaitAsync(int timeoutMilliseconds, CancellationToken cancellationToken = default);

    /// <summary>Takes a poll-handle reference for <c>RsmPoll.Wait</c>. <c>rsm_memseg_get_pollfd</c>.
    /// While references are held, destroy and disconnect fail with PollDescriptorInUse (34).</summary>
    /// <returns>The poll handle (the same object on every call).</returns>
    /// <exception cref="RsmException">BadSegmentHandle (5).</exception>
    RsmPollHandle GetPollHandle();

    /// <summary>Drops one poll-handle reference; with none held it does nothing. <c>rsm_memseg_release_pollfd</c>.</summary>
    /// <exception cref="RsmException">BadSegmentHandle (5).</exception>
    void ReleasePollHandle();
}
