using System.IO.Pipes;

namespace Rsm.Conformance;

/// <summary>Conformance area Events: signal post and wait, poll handles and multi-waits (RSMAPI 3.8, items 142-153, with DECISIONS F8, F9).</summary>
public abstract class EventsConformanceTests : ConformanceTestBase
{
    /// <summary>A bound for waits that are expected to find an event already pending.</summary>
    private const int PendingTimeoutMs = 10_000;

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

    [ConformanceTest]
    public void Spec143_ImporterPost_ExporterWaitSucceedsOnceThenTimeout()
    {
        DefaultFixture f = CreateDefaultFixture();

        AssertOutcome(RsmError.Success, () => f.I.SignalPost());

        AssertOutcome(RsmError.Success, () => f.E.SignalWait(1000));
        AssertOutcome(RsmError.Timeout, () => f.E.SignalWait(0));
    }

    [ConformanceTest]
    public void Spec143_ImporterPost_ExporterAsyncWaitSucceeds()
    {
        DefaultFixture f = CreateDefaultFixture();
        f.I.SignalPost();

        AssertOutcome(RsmError.Success, () => AwaitBounded(f.E.SignalWaitAsync(PendingTimeoutMs).AsTask()));
        AssertOutcome(RsmError.Timeout, () => f.E.SignalWait(0));
    }

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

    [ConformanceTest]
    public void Spec146_ImporterPostAfterUnpublish_SuccessAndExporterWaitTimesOut()
    {
        DefaultFixture f = CreateDefaultFixture();
        f.E.Unpublish();

        AssertOutcome(RsmError.Success, () => f.I.SignalPost());

        AssertOutcome(RsmError.Timeout, () => f.E.SignalWait(0));
    }

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

    [ConformanceTest]
    public void Spec147_UnpublishedExporterPost_Success()
    {
        IRsmController c = NewController();
        RsmPageMemory b = NewBuffer();
        IExportSegment e = NewExport(c, b.Address, L);

        AssertOutcome(RsmError.Success, () => e.SignalPost());
    }

    [ConformanceTest]
    public void Spec148_GetPollHandle_DestroyedExport_BadSegmentHandle()
    {
        IRsmController c = NewController();
        RsmPageMemory b = NewBuffer();
        IExportSegment e = NewExport(c, b.Address, L);
        e.Destroy();

        AssertOutcome(RsmError.BadSegmentHandle, () => e.GetPollHandle());
    }

    [ConformanceTest]
    public void Spec148_GetPollHandle_DisconnectedImport_BadSegmentHandle()
    {
        DefaultFixture f = CreateDefaultFixture();
        IImportSegment gone = NewImport(f.C, f.C.LocalNodeId, Id, RsmPermissions.ReadWrite);
        gone.Disconnect();

        AssertOutcome(RsmError.BadSegmentHandle, () => gone.GetPollHandle());
    }

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

    [ConformanceTest]
    public void Spec149_ReleasePollHandle_CountZero_Success()
    {
        DefaultFixture f = CreateDefaultFixture();

        AssertOutcome(RsmError.Success, f.E.ReleasePollHandle);
        AssertOutcome(RsmError.Success, f.I.ReleasePollHandle);
        AssertOutcome(RsmError.Success, f.I.ReleasePollHandle);
        AssertOutcome(RsmError.Success, f.I.Disconnect);
    }

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

    [ConformanceTest]
    public void Spec152_WaitTimeoutZeroNothingReady_Timeout()
    {
        DefaultFixture f = CreateDefaultFixture();
        RsmPollHandle p = ExporterPollHandle(f);

        AssertOutcome(RsmError.Timeout, () => RsmPoll.Wait(new[] { RsmPollEntry.ForHandle(p) }, 0));
        AssertOutcome(RsmError.Timeout, () => f.E.SignalWait(0));
        AssertOutcome(RsmError.Timeout, () => f.I.SignalWait(0));
    }

    [ConformanceTest]
    public void Spec152_WaitTimeoutZeroWithIdlePipe_Timeout()
    {
        RequireLinuxPipes();
        DefaultFixture f = CreateDefaultFixture();
        using var pipe = new TestPipe();
        RsmPollHandle p = ExporterPollHandle(f);

        AssertOutcome(RsmError.Timeout, () => RsmPoll.Wait(new[] { RsmPollEntry.ForHandle(p), pipe.Entry }, 0));
    }

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

    [ConformanceTest]
    public void Spec153_OneEventTwoWaiters_OneSucceedsOtherTimeout()
    {
        DefaultFixture f = CreateDefaultFixture();
        f.I.SignalPost();

        AssertOutcome(RsmError.Success, () => f.E.SignalWait(0));
        AssertOutcome(RsmError.Timeout, () => f.E.SignalWait(0));
    }

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

    [ConformanceTest]
    public void Spec214_SignalWaitAsync_ImportDisconnectedWhileWaiting_BadSegmentHandle()
    {
        DefaultFixture f = CreateDefaultFixture();
        IImportSegment i = NewImport(f.C, f.C.LocalNodeId, Id, RsmPermissions.ReadWrite);
        Task wait = i.SignalWaitAsync(-1).AsTask();

        i.Disconnect();

        AssertOutcome(RsmError.BadSegmentHandle, () => AwaitBounded(wait));
    }

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
