using System.Collections.Concurrent;
using System.Globalization;
using System.Runtime.InteropServices;

namespace Rsm.Conformance;

/// <summary>
/// Conformance area Concurrency: several importers at once on one segment (items 227 and up). Importers of this process
/// run on threads of their own, each on a controller of its own node where the provider has
/// <see cref="ConformanceCapabilities.SecondNode"/>; where it has <see cref="ConformanceCapabilities.SecondProcess"/>, peer
/// processes import too. Every check moves data for a second or two and verifies the exact bytes on the exporter's memory
/// and as read back by the importers, and the exact <see cref="RsmError"/> of every call.
/// </summary>
public abstract partial class ConcurrencyConformanceTests : ConformanceTestBase
{
    /// <summary>Importers of this process in every check (at least four threads).</summary>
    private const int LocalImporters = 4;

    /// <summary>Peer processes that import besides, where the provider starts them.</summary>
    private const int PeerImporters = 2;

    /// <summary>How long a check keeps its importers busy.</summary>
    private const int TrafficMilliseconds = 1000;

    /// <summary>Transfers of each importer in one round of the disjoint-range checks; the exporter checks the last.</summary>
    private const int Repeats = 2;

    /// <summary>The largest size class: 1 MiB + 64 KiB, above the Tcp frame limit of 1 MiB + 64, so a provider must split it.</summary>
    private const int LargestSize = (1 << 20) + (64 << 10);

    /// <summary>What the exporter's memory holds where no importer writes.</summary>
    private const byte Sentinel = 0xE7;

    /// <summary>A bound for waits that are expected to find an event pending or posted soon.</summary>
    private const int EventTimeoutMs = 10_000;

    /// <summary>A wait that must time out because nothing more was posted; long enough for a stray event to arrive.</summary>
    private const int NoEventTimeoutMs = 250;

    private static readonly int[] s_sizes = [8, 4096, (64 << 10) + 1, 256 << 10, 1 << 20, LargestSize];

    private static readonly RsmBarrierMode[] s_modes = [RsmBarrierMode.Implicit, RsmBarrierMode.Explicit];

    private static readonly ConformanceTransferForm[] s_allForms =
    [
        ConformanceTransferForm.Bytes, ConformanceTransferForm.Sized8, ConformanceTransferForm.Sized16,
        ConformanceTransferForm.Sized32, ConformanceTransferForm.Sized64, ConformanceTransferForm.Vector,
    ];

    /// <summary>
    /// Check 227, beyond the checklist: Several importers at once (a node each where the provider has several, and peer
    /// processes where it starts them) put and get disjoint ranges of one segment with get and put, for 8 B, 4 KiB, 64
    /// KiB + 1, 256 KiB, 1 MiB and 1 MiB + 64 KiB, in Implicit and Explicit mode: each reads back its exact bytes, and
    /// the exporter's memory holds each range's last pattern and nothing else changed.
    /// </summary>
    [ConformanceTest]
    public void Spec227_PutAndGet_ImportersOnDisjointRanges_EveryByteExact() =>
        DisjointRanges([ConformanceTransferForm.Bytes]);

    /// <summary>
    /// Check 228, beyond the checklist: As 227 with the sized forms put8/16/32/64 and get8/16/32/64 (put8/get8 for the
    /// bytes that do not fill an element), each importer changing form every round.
    /// </summary>
    [ConformanceTest]
    public void Spec228_SizedPutAndGet_ImportersOnDisjointRanges_EveryByteExact() =>
        DisjointRanges([ConformanceTransferForm.Sized8, ConformanceTransferForm.Sized16, ConformanceTransferForm.Sized32, ConformanceTransferForm.Sized64]);

    /// <summary>
    /// Check 229, beyond the checklist: As 227 with putv and getv, three elements per request, one of them through a
    /// local memory handle; io_residual_count is 0 afterwards.
    /// </summary>
    [ConformanceTest]
    public void Spec229_PutVAndGetV_ImportersOnDisjointRanges_EveryByteExact() =>
        DisjointRanges([ConformanceTransferForm.Vector]);

    /// <summary>
    /// Check 230, beyond the checklist: Importers put64 overlapping ranges at once, in both modes: afterwards each
    /// naturally aligned 8-byte word holds exactly one of the writers that cover it, every importer reads what the
    /// exporter has, and after one importer's final put64 alone the whole range is exactly its words.
    /// </summary>
    [ConformanceTest]
    public void Spec230_Put64_ImportersOnOverlappingRanges_EachWordOneWriterThenLastPutWins()
    {
        IRsmController node = NewController();
        const int Words = LargestSize / 8;
        RsmPageMemory b = NewBuffer((int)((nuint)LargestSize / PS) + 1);
        IExportSegment e = NewExport(node, b.Address, b.Length);
        Assert.AreEqual(Id, e.Publish(Id));
        List<Importer> importers = NewImporters(node, Id, LargestSize);
        int writers = importers.Count;

        // Writer w covers words [w * step, w * step + span): neighbours overlap, and the middle is everyone's.
        int step = Words / (4 * writers);
        int span = Words - ((writers - 1) * step);

        foreach (RsmBarrierMode mode in s_modes)
        {
            b.GetSpan().Clear();
            foreach (Importer importer in importers)
            {
                importer.SetMode(mode);
            }

            RunConcurrently($"overlapping put64 in {mode} mode", importers.Select((importer, w) => (Action)(() =>
                Assert.IsGreaterThanOrEqualTo(1, importer.PutWords((long)w * step * 8, span, w, TrafficMilliseconds), importer.Name))));

            ReadOnlySpan<ulong> found = MemoryMarshal.Cast<byte, ulong>(b.GetSpan()[..LargestSize]);
            var problems = new List<string>();
            var wordsOf = new int[writers];
            for (int j = 0; j < Words; j++)
            {
                int writer = ConformanceTransfer.WriterOf(found[j], j);
                if (writer >= 0 && writer < writers && j >= writer * step && j < (writer * step) + span)
                {
                    wordsOf[writer]++;
                }
                else if (problems.Count < 8)
                {
                    problems.Add(string.Create(CultureInfo.InvariantCulture, $"word {j} (offset {j * 8}) is 0x{found[j]:x16}, writer {writer}"));
                }
                else
                {
                    problems.Add("...");
                    break;
                }
            }

            Assert.IsEmpty(problems, $"{mode} mode: words that are not exactly one covering writer's: {string.Join("; ", problems)} (words per writer: {string.Join(", ", wordsOf)})");
            Assert.IsTrue(b.GetSpan()[LargestSize..].IndexOfAnyExcept((byte)0) < 0, $"{mode} mode: a put64 wrote past its range");

            // Quiet now: every importer reads what the exporter has.
            RunConcurrently($"reading back the overlapping range in {mode} mode", importers.Select(importer => (Action)(() =>
            {
                importer.Get(ConformanceTransferForm.Sized64, 0, LargestSize);
                Assert.IsNull(importer.Differs(b.GetSpan()[..LargestSize]), $"{importer.Name} after {mode} mode");
            })));
        }

        // A final put by one importer alone: its words everywhere, for the exporter and every reader.
        Importer last = importers[0];
        last.SetMode(RsmBarrierMode.Implicit);
        Assert.AreEqual(1, last.PutWords(0, Words, 0, 0));
        ReadOnlySpan<ulong> final = MemoryMarshal.Cast<byte, ulong>(b.GetSpan()[..LargestSize]);
        int wrong = -1;
        for (int j = 0; j < Words && wrong < 0; j++)
        {
            wrong = final[j] == ConformanceTransfer.Word(0, j) ? -1 : j;
        }

        Assert.AreEqual(-1, wrong, $"word {wrong} after the final put64 of {last.Name} is not its word");

        foreach (Importer importer in importers)
        {
            importer.Get(ConformanceTransferForm.Sized64, 0, LargestSize);
            Assert.IsNull(importer.Differs(b.GetSpan()[..LargestSize]), $"{importer.Name} after the final put64");
        }
    }

    /// <summary>
    /// Check 231, beyond the checklist: FetchAdd64 (an addend changing both halves) and FetchAdd32 from several
    /// importers at once on a LockOperations segment give the exact totals, and every addition returned an old value of
    /// its own (DECISIONS L1, L3).
    /// </summary>
    [ConformanceTest]
    public void Spec231_FetchAdd64AndFetchAdd32_ImportersContend_ExactTotals()
    {
        Require(ConformanceCapabilities.LockOperations, "the check counts with lock operations (DECISIONS L1, L3)");
        const long Offset64 = 0;
        const long Offset32 = 64;

        // Both halves of the 64-bit word change with every addition, so a torn one shows.
        const ulong Addend64 = 0x1_0000_0001UL;
        const int PeerAdditions = 5000;
        (RsmPageMemory b, List<Importer> importers) = LockFixture();
        LocalImporter[] locals = [.. importers.OfType<LocalImporter>()];
        PeerImporter[] peers = [.. importers.OfType<PeerImporter>()];
        var olds64 = new List<ulong>[locals.Length];
        var olds32 = new List<uint>[locals.Length];

        RunConcurrently("contended fetch-and-add", locals.Select((importer, k) => (Action)(() =>
        {
            olds64[k] = [];
            olds32[k] = [];
            foreach (int _ in Iterations())
            {
                olds64[k].Add(importer.Import.FetchAdd64(Offset64, Addend64));
                olds32[k].Add(importer.Import.FetchAdd32(Offset32, 1));
            }
        })).Concat(peers.Select(peer => (Action)(() =>
        {
            peer.Peer.Call(string.Create(CultureInfo.InvariantCulture, $"add {peer.Handle} {Offset64} {PeerAdditions} 64 {Addend64}"));
            peer.Peer.Call(string.Create(CultureInfo.InvariantCulture, $"add {peer.Handle} {Offset32} {PeerAdditions} 32 1"));
        }))));

        ulong total = (ulong)olds64.Sum(o => o.Count) + ((ulong)peers.Length * PeerAdditions);
        Assert.AreEqual(total * Addend64, ReadUInt64(b, Offset64), "the 64-bit word lost or gained an addition");
        Assert.AreEqual((uint)total, ReadUInt32(b, Offset32), "the 32-bit word lost or gained an addition");

        // Every addition saw a value of its own: the old values are distinct steps below the total (all of them without peers).
        ulong[] steps64 = [.. olds64.SelectMany(o => o).Select(v => v / Addend64).Order()];
        Assert.IsTrue(olds64.SelectMany(o => o).All(v => v % Addend64 == 0), "a FetchAdd64 returned a value that is no multiple of the addend");
        AssertDistinctBelow(steps64, total, peers.Length == 0, "FetchAdd64");
        AssertDistinctBelow([.. olds32.SelectMany(o => o).Select(v => (ulong)v).Order()], total, peers.Length == 0, "FetchAdd32");
        Assert.AreEqual(total * Addend64, locals[0].Import.FetchAdd64(Offset64, 0));
    }

    /// <summary>
    /// Check 232, beyond the checklist: Counters incremented with CompareExchange64 and CompareExchange32 loops by
    /// several importers at once lose nothing: the totals are exact and every successful exchange saw a value of its
    /// own (DECISIONS L1, L3).
    /// </summary>
    [ConformanceTest]
    public void Spec232_CompareExchangeCounter_ImportersContend_LosesNothing()
    {
        Require(ConformanceCapabilities.LockOperations, "the check counts with lock operations (DECISIONS L1, L3)");
        const long Offset64 = 128;
        const long Offset32 = 192;
        const int PeerIncrements = 2000;
        (RsmPageMemory b, List<Importer> importers) = LockFixture();
        LocalImporter[] locals = [.. importers.OfType<LocalImporter>()];
        PeerImporter[] peers = [.. importers.OfType<PeerImporter>()];
        var won64 = new List<ulong>[locals.Length];
        var won32 = new List<uint>[locals.Length];

        RunConcurrently("compare-exchange counters", locals.Select((importer, k) => (Action)(() =>
        {
            IImportSegment i = importer.Import;
            won64[k] = [];
            won32[k] = [];

            // A compare-exchange of 0 with 0 reads the word: it stores only where the word is 0 already.
            ulong seen64 = i.CompareExchange64(Offset64, 0, 0);
            uint seen32 = i.CompareExchange32(Offset32, 0, 0);
            foreach (int _ in Iterations())
            {
                for (ulong old; (old = i.CompareExchange64(Offset64, seen64 + 1, seen64)) != seen64;)
                {
                    seen64 = old;
                }

                won64[k].Add(seen64++);
                for (uint old; (old = i.CompareExchange32(Offset32, seen32 + 1, seen32)) != seen32;)
                {
                    seen32 = old;
                }

                won32[k].Add(seen32++);
            }
        })).Concat(peers.Select(peer => (Action)(() =>
        {
            peer.Peer.Call(string.Create(CultureInfo.InvariantCulture, $"casadd {peer.Handle} {Offset64} {PeerIncrements} 64"));
            peer.Peer.Call(string.Create(CultureInfo.InvariantCulture, $"casadd {peer.Handle} {Offset32} {PeerIncrements} 32"));
        }))));

        ulong total = (ulong)won64.Sum(w => w.Count) + ((ulong)peers.Length * PeerIncrements);
        Assert.AreEqual(total, ReadUInt64(b, Offset64), "the 64-bit counter lost or gained an increment");
        Assert.AreEqual((uint)total, ReadUInt32(b, Offset32), "the 32-bit counter lost or gained an increment");
        AssertDistinctBelow([.. won64.SelectMany(w => w).Order()], total, peers.Length == 0, "CompareExchange64");
        AssertDistinctBelow([.. won32.SelectMany(w => w).Select(v => (ulong)v).Order()], total, peers.Length == 0, "CompareExchange32");
    }

    /// <summary>
    /// Check 233, beyond the checklist: Several importers post signals at once while the exporter waits: the exporter's
    /// waits, each bounded, consume exactly the number posted, and one more wait gives Timeout (42) (DECISIONS F8).
    /// </summary>
    [ConformanceTest]
    public void Spec233_SignalPost_ImportersStorm_ExporterConsumesExactlyThenTimeout()
    {
        const int PostsEach = 200;
        IRsmController node = NewController();
        RsmPageMemory b = NewBuffer();
        IExportSegment e = NewExport(node, b.Address, L);
        Assert.AreEqual(Id, e.Publish(Id));
        List<Importer> importers = NewImporters(node, Id, 8);
        int expected = importers.Count * PostsEach;

        IEnumerable<Action> posters = importers.Select(importer => (Action)(() =>
        {
            switch (importer)
            {
                case LocalImporter local:
                    for (int n = 0; n < PostsEach; n++)
                    {
                        // NoAccumulate is accepted and ignored: every post counts (DECISIONS F8).
                        local.Import.SignalPost(n % 2 == 0 ? RsmSignalFlags.None : RsmSignalFlags.NoAccumulate);
                    }

                    break;
                case PeerImporter peer:
                    peer.Peer.Call(string.Create(CultureInfo.InvariantCulture, $"posts {peer.Handle} {PostsEach}"));
                    break;
            }
        }));
        Action waiter = () =>
        {
            for (int n = 0; n < expected; n++)
            {
                AssertOutcome(RsmError.Success, () => e.SignalWait(EventTimeoutMs), $"exporter wait {n + 1} of {expected}");
            }
        };

        RunConcurrently("signal storm to the exporter", posters.Append(waiter));

        AssertOutcome(RsmError.Timeout, () => e.SignalWait(NoEventTimeoutMs), $"a wait after {expected} events");
        foreach (LocalImporter importer in importers.OfType<LocalImporter>())
        {
            AssertOutcome(RsmError.Timeout, () => importer.Import.SignalWait(0), $"{importer.Name}: importers' posts go to the exporter only");
        }
    }

    /// <summary>
    /// Check 234, beyond the checklist: The exporter posts signals from two threads to several importers: each
    /// importer's waits consume exactly the number posted, and one more wait gives Timeout (42) (item 144, DECISIONS
    /// F8).
    /// </summary>
    [ConformanceTest]
    public void Spec234_SignalPost_ExporterToSeveralImporters_EachConsumesExactlyThenTimeout()
    {
        const int Posts = 200;
        const int Posters = 2;
        IRsmController node = NewController();
        RsmPageMemory b = NewBuffer();
        IExportSegment e = NewExport(node, b.Address, L);
        Assert.AreEqual(Id, e.Publish(Id));
        List<Importer> importers = NewImporters(node, Id, 8);

        IEnumerable<Action> posters = Enumerable.Range(0, Posters).Select(_ => (Action)(() =>
        {
            for (int n = 0; n < Posts / Posters; n++)
            {
                e.SignalPost();
            }
        }));
        IEnumerable<Action> waiters = importers.Select(importer => (Action)(() =>
        {
            switch (importer)
            {
                case LocalImporter local:
                    for (int n = 0; n < Posts; n++)
                    {
                        AssertOutcome(RsmError.Success, () => local.Import.SignalWait(EventTimeoutMs), $"{local.Name}: wait {n + 1} of {Posts}");
                    }

                    break;
                case PeerImporter peer:
                    peer.Peer.Call(string.Create(CultureInfo.InvariantCulture, $"waits {peer.Handle} {Posts} {EventTimeoutMs}"));
                    break;
            }
        }));

        RunConcurrently("exporter posting to several importers", posters.Concat(waiters));

        RunConcurrently("one more wait of each importer", importers.Select(importer => (Action)(() =>
        {
            RsmError more = importer switch
            {
                LocalImporter local => Outcome(() => local.Import.SignalWait(NoEventTimeoutMs)),
                PeerImporter peer => peer.Peer.Outcome(string.Create(CultureInfo.InvariantCulture, $"wait {peer.Handle} {NoEventTimeoutMs}")),
                _ => RsmError.InternalError,
            };
            Assert.AreEqual(RsmError.Timeout, more, $"{importer.Name}: a wait after {Posts} events");
        })));

        AssertOutcome(RsmError.Timeout, () => e.SignalWait(0), "the exporter's posts go to the importers only");
    }

    /// <summary>
    /// Check 235, beyond the checklist: Importers that loop connect, put, get, disconnect while others move data all
    /// the time: every call succeeds and every byte is exact, on the importers and in the exporter's memory.
    /// </summary>
    [ConformanceTest]
    public void Spec235_ConnectDisconnectChurn_DuringTraffic_AllSucceedBytesExact()
    {
        IRsmController node = NewController();
        int slot = SlotLength(LocalImporters + PeerImporters);
        RsmPageMemory b = NewBuffer(slot * (LocalImporters + PeerImporters) / (int)PS);
        b.GetSpan().Fill(Sentinel);
        IExportSegment e = NewExport(node, b.Address, b.Length);
        Assert.AreEqual(Id, e.Publish(Id));
        List<Importer> importers = NewImporters(node, Id, LargestSize);

        // Every other importer churns: connect, put, get, disconnect; the others move data all the time.
        foreach (Importer churner in importers.Where((_, k) => k % 2 == 1))
        {
            churner.Disconnect();
        }

        var last = new (int Size, uint Seed)[importers.Count];
        var cycles = new int[importers.Count];
        RunConcurrently("connect/disconnect churn during traffic", importers.Select((importer, k) => (Action)(() =>
        {
            bool churn = k % 2 == 1;
            long offset = RangeOffset(k, slot);
            foreach (int n in Iterations(minimum: 4, maximum: int.MaxValue))
            {
                if (churn)
                {
                    importer.Connect();
                }

                importer.SetMode(s_modes[n % s_modes.Length]);
                int size = s_sizes[(n / s_allForms.Length) % s_sizes.Length];
                uint seed = (uint)((k << 20) + n + 1);
                importer.Transfer(s_allForms[n % s_allForms.Length], offset, size, seed);
                last[k] = (size, seed);
                if (churn)
                {
                    importer.Disconnect();
                }

                cycles[k]++;
            }
        })));

        for (int k = 0; k < importers.Count; k++)
        {
            Span<byte> mine = b.GetSpan().Slice(k * slot, slot);
            int head = (int)(RangeOffset(k, slot) - (k * slot));
            Assert.IsTrue(mine[..head].IndexOfAnyExcept(Sentinel) < 0, $"{importers[k].Name}: bytes before its range changed");
            int at = ConformanceTransfer.FirstMismatch(mine.Slice(head, last[k].Size), RangeOffset(k, slot), last[k].Seed);
            Assert.AreEqual(-1, at, $"{importers[k].Name} ({cycles[k]} cycles): the exporter's byte {at} of its last {last[k].Size}-byte put");
        }
    }

    /// <summary>
    /// Check 236, beyond the checklist: Unpublish and publish again with the same id, in a loop, during traffic: every
    /// importer call gives exactly Success or ConnectionAborted (40) (connect SegmentNotPublished (7) while
    /// unpublished), an aborted import keeps giving 40 until it reconnects (DECISIONS F3), nothing hangs, and fresh
    /// connections afterwards move exact bytes.
    /// </summary>
    [ConformanceTest]
    public void Spec236_UnpublishRepublish_DuringTraffic_OnlySuccessOrConnectionAborted()
    {
        IRsmController node = NewController();
        int parties = LocalImporters + PeerImporters;
        int slot = SlotLength(parties);
        RsmPageMemory b = NewBuffer(slot * parties / (int)PS);
        b.GetSpan().Fill(Sentinel);
        IExportSegment e = NewExport(node, b.Address, b.Length);
        Assert.AreEqual(Id, e.Publish(Id));
        List<Importer> importers = NewImporters(node, Id, LargestSize);
        var outcomes = new ConcurrentDictionary<(string Call, RsmError Outcome), int>();
        int exporterCycles = 0;
        var exporterDone = new ManualResetEventSlim();
        Defer(exporterDone.Dispose);

        void Record(string call, RsmError outcome, string who, params RsmError[] allowed)
        {
            outcomes.AddOrUpdate((call, outcome), 1, static (_, n) => n + 1);
            if (Array.IndexOf(allowed, outcome) < 0)
            {
                throw new AssertFailedException($"{who}: {call} gave {outcome} ({(int)outcome}); allowed: {string.Join(", ", allowed)}");
            }
        }

        // True when every call succeeded; false when one reported the abort (each call gives exactly 0 or 40).
        var abortedBy = new ConcurrentDictionary<Importer, string>();
        bool Step(Importer importer, string call, Action action)
        {
            RsmError outcome = Outcome(action);
            Record(call, outcome, importer.Name, RsmError.Success, RsmError.ConnectionAborted);
            if (outcome != RsmError.Success)
            {
                abortedBy[importer] = call;
            }

            return outcome == RsmError.Success;
        }

        Action exporter = () =>
        {
            try
            {
                long deadline = Environment.TickCount64 + (TrafficMilliseconds * 3 / 2);
                do
                {
                    Thread.Sleep(15);
                    AssertOutcome(RsmError.Success, e.Unpublish, "unpublish");
                    Thread.Sleep(2);
                    Assert.AreEqual(Id, e.Publish(Id), "publish again with the same id");
                    exporterCycles++;
                }
                while (Environment.TickCount64 < deadline || exporterCycles < 3);
            }
            finally
            {
                exporterDone.Set();
            }
        };

        IEnumerable<Action> traffic = importers.Select((importer, k) => (Action)(() =>
        {
            long offset = RangeOffset(k, slot);
            long giveUp = Environment.TickCount64 + (long)s_joinLimit.TotalMilliseconds / 2;
            int connections = 0;
            for (int n = 0; !exporterDone.IsSet; n++)
            {
                Assert.IsLessThan(giveUp, Environment.TickCount64, $"{importer.Name}: still looping after {s_joinLimit.TotalSeconds / 2} s");
                if (!importer.IsConnected)
                {
                    // Connect while unpublished gives SegmentNotPublished (7): try again.
                    RsmError connected = Outcome(importer.Connect);
                    Record("connect", connected, importer.Name, RsmError.Success, RsmError.SegmentNotPublished);
                    if (connected != RsmError.Success)
                    {
                        Thread.Sleep(1);
                        continue;
                    }

                    if (!Step(importer, "set mode", () => importer.SetMode(s_modes[connections++ % s_modes.Length])))
                    {
                        Aborted(importer);
                        continue;
                    }
                }

                // Up to 256 KiB, so that the importers come round to the exporter's unpublish often; the final transfers are the largest.
                ConformanceTransferForm form = s_allForms[n % s_allForms.Length];
                int size = s_sizes[(n / s_allForms.Length) % (s_sizes.Length - 2)];
                uint seed = (uint)((k << 20) + n + 1);
                // getv and putv check no generation (RSMAPI 3.5): in either mode only a close barrier tells whether the
                // import was aborted meanwhile, so their bytes are judged only after one.
                bool bracket = importer.Mode == RsmBarrierMode.Explicit || form == ConformanceTransferForm.Vector;
                string mode = importer.Mode.ToString();
                bool ok = (!bracket || Step(importer, $"open ({mode})", importer.Open))
                    && Step(importer, $"{form} put ({mode})", () => importer.Put(form, offset, size, seed))
                    && (!bracket || Step(importer, $"close after put ({mode})", importer.Close))
                    && (!bracket || Step(importer, $"open ({mode})", importer.Open))
                    && Step(importer, $"{form} get ({mode})", () => importer.Get(form, offset, size))
                    && (!bracket || Step(importer, $"close after get ({mode})", importer.Close));
                if (ok)
                {
                    // Nothing aborted since connect: the put landed and the get read it.
                    if (importer.Mismatch(offset, size, seed) is { } problem)
                    {
                        throw new AssertFailedException($"{importer.Describe(form, offset, size, seed)}: every call succeeded, but read back {problem}");
                    }
                }
                else
                {
                    Aborted(importer);
                }
            }
        }));

        void Aborted(Importer importer)
        {
            // DECISIONS F3: once aborted, an import reports 40 until it disconnects and connects again: every implicit
            // access, and every close barrier in either mode.
            string who = $"{importer.Name}, after its {abortedBy.GetValueOrDefault(importer, "?")} gave ConnectionAborted (40)";
            if (importer.Mode == RsmBarrierMode.Implicit)
            {
                Record("get after the abort (Implicit)", Outcome(() => importer.Get(ConformanceTransferForm.Bytes, 0, 8)), who, RsmError.ConnectionAborted);
            }

            string mode = importer.Mode.ToString();
            Record($"open after the abort ({mode})", Outcome(importer.Open), who, RsmError.Success, RsmError.ConnectionAborted);
            Record($"close after the abort ({mode})", Outcome(importer.Close), who, RsmError.ConnectionAborted);

            Record("disconnect", Outcome(importer.Disconnect), who, RsmError.Success);
        }

        RunConcurrently("unpublish and republish during traffic", traffic.Append(exporter));

        string summary = string.Join(", ", outcomes.OrderBy(o => o.Key.Call, StringComparer.Ordinal).Select(o => $"{o.Key.Call} {o.Key.Outcome}: {o.Value}"));
        Assert.IsGreaterThanOrEqualTo(3, exporterCycles);
        Assert.IsTrue(outcomes.Keys.Any(o => o.Outcome == RsmError.ConnectionAborted), $"no importer saw an abort in {exporterCycles} unpublish cycles: {summary}");

        // Published again: a fresh connection of every importer works in both modes, and its bytes land.
        uint finalSeed = 0xF1000000;
        for (int k = 0; k < importers.Count; k++)
        {
            Importer importer = importers[k];
            if (importer.IsConnected)
            {
                importer.Disconnect();
            }

            importer.Connect();
            foreach (RsmBarrierMode mode in s_modes)
            {
                importer.SetMode(mode);
                importer.Transfer(ConformanceTransferForm.Bytes, RangeOffset(k, slot), LargestSize, finalSeed + (uint)k);
            }

            int at = ConformanceTransfer.FirstMismatch(b.GetSpan().Slice((int)RangeOffset(k, slot), LargestSize), RangeOffset(k, slot), finalSeed + (uint)k);
            Assert.AreEqual(-1, at, $"{importer.Name}: the exporter's byte {at} after the final put ({summary})");
        }
    }

    /// <summary>
    /// Every importer puts and gets a range of its own of one segment, all at once, for every size class in both barrier
    /// modes; round r gives importer k form <c>forms[(k + r) % forms.Length]</c>. After each round the exporter's whole
    /// memory is checked: each range holds its importer's last pattern, every other byte is still the sentinel.
    /// </summary>
    private void DisjointRanges(ConformanceTransferForm[] forms)
    {
        IRsmController node = NewController();
        int parties = LocalImporters + ((Harness.Capabilities & ConformanceCapabilities.SecondProcess) != 0 ? PeerImporters : 0);
        int slot = SlotLength(parties);
        RsmPageMemory b = NewBuffer(slot * parties / (int)PS);
        IExportSegment e = NewExport(node, b.Address, b.Length);
        Assert.AreEqual(Id, e.Publish(Id));
        List<Importer> importers = NewImporters(node, Id, LargestSize);
        Assert.HasCount(parties, importers);
        uint nextSeed = 1;

        foreach (RsmBarrierMode mode in s_modes)
        {
            foreach (Importer importer in importers)
            {
                importer.SetMode(mode);
            }

            foreach (int size in s_sizes)
            {
                for (int round = 0; round < forms.Length; round++)
                {
                    b.GetSpan().Fill(Sentinel);
                    uint firstSeed = nextSeed;
                    nextSeed += (uint)(parties * Repeats);
                    int r = round;
                    string what = string.Create(CultureInfo.InvariantCulture, $"{mode} mode, {size} bytes, round {round}");

                    RunConcurrently(what, importers.Select((importer, k) => (Action)(() =>
                    {
                        ConformanceTransferForm form = forms[(k + r) % forms.Length];
                        for (int rep = 0; rep < Repeats; rep++)
                        {
                            importer.Transfer(form, RangeOffset(k, slot), size, firstSeed + (uint)((k * Repeats) + rep));
                        }
                    })));

                    for (int k = 0; k < parties; k++)
                    {
                        uint lastSeed = firstSeed + (uint)((k * Repeats) + Repeats - 1);
                        Span<byte> mine = b.GetSpan().Slice(k * slot, slot);
                        int head = (int)(RangeOffset(k, slot) - (k * slot));
                        string who = $"{what}, {importers[k].Name}, {forms[(k + r) % forms.Length]}";
                        Assert.IsTrue(mine[..head].IndexOfAnyExcept(Sentinel) < 0, $"{who}: the exporter's bytes before the range changed");
                        int at = ConformanceTransfer.FirstMismatch(mine.Slice(head, size), RangeOffset(k, slot), lastSeed);
                        Assert.AreEqual(-1, at, $"{who}: the exporter's byte {at} of the range is not the last pattern put");
                        int after = mine[(head + size)..].IndexOfAnyExcept(Sentinel);
                        Assert.AreEqual(-1, after, $"{who}: the exporter's byte {after} after the range changed");
                    }
                }
            }
        }
    }

    /// <summary>A four-page segment with <see cref="ExportFlags.LockOperations"/>, published, and its importers.</summary>
    private (RsmPageMemory Memory, List<Importer> Importers) LockFixture()
    {
        IRsmController node = NewController();
        RsmPageMemory b = NewBuffer();
        IExportSegment e = NewExport(node, b.Address, L, ExportFlags.LockOperations);
        Assert.AreEqual(Id, e.Publish(Id));
        return (b, NewImporters(node, Id, 8));
    }

    /// <summary>Iteration numbers for one traffic period: at least <paramref name="minimum"/>, at most <paramref name="maximum"/>.</summary>
    private static IEnumerable<int> Iterations(int minimum = 100, int maximum = 100_000)
    {
        long deadline = Environment.TickCount64 + TrafficMilliseconds;
        for (int n = 0; n < maximum && (n < minimum || Environment.TickCount64 < deadline); n++)
        {
            yield return n;
        }
    }

    /// <summary>
    /// Fails unless <paramref name="sorted"/> holds distinct values below <paramref name="total"/>, and, where
    /// <paramref name="complete"/>, every one of them: each operation saw a counter value of its own.
    /// </summary>
    private static void AssertDistinctBelow(ulong[] sorted, ulong total, bool complete, string operation)
    {
        for (int n = 0; n < sorted.Length; n++)
        {
            if (n > 0 && sorted[n] == sorted[n - 1])
            {
                Assert.Fail($"{operation}: two operations saw the counter at {sorted[n]}");
            }

            Assert.IsLessThan(total, sorted[n], $"{operation}: an operation saw the counter at {sorted[n]}, not below the total {total}");
        }

        if (complete)
        {
            Assert.AreEqual(total, (ulong)sorted.Length, $"{operation}: the values seen are not every one from 0 to {total - 1}");
        }
    }

    /// <summary>The bytes of the segment an importer owns: its largest range, the offset below and a guard page.</summary>
    private static int SlotLength(int parties) =>
        (int)(((((nuint)(LargestSize + (8 * parties))) + PS - 1) / PS * PS) + PS);

    /// <summary>Where importer <paramref name="k"/>'s range starts: in its slot, 8-byte aligned, at a different page offset for each.</summary>
    private static long RangeOffset(int k, int slot) => ((long)k * slot) + (8 * k);

    private static ulong ReadUInt64(RsmPageMemory b, long offset) => MemoryMarshal.Read<ulong>(b.GetSpan()[(int)offset..]);

    private static uint ReadUInt32(RsmPageMemory b, long offset) => MemoryMarshal.Read<uint>(b.GetSpan()[(int)offset..]);
}
