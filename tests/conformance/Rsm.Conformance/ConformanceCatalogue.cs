namespace Rsm.Conformance;

/// <summary>
/// The checklist items of RSMAPI section 9 that the suite does not turn into tests, each with the reason:
/// checks a .NET signature makes impossible (DECISIONS D9), and checks that need a peer process, another uid or
/// handles that cross processes, which the suite cannot drive yet (DECISIONS F13).
/// </summary>
public static class ConformanceCatalogue
{
    private const string NullOutPointer = "DECISIONS D9: the C form passes a NULL out-pointer; ";
    private const string NullAccessList = "DECISIONS D9: the C form passes a NULL access list with a non-zero length; the .NET access list is a ReadOnlySpan<RsmAccessEntry> that carries its own length, so a null list with length > 0 cannot be expressed";
    private const string WrongHandleType = "DECISIONS D9: the C form passes a handle of the other kind; the .NET signature is typed, so the call does not compile";

    private static readonly (int Item, string Reason)[] s_notApplicable =
    [
        (1, NullOutPointer + "IRsmControllerFactory.GetController returns the controller instead of writing it through a pointer."),
        (8, NullOutPointer + "IRsmController.GetAttributes returns the attributes instead of writing them through a pointer."),
        (12, NullOutPointer + "IRsmController.CreateExportSegment returns the segment instead of writing it through a pointer."),
        (42, WrongHandleType + ": Rebind is a member of IExportSegment and cannot be called on an import segment."),
        (43, NullOutPointer + "IExportSegment.Publish takes the segment id by value and returns the id used, so there is no segment_id pointer to be NULL."),
        (44, NullOutPointer + "IExportSegment.Publish has no segment_id pointer; the id-before-handle order cannot be observed. The destroyed-handle part is item 45."),
        (46, NullAccessList + "."),
        (48, WrongHandleType + ": Publish is a member of IExportSegment and cannot be called on an import segment."),
        (57, NullAccessList + " (the NULL-list part of item 57; the NOT_CREATOR part needs a handle in another process, see ItemsNeedingPeer)."),
        (68, NullAccessList + " (the NULL-list part of item 68; the state-before-access-list order is tested with an invalid non-empty list)."),
        (69, NullAccessList + " (the NULL-list form of item 69; BadAccessList from republish on a published segment is tested with an invalid non-empty list)."),
        (96, WrongHandleType + ": get is a member of IImportSegment and cannot be called on an export segment."),
        (118, NullOutPointer + "IImportSegment.Map returns the mapping instead of writing its address through a pointer (the NULL-address part of item 118; the disconnected-handle part stays testable)."),
        (120, WrongHandleType + ": Map is a member of IImportSegment and cannot be called on an export segment."),
        (133, "DECISIONS D9: open, order, close and destroy are members of RsmBarrier, so there is no barrier pointer to be NULL; the NULL-barrier part of item 131 (InitBarrier with a null barrier) stays testable."),
        (150, NullOutPointer + "RsmPoll.Wait returns the count instead of writing it through numfdsp (the NULL-numfdsp part of item 150; the rest stays testable)."),
        (155, NullOutPointer + "IRsmController.CreateLocalMemoryHandle returns the handle instead of writing it through a pointer (the NULL l_handle part of item 155; its other parts stay testable)."),
        (158, NullOutPointer + "IRsmController.GetInterconnectTopology returns the topology, so BAD_TOPOLOGY_PTR (2) cannot be provoked, and the managed result has no interior pointers or free function (the NULL topology part of item 158; the local node id part stays testable)."),
    ];

    private static readonly (int Item, ConformanceCapabilities Needs, string Reason)[] s_needingPeer =
    [
        (30, ConformanceCapabilities.CrossProcessHandles, "destroy by a process other than the creator needs the segment handle in a second process (DECISIONS F13)."),
        (31, ConformanceCapabilities.SecondProcess, "the exit of the exporting process can only be observed from a second process (tested in the Lifetime area where the provider starts peers)."),
        (36, ConformanceCapabilities.CrossProcessHandles, "NOT_CREATOR (12) from rebind needs the segment handle in a process other than the creator (DECISIONS F13)."),
        (57, ConformanceCapabilities.CrossProcessHandles, "NOT_CREATOR (12) from publish needs the segment handle in a process other than the creator (DECISIONS F13)."),
        (62, ConformanceCapabilities.CrossProcessHandles, "NOT_CREATOR (12) from unpublish needs the segment handle in a process other than the creator (DECISIONS F13)."),
        (70, ConformanceCapabilities.CrossProcessHandles, "NOT_CREATOR (12) from republish needs the segment handle in a process other than the creator (DECISIONS F13)."),
        (81, ConformanceCapabilities.SecondUid, "the group-member and other parts need an importer under another uid (tested in the Lifetime area where the provider starts peers); the same-uid part is tested everywhere."),
        (82, ConformanceCapabilities.SecondUid, "the different-uid parts need an importer under another uid (tested in the Lifetime area where the provider starts peers); the same-uid part is tested everywhere."),
        (83, ConformanceCapabilities.SecondUid, "needs an importer under another uid and an exporter running with umask 077 (tested in the Lifetime area where the provider starts peers)."),
    ];

    private static readonly Dictionary<int, string> s_beyondChecklist = new()
    {
        [200] = "CompareExchange32 returns the old value and stores only on a match (DECISIONS L1).",
        [201] = "CompareExchange64 returns the old value and stores only on a match (DECISIONS L1).",
        [202] = "Exchange32 and Exchange64 return the old value and store the new one (DECISIONS L1).",
        [203] = "FetchAdd32 and FetchAdd64 return the old value and add with wrap-around; get sees the result (DECISIONS L1).",
        [204] = "Lock operations on a segment created without ExportFlags.LockOperations give LocksNotEnabled (29) (DECISIONS L2).",
        [205] = "A lock operation at an offset that is not a multiple of the word size gives BadMemoryAlignment (17).",
        [206] = "A lock operation outside the segment or the mapped window gives BadOffset (18).",
        [207] = "A lock operation needs ReadWrite: Read or Write importers get PermissionDenied (27).",
        [208] = "Lock operations are atomic against the exporter's own atomics and other importers: no update is lost (DECISIONS L3).",
        [209] = "Lock operations succeed on a flagged segment (or give LocksNotSupported (28) where the capability is missing), give BadSegmentHandle (5) after disconnect and ConnectionAborted (40) after a forced disconnect.",
        [210] = "No call returns 19, 37 or 45, and 28/29 come only from lock operations (DECISIONS F10).",
        [211] = "SignalWaitAsync completes when an event is posted while it waits, consuming that event.",
        [212] = "A cancelled SignalWaitAsync ends as cancelled and consumes nothing.",
        [213] = "Each event completes exactly one of several SignalWaitAsync waiters (DECISIONS F8).",
        [214] = "SignalWaitAsync on an import that is disconnected while it waits ends with BadSegmentHandle (5) instead of hanging (DECISIONS D7).",
        [215] = "SignalWaitAsync with no event before its timeout ends with Timeout (42).",
        [216] = "ConnectAsync connects like Connect: same segment, length and Implicit mode.",
        [217] = "ConnectAsync reports the errors of Connect (SegmentNotPublished (7), PermissionDenied (27)) through its task.",
        [218] = "ConnectAsync with a cancelled token ends as cancelled and connects nothing.",
        [219] = "Gets on several threads racing with unpublish never fault and end with ConnectionAborted (40) (DECISIONS F7).",
        [220] = "Connects and disconnects on several threads while the exporter republishes leave the segment's state consistent.",
        [221] = "The death of an importing process releases its connection at the exporter: its descriptors close and its node is judged by the access list again.",
        [222] = "Zero copy across processes: the exporter's stores through its own pointer appear in an importer's mapping without any get, and the importer's stores through its mapping appear in the exporter's memory.",
        [223] = "Signals cross processes in both directions and count (DECISIONS F8).",
        [224] = "A segment id published by another process of the same node gives SegmentIdInUse (24) until that process lets go.",
        [225] = "Auto-assigned segment ids are unique among the processes of one node.",
        [226] = "Lock operations are atomic between processes: concurrent FetchAdd64 from two processes loses no increment (DECISIONS L3).",
        [227] = "Several importers at once (a node each where the provider has several, and peer processes where it starts them) put and get disjoint ranges of one segment with get and put, for 8 B, 4 KiB, 64 KiB + 1, 256 KiB, 1 MiB and 1 MiB + 64 KiB, in Implicit and Explicit mode: each reads back its exact bytes, and the exporter's memory holds each range's last pattern and nothing else changed.",
        [228] = "As 227 with the sized forms put8/16/32/64 and get8/16/32/64 (put8/get8 for the bytes that do not fill an element), each importer changing form every round.",
        [229] = "As 227 with putv and getv, three elements per request, one of them through a local memory handle; io_residual_count is 0 afterwards.",
        [230] = "Importers put64 overlapping ranges at once, in both modes: afterwards each naturally aligned 8-byte word holds exactly one of the writers that cover it, every importer reads what the exporter has, and after one importer's final put64 alone the whole range is exactly its words.",
        [231] = "FetchAdd64 (an addend changing both halves) and FetchAdd32 from several importers at once on a LockOperations segment give the exact totals, and every addition returned an old value of its own (DECISIONS L1, L3).",
        [232] = "Counters incremented with CompareExchange64 and CompareExchange32 loops by several importers at once lose nothing: the totals are exact and every successful exchange saw a value of its own (DECISIONS L1, L3).",
        [233] = "Several importers post signals at once while the exporter waits: the exporter's waits, each bounded, consume exactly the number posted, and one more wait gives Timeout (42) (DECISIONS F8).",
        [234] = "The exporter posts signals from two threads to several importers: each importer's waits consume exactly the number posted, and one more wait gives Timeout (42) (item 144, DECISIONS F8).",
        [235] = "Importers that loop connect, put, get, disconnect while others move data all the time: every call succeeds and every byte is exact, on the importers and in the exporter's memory.",
        [236] = "Unpublish and publish again with the same id, in a loop, during traffic: every importer call gives exactly Success or ConnectionAborted (40) (connect SegmentNotPublished (7) while unpublished), an aborted import keeps giving 40 until it reconnects (DECISIONS F3), nothing hangs, and fresh connections afterwards move exact bytes.",
        [250] = "A put in every form (put, put8-put64, putv) through a mapping made with Read only gives PermissionDenied (27) and changes nothing; gets still work (DECISIONS D10).",
        [251] = "A get in every form (get, get8-get64, getv) through a mapping made with Write only gives PermissionDenied (27) and reads nothing; puts still work (DECISIONS D10).",
        [252] = "A lock operation through a mapping made with Read only gives PermissionDenied (27) and leaves the word unchanged (DECISIONS D10).",
    };

    private static readonly Dictionary<int, string> s_notApplicableItems = BuildNotApplicable();

    private static readonly (Dictionary<int, ConformanceCapabilities> Needs, Dictionary<int, string> Reasons) s_peerItems = BuildNeedingPeer();

    /// <summary>The checks beyond RSMAPI section 9, numbered from 200, with what each one checks (227 and up: the Concurrency area).</summary>
    public static IReadOnlyDictionary<int, string> BeyondChecklist => s_beyondChecklist;

    /// <summary>Items that are not applicable in .NET, with the reason (the item number is that of RSMAPI section 9).
    /// An item listed here may still have tests for its other parts; the reason says which part is meant.</summary>
    public static IReadOnlyDictionary<int, string> NotApplicableInDotNet => s_notApplicableItems;

    /// <summary>Items (or parts of items) whose tests need a peer the suite cannot drive yet, with the capability they need.</summary>
    public static IReadOnlyDictionary<int, ConformanceCapabilities> ItemsNeedingPeer => s_peerItems.Needs;

    /// <summary>Why each item of <see cref="ItemsNeedingPeer"/> needs a peer.</summary>
    public static IReadOnlyDictionary<int, string> ItemsNeedingPeerReasons => s_peerItems.Reasons;

    private static Dictionary<int, string> BuildNotApplicable() => s_notApplicable.ToDictionary(e => e.Item, e => e.Reason);

    private static (Dictionary<int, ConformanceCapabilities> Needs, Dictionary<int, string> Reasons) BuildNeedingPeer()
    {
        var needs = new Dictionary<int, ConformanceCapabilities>();
        var why = new Dictionary<int, string>();
        foreach ((int item, ConformanceCapabilities capability, string reason) in s_needingPeer)
        {
            needs.Add(item, capability);
            why.Add(item, reason);
        }

        return (needs, why);
    }
}
