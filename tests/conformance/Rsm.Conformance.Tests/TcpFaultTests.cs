using System.Diagnostics;
using Rsm.Engine;

namespace Rsm.Conformance.Tests;

/// <summary>
/// Tcp under faulty peers: one that stops reading, resets in the middle of a transfer, or stalls in the middle of a
/// frame, an unpublish and a destroy while a peer is stalled, and a hundred resets in a row. One exporter (node 1) serves
/// two well-behaved importers (nodes 2 and 3, <see cref="ImporterWorker"/>) throughout. Each test checks four things:
/// the well-behaved importers keep completing operations, none stalling more than 1 s beyond the drop bound (the send
/// stall bound plus one keep-alive tick); the faulty peer is dropped within that bound and its import released at the
/// exporter; the process's connection threads and sockets return to their counts exactly (operating-system threads
/// within the allowance of <see cref="ProcessResources.OsThreadSlack"/>); and destroying the export segments returns.
/// </summary>
[TestClass]
public sealed class TcpFaultTests
{
    private const int Mebibyte = 1 << 20;

    /// <summary>How long connections and threads get to go away once nothing holds them; generous for a loaded machine.</summary>
    private static readonly TimeSpan s_resourceLimit = TimeSpan.FromSeconds(15);

    /// <summary>The silence limit when the send-stall bound has to do the dropping: far beyond <see cref="TcpFaultRig.StallLimit"/>.</summary>
    private static readonly TimeSpan s_longSilence = TimeSpan.FromSeconds(8);

    /// <summary>The silence limit when silence is what a peer shows (a stall in the middle of a frame it sends).</summary>
    private static readonly TimeSpan s_shortSilence = TimeSpan.FromSeconds(3);

    private ProcessResources _baseline;

    public TestContext TestContext { get; set; } = null!;

    public enum Stall
    {
        /// <summary>A raw peer that keeps sending Pings, so only the send-stall bound can find it out.</summary>
        RawWithPings,

        /// <summary>A raw peer that sends nothing more.</summary>
        RawSilent,

        /// <summary>A real importer (node 4) behind a proxy that stops forwarding to it.</summary>
        ProxiedImporter,
    }

    [TestInitialize]
    public void TakeBaseline()
    {
        // Whatever the tests before left behind must have settled, or the counts would move under this one.
        _baseline = ProcessResources.Settled(TimeSpan.FromMilliseconds(300), TimeSpan.FromSeconds(10));
        TestContext.WriteLine($"baseline: {_baseline}");
    }

    /// <summary>Scenario 1: a peer connects to the segment, asks for 48 MiB in gets of 1 MiB, and never reads its socket.</summary>
    [ConformanceTest]
    [DataRow(Stall.RawWithPings)]
    [DataRow(Stall.RawSilent)]
    [DataRow(Stall.ProxiedImporter)]
    public void TcpFault_PeerStopsReading_DroppedWithinSendTimeout_OthersUnaffected(Stall stall)
    {
        var report = new FaultReport(TestContext, $"stops reading, {stall}");
        using var rig = TcpFaultRig.Create(s_longSilence);
        rig.StartWorkers(rig.Shared);
        ProcessResources steady = ProcessResources.Settled(TimeSpan.FromMilliseconds(200), TimeSpan.FromSeconds(5));
        report.Note($"steady: {steady}");

        if (stall == Stall.ProxiedImporter)
        {
            IImportSegment import = rig.ConnectFaulty();
            Progress before = Operations(rig);
            rig.Proxy.Latest.StallAfter(ProxyDirection.ToImporter, 0);

            // 8 MiB of replies: more than the kernel's buffers on the way hold, so the exporter's queue stops draining.
            BoundedOutcome get = Bounded.Run(() => import.Get(0, new byte[TcpFaultRig.SegmentLength]), TcpFaultRig.StallLimit + TimeSpan.FromSeconds(6), "get of the stalled importer");
            ExpectProgress(report, rig, before, "while the proxied importer was stalled");
            report.Expect(get.Returned && get.Error == RsmError.ConnectionAborted && get.Took <= TcpFaultRig.StallLimit, $"the stalled importer's get gives ConnectionAborted (40) within {TcpFaultRig.StallLimit.TotalSeconds} s: {get}");
            ExpectDropLogged(report, rig, "send timeout");
            ExpectAbortedAfterwards(report, import);
            ExpectProxiedConnectionClosed(report, rig);

            // The health checks tell: the exporter dropped node 4 as silent (it took no byte), and still listens.
            RsmTransportHealth exporterHealth = ((RsmEngineController)rig.Exporter).CheckHealth();
            string node4 = exporterHealth.Data.TryGetValue("node.4", out object? state) ? (string)state : "(none)";
            report.Expect(
                exporterHealth.Status == RsmHealthStatus.Degraded && node4.StartsWith("silent: ", StringComparison.Ordinal),
                $"the exporter's health is Degraded with node 4 silent: {exporterHealth.Status}, {exporterHealth.Description}");
            report.Expect(
                exporterHealth.Data.TryGetValue("node.2", out object? node2) && (string)node2 == "connected",
                $"the exporter's health has node 2 connected: {node2}");
        }
        else
        {
            using RawSegmentPeer peer = RawSegmentPeer.Open(rig.ExporterEndPoint, TcpFaultRig.RawNode, rig.Key);
            peer.ConnectSegment(TcpFaultRig.SharedId);
            if (stall == Stall.RawWithPings)
            {
                peer.StartPinging(TcpFaultRig.KeepAliveInterval / 2);
            }

            Progress before = Operations(rig);
            long started = Environment.TickCount64;
            peer.SendGets(48, Mebibyte, i => TcpFaultRig.RawRegion + ((i % 4) * (long)Mebibyte));
            TimeSpan? dropped = peer.AwaitDropped(started, TcpFaultRig.StallLimit + TimeSpan.FromSeconds(4));
            ExpectProgress(report, rig, before, "while the raw peer was stalled");
            report.Expect(dropped <= TcpFaultRig.StallLimit, $"the raw peer is dropped within {TcpFaultRig.StallLimit.TotalSeconds} s: {Seconds(dropped)} ({peer.PingsSent} pings sent)");
            ExpectDropLogged(report, rig, "send timeout");
            ExpectDrainedToTheEnd(report, rig, peer, dropped);
        }

        Conclude(report, rig, steady, (rig.Shared, 0), (rig.FaultySegment, 0));
    }

    /// <summary>
    /// Events toward a peer that stops reading: the exporter posts to every import of a segment, one of them a node that
    /// no longer reads (the proxy forwards nothing to it, and an 8 MiB get of its own fills everything on the way). No
    /// post waits for that node; the node is dropped within the bound (its queue stops draining, or its events overflow
    /// it); a healthy importer of the same segment receives exactly every event.
    /// </summary>
    [ConformanceTest]
    public void TcpFault_SignalStormTowardAPeerThatStopsReading_PosterNeverWaits_PeerDropped()
    {
        const int Posts = 60_000;
        var report = new FaultReport(TestContext, "signal storm toward a stalled peer");
        using var rig = TcpFaultRig.Create(s_longSilence);
        rig.StartWorkers(rig.Shared);
        ProcessResources steady = ProcessResources.Settled(TimeSpan.FromMilliseconds(200), TimeSpan.FromSeconds(5));
        report.Note($"steady: {steady}");

        IImportSegment stalled = rig.ConnectFaulty();
        IImportSegment listener = rig.Healthy[0].Connect(TcpFaultRig.ExporterNode, TcpFaultRig.FaultyId, RsmPermissions.Read);
        rig.Proxy.Latest.StallAfter(ProxyDirection.ToImporter, 0);
        long stalledAt = Environment.TickCount64;
        Task<BoundedOutcome> get = Task.Factory.StartNew(
            () => Bounded.Run(() => stalled.Get(0, new byte[TcpFaultRig.SegmentLength]), TcpFaultRig.StallLimit + TimeSpan.FromSeconds(8), "get of the stalled node"),
            CancellationToken.None,
            TaskCreationOptions.LongRunning,
            TaskScheduler.Default);
        Thread.Sleep(300);
        Progress before = Operations(rig);

        // The healthy importer consumes while the exporter posts, every wait bounded.
        int consumed = 0;
        var counting = Task.Factory.StartNew(() =>
        {
            while (consumed < Posts && TcpPeerCluster.Outcome(() => listener.SignalWait(10_000)) == RsmError.Success)
            {
                consumed++;
            }
        }, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);

        long started = Environment.TickCount64;
        long longestPost = 0;
        RsmError postFailure = RsmError.Success;
        for (int i = 0; i < Posts && postFailure == RsmError.Success; i++)
        {
            long before1 = Environment.TickCount64;
            postFailure = TcpPeerCluster.Outcome(() => rig.FaultySegment.Export.SignalPost());
            longestPost = Math.Max(longestPost, Environment.TickCount64 - before1);
        }

        report.Note($"{Posts} posts in {(Environment.TickCount64 - started) / 1000.0:F2} s");
        report.Expect(postFailure == RsmError.Success, $"every post of the exporter succeeds: {postFailure}");
        report.Expect(longestPost < 1000, $"no post waits for the stalled node: longest post {longestPost} ms");
        report.Expect(counting.Wait(TimeSpan.FromSeconds(60)) && consumed == Posts, $"the healthy importer consumes exactly {Posts} events: {consumed}");
        report.Expect(TcpPeerCluster.Outcome(() => listener.SignalWait(0)) == RsmError.Timeout, "and no more");
        ExpectProgress(report, rig, before, "during the storm");

        // The stalled node is dropped within the bound of its queue; its get reports the abort.
        report.Expect(get.Wait(TcpFaultRig.StallLimit + TimeSpan.FromSeconds(10)), "the stalled node's get returned");
        BoundedOutcome cut = get.Result;
        // The bound runs from the moment the node takes nothing more; filling the kernel's buffers on the way to it first
        // is part of the get, so it gets one second more.
        TimeSpan bound = TcpFaultRig.StallLimit + TimeSpan.FromSeconds(1);
        report.Expect(cut.Returned && cut.Error == RsmError.ConnectionAborted && cut.Took <= bound, $"the stalled node's get gives ConnectionAborted (40) within {bound.TotalSeconds} s: {cut}, {(Environment.TickCount64 - stalledAt) / 1000.0:F2} s after the stall");
        report.Expect(rig.Log.Containing("send timeout", StringComparison.OrdinalIgnoreCase).Count > 0 || rig.Log.Containing("did not take the frames", StringComparison.OrdinalIgnoreCase).Count > 0, "the drop is logged with its reason");
        ExpectAbortedAfterwards(report, stalled);
        listener.Disconnect();
        ExpectProxiedConnectionClosed(report, rig);

        Conclude(report, rig, steady, (rig.Shared, 0), (rig.FaultySegment, 0));
    }

    /// <summary>Scenario 2: the proxy resets both sides in the middle of a 1 MiB put (toward the exporter) or of a 1 MiB get reply (toward the importer).</summary>
    [ConformanceTest]
    [DataRow(ProxyDirection.ToExporter)]
    [DataRow(ProxyDirection.ToImporter)]
    public void TcpFault_ResetInTheMiddleOfATransfer_ImportAbortedAndReleased(ProxyDirection direction)
    {
        var report = new FaultReport(TestContext, $"reset toward {direction}");
        using var rig = TcpFaultRig.Create(s_longSilence);
        rig.StartWorkers(rig.Shared);
        ProcessResources steady = ProcessResources.Settled(TimeSpan.FromMilliseconds(200), TimeSpan.FromSeconds(5));
        report.Note($"steady: {steady}");

        IImportSegment import = rig.ConnectFaulty();
        Progress before = Operations(rig);
        BoundedOutcome transfer = ResetTransfer(rig, import, direction);
        ExpectProgress(report, rig, before, "around the reset");
        report.Expect(transfer.Returned && transfer.Error == RsmError.ConnectionAborted && transfer.Took <= TcpFaultRig.StallLimit, $"the cut {(direction == ProxyDirection.ToExporter ? "put" : "get")} gives ConnectionAborted (40) within {TcpFaultRig.StallLimit.TotalSeconds} s: {transfer}");
        if (direction == ProxyDirection.ToExporter)
        {
            // Half a put arrived at most: the exporter's memory past it is untouched.
            report.Expect(rig.FaultySegment.Memory.GetSpan().Slice(Mebibyte / 2, Mebibyte / 2).SequenceEqual(rig.FaultySegment.Expected(Mebibyte / 2, Mebibyte / 2)), "the second half of the cut put never reached the exporter's memory");
        }

        ExpectAbortedAfterwards(report, import);
        ExpectProxiedConnectionClosed(report, rig);
        Conclude(report, rig, steady, (rig.Shared, 0), (rig.FaultySegment, 0));
    }

    /// <summary>
    /// Scenario 3: a peer sends the header of a 1 MiB put and half its payload, then nothing (RawSilent), or Pings that the
    /// exporter can only take for more payload (RawWithPings), or a real importer's put stalls in the proxy half-way
    /// (ProxiedImporter). A raw peer shows the exporter nothing but silence in a frame, so its bound is the silence limit
    /// (3 s here) plus one keep-alive tick and 1 s; the real importer's own send queue stops draining, so its bound is the
    /// send-stall bound.
    /// </summary>
    [ConformanceTest]
    [DataRow(Stall.RawSilent)]
    [DataRow(Stall.RawWithPings)]
    [DataRow(Stall.ProxiedImporter)]
    public void TcpFault_StallInTheMiddleOfAFrame_Dropped_OthersUnaffected(Stall stall)
    {
        var report = new FaultReport(TestContext, $"stall in a frame, {stall}");
        bool raw = stall != Stall.ProxiedImporter;
        using var rig = TcpFaultRig.Create(raw ? s_shortSilence : s_longSilence);
        rig.StartWorkers(rig.Shared);
        ProcessResources steady = ProcessResources.Settled(TimeSpan.FromMilliseconds(200), TimeSpan.FromSeconds(5));
        report.Note($"steady: {steady}");

        if (raw)
        {
            TimeSpan limit = rig.SilenceLimit + TcpFaultRig.KeepAliveInterval + TimeSpan.FromSeconds(1);
            using RawSegmentPeer peer = RawSegmentPeer.Open(rig.ExporterEndPoint, TcpFaultRig.RawNode, rig.Key);
            peer.ConnectSegment(TcpFaultRig.SharedId);
            Progress before = Operations(rig);
            long started = Environment.TickCount64;
            peer.SendPartialPut(TcpFaultRig.RawRegion, new byte[Mebibyte], Mebibyte / 2);
            if (stall == Stall.RawWithPings)
            {
                peer.StartPinging(TcpFaultRig.KeepAliveInterval / 2);
            }

            TimeSpan? dropped = peer.AwaitDropped(started, limit + TimeSpan.FromSeconds(4));
            ExpectProgress(report, rig, before, "while the raw peer stalled in its put");
            report.Expect(dropped <= limit, $"the raw peer stalled in a frame is dropped within {limit.TotalSeconds} s: {Seconds(dropped)} ({peer.PingsSent} pings sent)");
            if (stall == Stall.RawSilent)
            {
                ExpectDropLogged(report, rig, "silence limit");
            }
            ExpectDrainedToTheEnd(report, rig, peer, dropped);

            // Pings taken for payload land at most a few KiB past the half; the last quarter stays as it was.
            long quarter = TcpFaultRig.RawRegion + (3 * Mebibyte / 4);
            report.Expect(rig.Shared.Memory.GetSpan().Slice((int)quarter, Mebibyte / 4).SequenceEqual(rig.Shared.Expected(quarter, Mebibyte / 4)), "the unsent end of the stalled put never reached the exporter's memory");
        }
        else
        {
            IImportSegment import = rig.ConnectFaulty();
            Progress before = Operations(rig);
            rig.Proxy.Latest.StallAfter(ProxyDirection.ToExporter, Mebibyte / 2);

            // 8 MiB in puts of 1 MiB: the proxy takes half of the first, the kernel's buffers some more, and the rest waits.
            byte[] data = new byte[TcpFaultRig.SegmentLength];
            BoundedOutcome put = Bounded.Run(() => import.Put(0, data), TcpFaultRig.StallLimit + TimeSpan.FromSeconds(6), "put of the stalled importer");
            ExpectProgress(report, rig, before, "while the proxied importer's put stalled");
            report.Expect(put.Returned && put.Error == RsmError.ConnectionAborted && put.Took <= TcpFaultRig.StallLimit, $"the stalled put gives ConnectionAborted (40) within {TcpFaultRig.StallLimit.TotalSeconds} s: {put}");
            ExpectDropLogged(report, rig, "send timeout");
            ExpectAbortedAfterwards(report, import);
            ExpectProxiedConnectionClosed(report, rig);
        }

        Conclude(report, rig, steady, (rig.Shared, 0), (rig.FaultySegment, 0));
    }

    /// <summary>
    /// Scenario 4: a raw peer stops reading on a segment of its own, and that segment is unpublished (then destroyed) or
    /// destroyed while it is stalled. The call returns within the connect timeout plus 1 s, it aborts every importer of
    /// the segment (a well-behaved one included), and the workers on the other segment are not held up.
    /// </summary>
    [ConformanceTest]
    [DataRow(false)]
    [DataRow(true)]
    public void TcpFault_UnpublishOrDestroyWhilePeerStalled_ReturnsInTime_OtherSegmentsUnaffected(bool destroy)
    {
        string operation = destroy ? "destroy" : "unpublish";
        var report = new FaultReport(TestContext, $"{operation} while stalled");
        using var rig = TcpFaultRig.Create(s_longSilence);
        TcpFaultRig.ExportedSegment doomed = rig.Export(0x670003);
        rig.StartWorkers(rig.Shared);
        IImportSegment bystander = rig.Healthy[0].Connect(TcpFaultRig.ExporterNode, doomed.Id, RsmPermissions.ReadWrite);
        _ = bystander.InitBarrier();
        ProcessResources steady = ProcessResources.Settled(TimeSpan.FromMilliseconds(200), TimeSpan.FromSeconds(5));
        report.Note($"steady: {steady}");

        using RawSegmentPeer peer = RawSegmentPeer.Open(rig.ExporterEndPoint, TcpFaultRig.RawNode, rig.Key);
        peer.ConnectSegment(doomed.Id);
        peer.StartPinging(TcpFaultRig.KeepAliveInterval / 2);
        Progress before = Operations(rig);
        long started = Environment.TickCount64;
        peer.SendGets(48, Mebibyte, i => (i % 8) * (long)Mebibyte);

        // Long enough for the kernel's buffers to fill, far from the send-stall bound.
        Thread.Sleep(300);
        TimeSpan callLimit = TcpFaultRig.ConnectTimeout + TimeSpan.FromSeconds(1);
        (BoundedOutcome call, int aborted) = destroy ? rig.Destroy(doomed, callLimit + TimeSpan.FromSeconds(10)) : rig.Unpublish(doomed, callLimit + TimeSpan.FromSeconds(10));
        report.Expect(call.Returned && call.Error == RsmError.Success && call.Took <= callLimit, $"{operation} returns within {callLimit.TotalSeconds} s: {call}");
        report.Expect(aborted == 2, $"{operation} aborted the stalled peer's import and the bystander's: the exporter logged {aborted}");
        TimeSpan? dropped = peer.AwaitDropped(started, TcpFaultRig.StallLimit + TimeSpan.FromSeconds(4));
        ExpectProgress(report, rig, before, $"while the raw peer was stalled and the {operation} ran");
        report.Expect(dropped <= TcpFaultRig.StallLimit, $"the raw peer is dropped within {TcpFaultRig.StallLimit.TotalSeconds} s: {Seconds(dropped)}");
        ExpectDropLogged(report, rig, "send timeout");
        ExpectDrainedToTheEnd(report, rig, peer, dropped, doomed);
        peer.Dispose();

        BoundedOutcome access = Bounded.Run(() => bystander.Get(0, new byte[4096]), TcpFaultRig.ConnectTimeout, "get of the bystander");
        report.Expect(access.Returned && access.Error == RsmError.ConnectionAborted, $"the bystander's next get gives ConnectionAborted (40): {access}");
        BoundedOutcome disconnect = Bounded.Run(bystander.Disconnect, TcpFaultRig.ConnectTimeout, "disconnect of the bystander");
        report.Expect(disconnect.Returned && disconnect.Error == RsmError.Success, $"the bystander disconnects: {disconnect}");
        if (!destroy)
        {
            (BoundedOutcome destroyed, _) = rig.Destroy(doomed, callLimit);
            report.Expect(destroyed.Returned && destroyed.Error == RsmError.Success, $"destroy after the unpublish returns: {destroyed}");
        }

        Conclude(report, rig, steady, (rig.Shared, 0), (rig.FaultySegment, 0));
    }

    /// <summary>
    /// Scenario 5: 100 connections, each reset in the middle of a transfer: a raw peer in the middle of its put or of a
    /// get reply, and node 4 through the proxy, cut toward the exporter in a put or toward itself in a get. Afterwards the
    /// connection threads and sockets are back at their counts.
    /// </summary>
    [ConformanceTest]
    public void TcpFault_HundredResetsInTheMiddleOfTransfers_ThreadsAndSocketsReturnToBaseline()
    {
        const int Resets = 100;
        var report = new FaultReport(TestContext, "100 resets");
        using var rig = TcpFaultRig.Create(s_longSilence);
        rig.StartWorkers(rig.Shared);
        ProcessResources steady = ProcessResources.Settled(TimeSpan.FromMilliseconds(200), TimeSpan.FromSeconds(5));
        report.Note($"steady: {steady}");

        Progress before = Operations(rig);
        var outcomes = new Dictionary<string, int>();
        TimeSpan slowest = TimeSpan.Zero;
        var clock = Stopwatch.StartNew();
        for (int i = 0; i < Resets; i++)
        {
            long started = clock.ElapsedMilliseconds;
            string outcome = (i % 4) switch
            {
                0 => RawReset(rig, midPut: true),
                1 => RawReset(rig, midPut: false),
                2 => ProxiedReset(rig, ProxyDirection.ToExporter, i),
                _ => ProxiedReset(rig, ProxyDirection.ToImporter, i),
            };
            outcomes[outcome] = outcomes.GetValueOrDefault(outcome) + 1;
            TimeSpan took = TimeSpan.FromMilliseconds(clock.ElapsedMilliseconds - started);
            slowest = took > slowest ? took : slowest;
        }

        report.Note($"{Resets} resets in {clock.Elapsed.TotalSeconds:F1} s, slowest {slowest.TotalMilliseconds:F0} ms; proxy connections {rig.Proxy.ConnectionCount}");
        ExpectProgress(report, rig, before, "during the resets");
        string[] expected = ["raw put reset", "raw get reset", "proxied put: ConnectionAborted", "proxied get: ConnectionAborted"];
        report.Expect(outcomes.Count == 4 && expected.All(e => outcomes.GetValueOrDefault(e) == Resets / 4), $"every reset gave the expected outcome: {string.Join(", ", outcomes.Select(o => $"{o.Key} x{o.Value}"))}");
        report.Expect(rig.Proxy.ConnectionCount == Resets / 2, $"node 4 dialed a new connection for each of its {Resets / 2} resets: {rig.Proxy.ConnectionCount}");
        Conclude(report, rig, steady, (rig.Shared, 0), (rig.FaultySegment, 0));
    }

    private static string RawReset(TcpFaultRig rig, bool midPut)
    {
        using RawSegmentPeer peer = RawSegmentPeer.Open(rig.ExporterEndPoint, TcpFaultRig.RawNode, rig.Key);
        peer.ConnectSegment(TcpFaultRig.SharedId);
        if (midPut)
        {
            peer.SendPartialPut(TcpFaultRig.RawRegion, new byte[Mebibyte], Mebibyte / 2);
        }
        else
        {
            // Four replies queued behind the one cut: the exporter is sending when the reset comes.
            peer.SendGets(4, Mebibyte, i => TcpFaultRig.RawRegion + (i * (long)Mebibyte));
            peer.ReceiveExactly(Mebibyte / 2);
        }

        peer.Reset();
        return midPut ? "raw put reset" : "raw get reset";
    }

    private static string ProxiedReset(TcpFaultRig rig, ProxyDirection direction, int round)
    {
        int connections = rig.Proxy.ConnectionCount;
        IImportSegment? import = null;
        BoundedOutcome connected = Bounded.Run(() => import = rig.ConnectFaulty(), TcpFaultRig.ConnectTimeout + TimeSpan.FromSeconds(2), "connect of node 4");
        if (!connected.Returned || connected.Error != RsmError.Success || import is null)
        {
            return $"round {round}: connect {connected}";
        }

        if (rig.Proxy.ConnectionCount != connections + 1)
        {
            return $"round {round}: node 4 did not dial a new connection ({rig.Proxy.ConnectionCount} after {connections})";
        }

        BoundedOutcome transfer = ResetTransfer(rig, import, direction);
        BoundedOutcome disconnect = Bounded.Run(import.Disconnect, TcpFaultRig.ConnectTimeout, "disconnect of node 4");
        string what = direction == ProxyDirection.ToExporter ? "proxied put" : "proxied get";
        return transfer.Returned && transfer.Other is null && disconnect.Error == RsmError.Success ? $"{what}: {transfer.Error}" : $"{what}: {transfer}, disconnect {disconnect}";
    }

    /// <summary>Arms a reset after half a MiB toward <paramref name="direction"/> and moves 1 MiB that way.</summary>
    private static BoundedOutcome ResetTransfer(TcpFaultRig rig, IImportSegment import, ProxyDirection direction)
    {
        rig.Proxy.Latest.ResetAfter(direction, Mebibyte / 2);
        byte[] data = new byte[Mebibyte];
        Action transfer = direction == ProxyDirection.ToExporter ? () => import.Put(0, data) : () => import.Get(0, data);
        return Bounded.Run(transfer, TcpFaultRig.ConnectTimeout + TimeSpan.FromSeconds(2), "cut transfer of node 4");
    }

    /// <summary>After the abort every access reports it (DECISIONS F3) until the importer disconnects, which succeeds.</summary>
    private static void ExpectAbortedAfterwards(FaultReport report, IImportSegment import)
    {
        BoundedOutcome again = Bounded.Run(() => import.Put(TcpFaultRig.FixedRegion, new byte[4096]), TcpFaultRig.ConnectTimeout, "put after the abort");
        report.Expect(again.Returned && again.Error == RsmError.ConnectionAborted, $"the next put of the aborted import gives ConnectionAborted (40): {again}");
        BoundedOutcome disconnect = Bounded.Run(import.Disconnect, TcpFaultRig.ConnectTimeout, "disconnect of the aborted import");
        report.Expect(disconnect.Returned && disconnect.Error == RsmError.Success, $"the aborted import disconnects: {disconnect}");
    }

    private static void ExpectProxiedConnectionClosed(FaultReport report, TcpFaultRig rig)
    {
        ProxiedConnection connection = rig.Proxy.Latest;
        bool closed = connection.Closed.Wait(TimeSpan.FromSeconds(10));
        report.Expect(closed, $"the proxied connection ended: {connection.EndedBy ?? "still open"}");
    }

    /// <summary>
    /// Reads the dropped peer's socket to its end: it must end (end of stream or reset), and the get replies that came
    /// carry the exporter's bytes. How much came depends on the kernel's buffers: a reset discards what this end held,
    /// and only what the exporter had handed to its kernel arrives before an end of stream.
    /// </summary>
    private static void ExpectDrainedToTheEnd(FaultReport report, TcpFaultRig rig, RawSegmentPeer peer, TimeSpan? dropped, TcpFaultRig.ExportedSegment? segment = null)
    {
        if (dropped is null)
        {
            report.Note("the peer was not dropped: its socket is not read");
            return;
        }

        segment ??= rig.Shared;
        DrainResult drained = peer.Drain(TimeSpan.FromSeconds(10), Mebibyte, segment.Expected);
        bool ended = drained.Ending.StartsWith("end of stream", StringComparison.Ordinal) || drained.Ending == "connection reset";
        report.Expect(ended, $"the dropped peer's socket reads to its end, every get reply with the exporter's bytes: {drained}");
    }

    /// <summary>The node that dropped the faulty connection said why in its log (the reason's words, as the connection states them).</summary>
    private static void ExpectDropLogged(FaultReport report, TcpFaultRig rig, string reason)
    {
        long deadline = Environment.TickCount64 + 2000;
        IReadOnlyList<CapturedLog.Entry> entries;
        while ((entries = rig.Log.Containing(reason, StringComparison.OrdinalIgnoreCase)).Count == 0 && Environment.TickCount64 < deadline)
        {
            Thread.Sleep(20);
        }

        report.Expect(entries.Count > 0, $"the drop is logged with its reason ('{reason}'): {(entries.Count > 0 ? entries[0].ToString() : $"no such message among {rig.Log.Entries.Count}")}");
    }

    private static Progress Operations(TcpFaultRig rig) => new([.. rig.Workers.Select(w => w.Operations)], Environment.TickCount64);

    /// <summary>Every worker completed operations since <paramref name="before"/>, judged over at least half a second.</summary>
    private static void ExpectProgress(FaultReport report, TcpFaultRig rig, Progress before, string when)
    {
        long wait = before.At + 500 - Environment.TickCount64;
        if (wait > 0)
        {
            Thread.Sleep((int)wait);
        }

        Progress after = Operations(rig);
        for (int i = 0; i < after.Counts.Length; i++)
        {
            report.Expect(after.Counts[i] > before.Counts[i], $"worker node {rig.Workers[i].Node} completed operations {when}: {after.Counts[i] - before.Counts[i]} in {(after.At - before.At) / 1000.0:F1} s");
        }
    }

    /// <summary>
    /// The checks every scenario ends with: the faulty connections' threads and sockets are gone while the nodes run on;
    /// the workers never failed nor stalled past the bound; destroying each segment returns and finds only the importers
    /// expected (so the exporter released every faulty import); and after the teardown the process is back at its baseline.
    /// </summary>
    private void Conclude(FaultReport report, TcpFaultRig rig, ProcessResources steady, params (TcpFaultRig.ExportedSegment Segment, int ExpectedAborts)[] segments)
    {
        (bool back, ProcessResources now, TimeSpan took) = steady.AwaitReturn(s_resourceLimit);
        report.Expect(back, $"connection threads and sockets are back at the steady count: steady {steady}; now {now} (OS threads allowed {steady.AllowedOsThreads(now)}), after {took.TotalSeconds:F1} s{Opened(steady, now)}");

        // A little more work after the fault, so that a worker the fault broke shows it.
        Thread.Sleep(300);
        report.Note($"workers: {rig.StopWorkers()}");
        rig.SyncWithExporter();
        foreach (ImporterWorker worker in rig.Workers)
        {
            report.Expect(worker.Failure is null, $"worker node {worker.Node} never failed: {worker.Failure ?? "no failure"}");
            report.Expect(worker.MaxOperation <= TcpFaultRig.StallLimit && worker.MaxGap <= TcpFaultRig.StallLimit, $"worker node {worker.Node} never stalled more than {TcpFaultRig.StallLimit.TotalSeconds} s: longest operation {worker.MaxOperation.TotalMilliseconds:F0} ms, longest gap {worker.MaxGap.TotalMilliseconds:F0} ms");
        }

        TimeSpan destroyLimit = TcpFaultRig.ConnectTimeout + TimeSpan.FromSeconds(1);
        foreach ((TcpFaultRig.ExportedSegment segment, int expected) in segments)
        {
            (BoundedOutcome destroyed, int aborted) = rig.Destroy(segment, destroyLimit);
            report.Expect(destroyed.Returned && destroyed.Error == RsmError.Success, $"destroy of segment 0x{segment.Id:x} returns within {destroyLimit.TotalSeconds} s: {destroyed}");
            report.Expect(aborted == expected, $"the exporter had released every faulty import of segment 0x{segment.Id:x}: the destroy aborted {aborted}, expected {expected}");
        }

        rig.Shutdown();
        (back, now, took) = _baseline.AwaitReturn(s_resourceLimit);
        report.Expect(back, $"after the teardown the process is back at its baseline: baseline {_baseline}; now {now} (OS threads allowed {_baseline.AllowedOsThreads(now)}), after {took.TotalSeconds:F1} s{Opened(_baseline, now)}");
        report.Finish(rig.Log);
    }

    private static string Opened(ProcessResources before, ProcessResources now) =>
        now.Sockets > before.Sockets ? $"; sockets still open: {before.NewSockets(now)}" : string.Empty;

    private readonly record struct Progress(long[] Counts, long At);

    private static string Seconds(TimeSpan? time) => time is { } t ? $"after {t.TotalSeconds:F2} s" : "not dropped";
}
