using System.IO.Pipes;

namespace Rsm.Conformance;

/// <summary>Conformance area Events: signal post and wait, poll handles and multi-waits (RSMAPI 3.8, items 142-153, with DECISIONS F8, F9).</summary>
public abstract class EventsConformanceTests : ConformanceTestBase
{
    /// <summary>A bound for waits that are expected to find an event already pending.</summary>
    private const int PendingTimeoutMs = 10_000;

    /// <summary>
    /// Checklist item 142 (RSMAPI section 9): signal_post(NULL, 0) → 5; signal_wait(NULL, 0) → 5.
    /// </summary>
    [ConformanceTest]
    public void Spec142_DisconnectedImport_PostAndWaitBadSegmentHandle()
    {
        DefaultFixture f = CreateDefaultFixture();
        IImportSegment gone = NewImport(f.C, f.C.LocalNodeId, Id, RsmPermissions.ReadWrite);
        gone.Disconnect();

        AssertOutcome(RsmError.BadSegmentHandle, () => gone.SignalPost());
        AssertOutcome(RsmError.BadSegmentHandle, () => gone.SignalWait(0));
        AssertOutcome(RsmError.BadSegmentHandle, () => AwaitBounded(gone.SignalWaitAsync(0).AsTask()));
    }

    /// <summary>
    /// Checklist item 142 (RSMAPI section 9): signal_post(NULL, 0) → 5; signal_wait(NULL, 0) → 5.
    /// </summary>
    [ConformanceTest]
    public void Spec142_DestroyedExport_PostAndWaitBadSegmentHandle()
    {
        IRsmController c = NewController();
        RsmPageMemory b = NewBuffer();
        IExportSegment e = NewExport(c, b.Address, L);
        e.Destroy();

        AssertOutcome(RsmError.BadSegmentHandle, () => e.SignalPost());
        AssertOutcome(RsmError.BadSegmentHandle, () => e.SignalWait(0));
    }

    /// <summary>
    /// Checklist item 143 (RSMAPI section 9): Importer post → exporter <c>signal_wait(E, 1000)</c> → 0; a second wait
    /// with timeout 0 → TIMEOUT (42).
    /// </summary>
    [ConformanceTest]
    public void Spec143_ImporterPost_ExporterWaitSucceedsOnceThenTimeout()
    {
        DefaultFixture f = CreateDefaultFixture();

        AssertOutcome(RsmError.Success, () => f.I.SignalPost());

        AssertOutcome(RsmError.Success, () => f.E.SignalWait(1000));
        AssertOutcome(RsmError.Timeout, () => f.E.SignalWait(0));
    }

    /// <summary>
    /// Checklist item 143 (RSMAPI section 9): Importer post → exporter <c>signal_wait(E, 1000)</c> → 0; a second wait
    /// with timeout 0 → TIMEOUT (42).
    /// </summary>
    [ConformanceTest]
    public void Spec143_ImporterPost_ExporterAsyncWaitSucceeds()
    {
        DefaultFixture f = CreateDefaultFixture();
        f.I.SignalPost();

        AssertOutcome(RsmError.Success, () => AwaitBounded(f.E.SignalWaitAsync(PendingTimeoutMs).AsTask()));
        AssertOutcome(RsmError.Timeout, () => f.E.SignalWait(0));
    }

    /// <summary>
    /// Checklist item 143 (RSMAPI section 9): Importer post → exporter <c>signal_wait(E, 1000)</c> → 0; a second wait
    /// with timeout 0 → TIMEOUT (42).
    /// </summary>
    [ConformanceTest]
    public void Spec143_ImporterPostFromAnotherThread_BlockedExporterWaitSucceeds()
    {
        DefaultFixture f = CreateDefaultFixture();
        RsmError waited = RsmError.InternalError;
        var waiter = new Thread(() => waited = Outcome(() => f.E.SignalWait(PendingTimeoutMs))) { IsBackground = true };
        waiter.Start();

        f.I.SignalPost();

        Assert.IsTrue(waiter.Join(TimeSpan.FromSeconds(30)), "the waiter did not finish");
        Assert.AreEqual(RsmError.Success, waited);
        AssertOutcome(RsmError.Timeout, () => f.E.SignalWait(0));
    }

    /// <summary>
    /// Checklist item 144 (RSMAPI section 9): Exporter post with two importers (any nodes) → each importer's wait
    /// succeeds once.
    /// </summary>
    [ConformanceTest]
    public void Spec144_ExporterPostTwoImportersSameNode_EachWaitSucceedsOnce()
    {
        DefaultFixture f = CreateDefaultFixture();
        IImportSegment second = NewImport(f.C, f.C.LocalNodeId, Id, RsmPermissions.ReadWrite);

        AssertOutcome(RsmError.Success, () => f.E.SignalPost());

        AssertOutcome(RsmError.Success, () => f.I.SignalWait(PendingTimeoutMs));
        AssertOutcome(RsmError.Success, () => second.SignalWait(PendingTimeoutMs));
        AssertOutcome(RsmError.Timeout, () => f.I.SignalWait(0));
        AssertOutcome(RsmError.Timeout, () => second.SignalWait(0));
        AssertOutcome(RsmError.Timeout, () => f.E.SignalWait(0));
    }

    /// <summary>
    /// Checklist item 144 (RSMAPI section 9): Exporter post with two importers (any nodes) → each importer's wait
    /// succeeds once.
    /// </summary>
    [ConformanceTest]
    public void Spec144_ExporterPostImportersOnTwoNodes_EachWaitSucceedsOnce()
    {
        Require(ConformanceCapabilities.SecondNode, "item 144 posts to importers on two nodes");
        IRsmController exporterNode = NewController(1);
        IRsmController otherNode = NewController(2);
        RsmPageMemory b = NewBuffer();
        IExportSegment e = NewExport(exporterNode, b.Address, L);
        e.Publish(Id);
        IImportSegment local = NewImport(exporterNode, exporterNode.LocalNodeId, Id, RsmPermissions.ReadWrite);
        IImportSegment remote = NewImport(otherNode, exporterNode.LocalNodeId, Id, RsmPermissions.ReadWrite);

        AssertOutcome(RsmError.Success, () => e.SignalPost());

        AssertOutcome(RsmError.Success, () => local.SignalWait(PendingTimeoutMs));
        AssertOutcome(RsmError.Success, () => remote.SignalWait(PendingTimeoutMs));
        AssertOutcome(RsmError.Timeout, () => local.SignalWait(0));
        AssertOutcome(RsmError.Timeout, () => remote.SignalWait(0));
    }

    /// <summary>
    /// Checklist item 145 (RSMAPI section 9): Three posts → three successful waits, the fourth times out (counting,
    /// NO_ACCUMULATE ignored).
    /// </summary>
    [ConformanceTest]
    public void Spec145_ThreePosts_ThreeWaitsThenTimeout()
    {
        DefaultFixture f = CreateDefaultFixture();

        AssertOutcome(RsmError.Success, () => f.I.SignalPost(RsmSignalFlags.NoAccumulate));
        AssertOutcome(RsmError.Success, () => f.I.SignalPost(RsmSignalFlags.NoAccumulate));
        AssertOutcome(RsmError.Success, () => f.I.SignalPost());

        AssertOutcome(RsmError.Success, () => f.E.SignalWait(PendingTimeoutMs));
        AssertOutcome(RsmError.Success, () => f.E.SignalWait(PendingTimeoutMs));
        AssertOutcome(RsmError.Success, () => f.E.SignalWait(PendingTimeoutMs));
        AssertOutcome(RsmError.Timeout, () => f.E.SignalWait(0));
    }

    /// <summary>
    /// Checklist item 145 (RSMAPI section 9): Three posts → three successful waits, the fourth times out (counting,
    /// NO_ACCUMULATE ignored).
    /// </summary>
    [ConformanceTest]
    public void Spec145_ExporterThreePosts_ImporterThreeWaitsThenTimeout()
    {
        DefaultFixture f = CreateDefaultFixture();

        for (int i = 0; i < 3; i++)
        {
            AssertOutcome(RsmError.Success, () => f.E.SignalPost(RsmSignalFlags.NoAccumulate));
        }

        for (int i = 0; i < 3; i++)
        {
            AssertOutcome(RsmError.Success, () => f.I.SignalWait(PendingTimeoutMs), $"wait {i + 1}");
        }

        AssertOutcome(RsmError.Timeout, () => f.I.SignalWait(0));
    }

    /// <summary>
    /// Checklist item 146 (RSMAPI section 9): Importer post after the exporter unpublished → 0, and the exporter's wait
    /// times out.
    /// </summary>
    [ConformanceTest]
    public void Spec146_ImporterPostAfterUnpublish_SuccessAndExporterWaitTimesOut()
    {
        DefaultFixture f = CreateDefaultFixture();
        f.E.Unpublish();

        AssertOutcome(RsmError.Success, () => f.I.SignalPost());

        AssertOutcome(RsmError.Timeout, () => f.E.SignalWait(0));
    }

    /// <summary>
    /// Checklist item 147 (RSMAPI section 9): Exporter post with no importers → 0.
    /// </summary>
    [ConformanceTest]
    public void Spec147_ExporterPostWithoutImporters_Success()
    {
        IRsmController c = NewController();
        RsmPageMemory b = NewBuffer();
        IExportSegment e = NewExport(c, b.Address, L);
        e.Publish(Id);

        AssertOutcome(RsmError.Success, () => e.SignalPost());
        AssertOutcome(RsmError.Success, () => e.SignalPost(RsmSignalFlags.NoAccumulate));
    }

    /// <summary>
    /// Checklist item 147 (RSMAPI section 9): Exporter post with no importers → 0.
    /// </summary>
    [ConformanceTest]
    public void Spec147_UnpublishedExporterPost_Success()
    {
        IRsmController c = NewController();
        RsmPageMemory b = NewBuffer();
        IExportSegment e = NewExport(c, b.Address, L);

        AssertOutcome(RsmError.Success, () => e.SignalPost());
    }

    /// <summary>
    /// Checklist item 148 (RSMAPI section 9): get_pollfd(NULL, &amp;p) → 5; get_pollfd(E, &amp;p) → 0 with <c>p.events
    /// == POLLRDNORM</c>; calling it twice requires two releases before destroy succeeds.
    /// </summary>
    [ConformanceTest]
    public void Spec148_GetPollHandle_DestroyedExport_BadSegmentHandle()
    {
        IRsmController c = NewController();
        RsmPageMemory b = NewBuffer();
        IExportSegment e = NewExport(c, b.Address, L);
        e.Destroy();

        AssertOutcome(RsmError.BadSegmentHandle, () => e.GetPollHandle());
    }

    /// <summary>
    /// Checklist item 148 (RSMAPI section 9): get_pollfd(NULL, &amp;p) → 5; get_pollfd(E, &amp;p) → 0 with <c>p.events
    /// == POLLRDNORM</c>; calling it twice requires two releases before destroy succeeds.
    /// </summary>
    [ConformanceTest]
    public void Spec148_GetPollHandle_DisconnectedImport_BadSegmentHandle()
    {
        DefaultFixture f = CreateDefaultFixture();
        IImportSegment gone = NewImport(f.C, f.C.LocalNodeId, Id, RsmPermissions.ReadWrite);
        gone.Disconnect();

        AssertOutcome(RsmError.BadSegmentHandle, () => gone.GetPollHandle());
    }

    /// <summary>
    /// Checklist item 148 (RSMAPI section 9): get_pollfd(NULL, &amp;p) → 5; get_pollfd(E, &amp;p) → 0 with <c>p.events
    /// == POLLRDNORM</c>; calling it twice requires two releases before destroy succeeds.
    /// </summary>
    [ConformanceTest]
    public void Spec148_GetPollHandle_EventsReadNormal()
    {
        DefaultFixture f = CreateDefaultFixture();
        RsmPollHandle? p = null;

        AssertOutcome(RsmError.Success, () => p = f.E.GetPollHandle());

        Assert.IsNotNull(p);
        Assert.AreEqual(RsmPollEvents.ReadNormal, p.Events);
        Assert.AreSame(f.E, p.Segment);
        Assert.AreEqual(RsmPollEvents.ReadNormal, RsmPollEntry.ForHandle(p).Events);
        f.E.ReleasePollHandle();
    }

    /// <summary>
    /// Checklist item 148 (RSMAPI section 9): get_pollfd(NULL, &amp;p) → 5; get_pollfd(E, &amp;p) → 0 with <c>p.events
    /// == POLLRDNORM</c>; calling it twice requires two releases before destroy succeeds.
    /// </summary>
    [ConformanceTest]
    public void Spec148_GetPollHandleTwice_TwoReleasesBeforeDestroy()
    {
        IRsmController c = NewController();
        RsmPageMemory b = NewBuffer();
        IExportSegment e = NewExport(c, b.Address, L);
        e.Publish(Id);
        RsmPollHandle first = e.GetPollHandle();
        RsmPollHandle second = e.GetPollHandle();

        Assert.AreSame(first, second);
        AssertOutcome(RsmError.PollDescriptorInUse, e.Destroy);
        Assert.IsTrue(e.IsPublished, "a refused destroy leaves the segment published");
        e.ReleasePollHandle();
        AssertOutcome(RsmError.PollDescriptorInUse, e.Destroy);
        e.ReleasePollHandle();
        AssertOutcome(RsmError.Success, e.Destroy);
    }

    /// <summary>
    /// Checklist item 149 (RSMAPI section 9): release_pollfd(NULL) → 5; release_pollfd with count 0 → 0.
    /// </summary>
    [ConformanceTest]
    public void Spec149_ReleasePollHandle_DestroyedOrDisconnected_BadSegmentHandle()
    {
        DefaultFixture f = CreateDefaultFixture();
        RsmPageMemory b2 = NewBuffer();
        IExportSegment e2 = NewExport(f.C, b2.Address, L);
        e2.Destroy();
        IImportSegment gone = NewImport(f.C, f.C.LocalNodeId, Id, RsmPermissions.ReadWrite);
        gone.Disconnect();

        AssertOutcome(RsmError.BadSegmentHandle, e2.ReleasePollHandle);
        AssertOutcome(RsmError.BadSegmentHandle, gone.ReleasePollHandle);
    }

    /// <summary>
    /// Checklist item 149 (RSMAPI section 9): release_pollfd(NULL) → 5; release_pollfd with count 0 → 0.
    /// </summary>
    [ConformanceTest]
    public void Spec149_ReleasePollHandle_CountZero_Success()
    {
        DefaultFixture f = CreateDefaultFixture();

        AssertOutcome(RsmError.Success, f.E.ReleasePollHandle);
        AssertOutcome(RsmError.Success, f.I.ReleasePollHandle);
        AssertOutcome(RsmError.Success, f.I.ReleasePollHandle);
        AssertOutcome(RsmError.Success, f.I.Disconnect);
    }

    /// <summary>
    /// Checklist item 150 (RSMAPI section 9): wait_pollfd over {E's pollfd, a pipe}: after an importer post → 0,
    /// <c>*numfdsp == 1</c>, E entry <c>revents == POLLRDNORM</c>; <c>numfdsp</c> may be NULL.
    /// </summary>
    [ConformanceTest]
    public void Spec150_WaitOverHandleAndPipe_ImporterPost_OneReadyReadNormal()
    {
        RequireLinuxPipes();
        DefaultFixture f = CreateDefaultFixture();
        using var pipe = new TestPipe();
        RsmPollHandle p = ExporterPollHandle(f);
        f.I.SignalPost();
        Span<RsmPollEntry> entries = [RsmPollEntry.ForHandle(p), pipe.Entry];

        int n = RsmPoll.Wait(entries, PendingTimeoutMs);

        Assert.AreEqual(1, n);
        Assert.AreEqual(RsmPollEvents.ReadNormal, entries[0].ReturnedEvents);
        Assert.AreEqual(RsmPollEvents.None, entries[1].ReturnedEvents);
        AssertOutcome(RsmError.Timeout, () => f.E.SignalWait(0));
    }

    /// <summary>
    /// Checklist item 150 (RSMAPI section 9): wait_pollfd over {E's pollfd, a pipe}: after an importer post → 0,
    /// <c>*numfdsp == 1</c>, E entry <c>revents == POLLRDNORM</c>; <c>numfdsp</c> may be NULL.
    /// </summary>
    [ConformanceTest]
    public void Spec150_WaitOverHandleOnly_ImporterPost_OneReady()
    {
        DefaultFixture f = CreateDefaultFixture();
        RsmPollHandle p = ExporterPollHandle(f);
        f.I.SignalPost();
        Span<RsmPollEntry> entries = [RsmPollEntry.ForHandle(p)];

        int n = RsmPoll.Wait(entries, PendingTimeoutMs);

        Assert.AreEqual(1, n);
        Assert.AreEqual(RsmPollEvents.ReadNormal, entries[0].ReturnedEvents);
        AssertOutcome(RsmError.Timeout, () => f.E.SignalWait(0));
    }

    /// <summary>
    /// Checklist item 151 (RSMAPI section 9): wait_pollfd with a pipe readable and no RSM event → 0, count 1, pipe
    /// <c>revents</c> as from poll.
    /// </summary>
    [ConformanceTest]
    public void Spec151_WaitOverHandleAndReadablePipe_NoEvent_PipeReported()
    {
        RequireLinuxPipes();
        DefaultFixture f = CreateDefaultFixture();
        using var pipe = new TestPipe();
        pipe.MakeReadable();
        RsmPollHandle p = ExporterPollHandle(f);
        Span<RsmPollEntry> entries = [RsmPollEntry.ForHandle(p), pipe.Entry];

        int n = RsmPoll.Wait(entries, PendingTimeoutMs);

        Assert.AreEqual(1, n);
        Assert.AreEqual(RsmPollEvents.None, entries[0].ReturnedEvents);
        Assert.AreEqual(RsmPollEvents.In, entries[1].ReturnedEvents);
    }

    /// <summary>
    /// Checklist item 151 (RSMAPI section 9): wait_pollfd with a pipe readable and no RSM event → 0, count 1, pipe
    /// <c>revents</c> as from poll.
    /// </summary>
    [ConformanceTest]
    public void Spec151_WaitOverHandleAndReadablePipe_WithEvent_BothReported()
    {
        RequireLinuxPipes();
        DefaultFixture f = CreateDefaultFixture();
        using var pipe = new TestPipe();
        pipe.MakeReadable();
        RsmPollHandle p = ExporterPollHandle(f);
        f.I.SignalPost();
        Span<RsmPollEntry> entries = [RsmPollEntry.ForHandle(p), pipe.Entry];

        int n = RsmPoll.Wait(entries, PendingTimeoutMs);

        Assert.AreEqual(2, n);
        Assert.AreEqual(RsmPollEvents.ReadNormal, entries[0].ReturnedEvents);
        Assert.AreEqual(RsmPollEvents.In, entries[1].ReturnedEvents);
    }

    /// <summary>
    /// Checklist item 152 (RSMAPI section 9): wait_pollfd with timeout 0 and nothing ready → 42; interrupted by a
    /// signal → INTERRUPTED (41); invalid nfds → BAD_ARGS_ERRORS (117).
    /// </summary>
    [ConformanceTest]
    public void Spec152_WaitTimeoutZeroNothingReady_Timeout()
    {
        DefaultFixture f = CreateDefaultFixture();
        RsmPollHandle p = ExporterPollHandle(f);

        AssertOutcome(RsmError.Timeout, () => RsmPoll.Wait(new[] { RsmPollEntry.ForHandle(p) }, 0));
        AssertOutcome(RsmError.Timeout, () => f.E.SignalWait(0));
        AssertOutcome(RsmError.Timeout, () => f.I.SignalWait(0));
    }

    /// <summary>
    /// Checklist item 152 (RSMAPI section 9): wait_pollfd with timeout 0 and nothing ready → 42; interrupted by a
    /// signal → INTERRUPTED (41); invalid nfds → BAD_ARGS_ERRORS (117).
    /// </summary>
    [ConformanceTest]
    public void Spec152_WaitTimeoutZeroWithIdlePipe_Timeout()
    {
        RequireLinuxPipes();
        DefaultFixture f = CreateDefaultFixture();
        using var pipe = new TestPipe();
        RsmPollHandle p = ExporterPollHandle(f);

        AssertOutcome(RsmError.Timeout, () => RsmPoll.Wait(new[] { RsmPollEntry.ForHandle(p), pipe.Entry }, 0));
    }

    /// <summary>
    /// Checklist item 152 (RSMAPI section 9): wait_pollfd with timeout 0 and nothing ready → 42; interrupted by a
    /// signal → INTERRUPTED (41); invalid nfds → BAD_ARGS_ERRORS (117).
    /// </summary>
    [ConformanceTest]
    public void Spec152_WaitCancelled_Interrupted()
    {
        DefaultFixture f = CreateDefaultFixture();
        RsmPollHandle p = ExporterPollHandle(f);
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();

        AssertOutcome(RsmError.Interrupted, () => RsmPoll.Wait(new[] { RsmPollEntry.ForHandle(p) }, PendingTimeoutMs, cancelled.Token));
        AssertOutcome(RsmError.Interrupted, () => f.E.SignalWait(PendingTimeoutMs, cancelled.Token));
        AssertOutcome(RsmError.Interrupted, () => f.I.SignalWait(PendingTimeoutMs, cancelled.Token));
    }

    /// <summary>
    /// Checklist item 152 (RSMAPI section 9): wait_pollfd with timeout 0 and nothing ready → 42; interrupted by a
    /// signal → INTERRUPTED (41); invalid nfds → BAD_ARGS_ERRORS (117).
    /// </summary>
    [ConformanceTest]
    public void Spec152_WaitCancelledWhileBlocked_Interrupted()
    {
        DefaultFixture f = CreateDefaultFixture();
        using var cancel = new CancellationTokenSource();
        RsmError waited = RsmError.InternalError;
        using var started = new ManualResetEventSlim();
        var waiter = new Thread(() =>
        {
            started.Set();
            waited = Outcome(() => f.E.SignalWait(3 * PendingTimeoutMs, cancel.Token));
        })
        {
            IsBackground = true,
        };
        waiter.Start();
        Assert.IsTrue(started.Wait(TimeSpan.FromSeconds(30)));

        cancel.Cancel();

        Assert.IsTrue(waiter.Join(TimeSpan.FromSeconds(30)), "a cancelled wait did not return");
        Assert.AreEqual(RsmError.Interrupted, waited);
    }

    /// <summary>
    /// Checklist item 152 (RSMAPI section 9): wait_pollfd with timeout 0 and nothing ready → 42; interrupted by a
    /// signal → INTERRUPTED (41); invalid nfds → BAD_ARGS_ERRORS (117).
    /// </summary>
    [ConformanceTest]
    public void Spec152_MoreEntriesThanDescriptorLimit_BadArgumentsErrors()
    {
        RequireLinuxPipes();
        long limit = OpenFilesSoftLimit();
        if (limit <= 0 || limit >= 1_048_576)
        {
            Assert.Inconclusive($"the open-files limit ({limit}) is unknown or too large to exceed with an array of poll entries");
        }

        var entries = new RsmPollEntry[limit + 1];
        Array.Fill(entries, RsmPollEntry.ForDescriptor(-1, RsmPollEvents.In));

        AssertOutcome(RsmError.BadArgumentsErrors, () => RsmPoll.Wait(entries, 0));
    }

    /// <summary>
    /// Checklist item 153 (RSMAPI section 9): Two waiters on one event: exactly one gets 0, the other gets 42 (even
    /// before its timeout).
    /// </summary>
    [ConformanceTest]
    public void Spec153_OneEventTwoWaiters_OneSucceedsOtherTimeout()
    {
        DefaultFixture f = CreateDefaultFixture();
        f.I.SignalPost();

        AssertOutcome(RsmError.Success, () => f.E.SignalWait(0));
        AssertOutcome(RsmError.Timeout, () => f.E.SignalWait(0));
    }

    /// <summary>
    /// Checklist item 153 (RSMAPI section 9): Two waiters on one event: exactly one gets 0, the other gets 42 (even
    /// before its timeout).
    /// </summary>
    [ConformanceTest]
    public void Spec153_OneEventTwoPollWaiters_ExactlyOneCounts()
    {
        DefaultFixture f = CreateDefaultFixture();
        RsmPollHandle p = ExporterPollHandle(f);
        f.I.SignalPost();

        RsmError first = Outcome(() => RsmPoll.Wait(new[] { RsmPollEntry.ForHandle(p) }, 0));
        RsmError second = Outcome(() => RsmPoll.Wait(new[] { RsmPollEntry.ForHandle(p) }, 0));

        Assert.AreEqual(RsmError.Success, first);
        Assert.AreEqual(RsmError.Timeout, second);
    }

    /// <summary>
    /// Checklist item 153 (RSMAPI section 9): Two waiters on one event: exactly one gets 0, the other gets 42 (even
    /// before its timeout).
    /// </summary>
    [ConformanceTest]
    public void Spec153_OneEventTwoEntriesForOneHandle_OnlyOneConsumes()
    {
        DefaultFixture f = CreateDefaultFixture();
        RsmPollHandle p = ExporterPollHandle(f);
        f.I.SignalPost();
        Span<RsmPollEntry> entries = [RsmPollEntry.ForHandle(p), RsmPollEntry.ForHandle(p)];

        int n = RsmPoll.Wait(entries, PendingTimeoutMs);

        Assert.AreEqual(1, n);
        Assert.AreEqual(1, (entries[0].ReturnedEvents == RsmPollEvents.ReadNormal ? 1 : 0) + (entries[1].ReturnedEvents == RsmPollEvents.ReadNormal ? 1 : 0));
        AssertOutcome(RsmError.Timeout, () => f.E.SignalWait(0));
    }

    /// <summary>
    /// Checklist item 153 (RSMAPI section 9): Two waiters on one event: exactly one gets 0, the other gets 42 (even
    /// before its timeout).
    /// </summary>
    [ConformanceTest]
    public void Spec153_OneEventConcurrentWaiters_ExactlyOneSucceeds()
    {
        DefaultFixture f = CreateDefaultFixture();
        f.I.SignalPost();
        var outcomes = new RsmError[2];
        using var gate = new Barrier(2);
        Thread[] waiters =
        [
            new Thread(() => { gate.SignalAndWait(TimeSpan.FromSeconds(30)); outcomes[0] = Outcome(() => f.E.SignalWait(0)); }) { IsBackground = true },
            new Thread(() => { gate.SignalAndWait(TimeSpan.FromSeconds(30)); outcomes[1] = Outcome(() => f.E.SignalWait(0)); }) { IsBackground = true },
        ];

        foreach (Thread t in waiters)
        {
            t.Start();
        }

        foreach (Thread t in waiters)
        {
            Assert.IsTrue(t.Join(TimeSpan.FromSeconds(30)), "a waiter did not finish");
        }

        Assert.AreEqual(1, outcomes.Count(o => o == RsmError.Success), string.Join(", ", outcomes));
        Assert.AreEqual(1, outcomes.Count(o => o == RsmError.Timeout), string.Join(", ", outcomes));
    }

    private static void RequireLinuxPipes()
    {
        if (!OperatingSystem.IsLinux())
        {
            Assert.Inconclusive("waiting on plain descriptors (a pipe) is supported on Linux only");
        }
    }

    /// <summary>
    /// Check 211, beyond the checklist: SignalWaitAsync completes when an event is posted while it waits, consuming
    /// that event.
    /// </summary>
    [ConformanceTest]
    public void Spec211_SignalWaitAsync_EventPostedWhileWaiting_Completes()
    {
        DefaultFixture f = CreateDefaultFixture();
        Task wait = f.E.SignalWaitAsync(PendingTimeoutMs).AsTask();
        Assert.IsFalse(wait.IsCompleted, "no event was posted yet");

        f.I.SignalPost();

        AssertOutcome(RsmError.Success, () => AwaitBounded(wait));
        AssertOutcome(RsmError.Timeout, () => f.E.SignalWait(0), "the waiter consumed the only event");
    }

    /// <summary>
    /// Check 212, beyond the checklist: A cancelled SignalWaitAsync ends as cancelled and consumes nothing.
    /// </summary>
    [ConformanceTest]
    public void Spec212_SignalWaitAsync_Cancelled_OperationCanceled()
    {
        DefaultFixture f = CreateDefaultFixture();
        using var cancellation = new CancellationTokenSource();
        Task wait = f.E.SignalWaitAsync(-1, cancellation.Token).AsTask();

        cancellation.Cancel();

        Assert.IsTrue(WaitFaultOrCancel(wait), "the cancelled wait did not end within 30 s");
        Assert.IsTrue(wait.IsCanceled, "a cancelled asynchronous wait ends as cancelled");
        f.I.SignalPost();
        AssertOutcome(RsmError.Success, () => f.E.SignalWait(0), "the cancelled waiter consumed nothing");
    }

    /// <summary>
    /// Check 213, beyond the checklist: Each event completes exactly one of several SignalWaitAsync waiters (DECISIONS
    /// F8).
    /// </summary>
    [ConformanceTest]
    public void Spec213_SignalWaitAsync_TwoWaitersTwoPosts_EachCompletesOnce()
    {
        DefaultFixture f = CreateDefaultFixture();
        Task first = f.E.SignalWaitAsync(PendingTimeoutMs).AsTask();
        Task second = f.E.SignalWaitAsync(PendingTimeoutMs).AsTask();

        f.I.SignalPost();
        Task<Task> any = Task.WhenAny(first, second);
        AwaitBounded(any);
        Task done = any.Result;
        AssertOutcome(RsmError.Success, () => AwaitBounded(done));
        Task other = done == first ? second : first;
        Assert.IsFalse(other.IsCompleted, "one event completes exactly one waiter");
        f.I.SignalPost();

        AssertOutcome(RsmError.Success, () => AwaitBounded(other));
        AssertOutcome(RsmError.Timeout, () => f.E.SignalWait(0));
    }

    /// <summary>
    /// Check 214, beyond the checklist: SignalWaitAsync on an import that is disconnected while it waits ends with
    /// BadSegmentHandle (5) instead of hanging (DECISIONS D7).
    /// </summary>
    [ConformanceTest]
    public void Spec214_SignalWaitAsync_ImportDisconnectedWhileWaiting_BadSegmentHandle()
    {
        DefaultFixture f = CreateDefaultFixture();
        IImportSegment i = NewImport(f.C, f.C.LocalNodeId, Id, RsmPermissions.ReadWrite);
        Task wait = i.SignalWaitAsync(-1).AsTask();

        i.Disconnect();

        AssertOutcome(RsmError.BadSegmentHandle, () => AwaitBounded(wait));
    }

    /// <summary>
    /// Check 215, beyond the checklist: SignalWaitAsync with no event before its timeout ends with Timeout (42).
    /// </summary>
    [ConformanceTest]
    public void Spec215_SignalWaitAsync_NoEventBeforeTimeout_Timeout()
    {
        DefaultFixture f = CreateDefaultFixture();

        AssertOutcome(RsmError.Timeout, () => AwaitBounded(f.I.SignalWaitAsync(1).AsTask()));
    }

    /// <summary>The soft <c>RLIMIT_NOFILE</c> from <c>/proc/self/limits</c>, or -1 when it cannot be read or is unlimited.</summary>
    private static long OpenFilesSoftLimit()
    {
        const string Prefix = "Max open files";
        foreach (string line in File.ReadLines("/proc/self/limits"))
        {
            if (line.StartsWith(Prefix, StringComparison.Ordinal))
            {
                string[] fields = line[Prefix.Length..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
                return fields.Length > 0 && long.TryParse(fields[0], out long soft) ? soft : -1;
            }
        }

        return -1;
    }

    /// <summary>Takes a poll handle reference on the fixture's export segment, released at cleanup.</summary>
    private RsmPollHandle ExporterPollHandle(DefaultFixture f)
    {
        RsmPollHandle p = f.E.GetPollHandle();
        Defer(f.E.ReleasePollHandle);
        return p;
    }

    private static bool WaitFaultOrCancel(Task task)
    {
        try
        {
            return task.Wait(TimeSpan.FromSeconds(30));
        }
        catch (AggregateException)
        {
            return true;
        }
    }

    /// <summary>An anonymous pipe whose read end is a plain descriptor for <see cref="RsmPoll.Wait"/>.</summary>
    private sealed class TestPipe : IDisposable
    {
        private readonly AnonymousPipeServerStream _writeEnd = new(PipeDirection.Out);

        /// <summary>A poll entry for the read end, waiting for <see cref="RsmPollEvents.In"/>.</summary>
        public RsmPollEntry Entry => RsmPollEntry.ForDescriptor((int)_writeEnd.ClientSafePipeHandle.DangerousGetHandle(), RsmPollEvents.In);

        /// <summary>Writes one byte, so that the read end is readable.</summary>
        public void MakeReadable()
        {
            _writeEnd.WriteByte(0x21);
            _writeEnd.Flush();
        }

        public void Dispose() => _writeEnd.Dispose();
    }
}
