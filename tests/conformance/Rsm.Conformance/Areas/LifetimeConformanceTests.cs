using System.Globalization;

namespace Rsm.Conformance;

/// <summary>
/// Conformance area Lifetime: what only a second process can show. The exporter's exit and death (item 31, F7), the
/// importer's death, zero-copy sharing, events between processes, and the owner/group/other check against importers
/// running under other uids (items 81-84, F5). Peers are started through <see cref="RsmConformanceHarness.StartPeer"/>.
/// Items 30, 36, 57, 62 and 70 need a segment handle inside a second process, which .NET handles cannot reach (DECISIONS F13).
/// </summary>
public abstract class LifetimeConformanceTests : ConformanceTestBase
{
    private static readonly TimeSpan s_abortLimit = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan s_releaseLimit = TimeSpan.FromSeconds(10);

    private const uint Nobody = 65534;

    /// <summary>
    /// Checklist item 31 (RSMAPI section 9): Process exit of the exporter behaves like destroy (importers aborted, id
    /// reusable).
    /// </summary>
    [ConformanceTest]
    public void Spec031_ExporterProcessExits_ImporterAbortedAndIdReusable()
    {
        ConformancePeer exporter = NewPeer();
        PeerExport(exporter, "e1", Id);
        IRsmController c = NewController();
        IImportSegment i = NewImport(c, 1, Id, RsmPermissions.ReadWrite);
        _ = i.InitBarrier();
        byte[] data = new byte[8];
        i.Get(0, data);

        exporter.ExitWithoutCleanup();
        AwaitAborted(i);

        // Like destroy: the id is free again, here for a segment of this process.
        RsmPageMemory b = NewBuffer();
        IExportSegment e = NewExport(c, b.Address, L);
        Assert.AreEqual(Id, e.Publish(Id));
        IImportSegment again = NewImport(c, 1, Id, RsmPermissions.ReadWrite);
        _ = again.InitBarrier();
        AssertOutcome(RsmError.Success, () => again.Get(0, data));
    }

    /// <summary>
    /// Checklist item 31 (RSMAPI section 9): Process exit of the exporter behaves like destroy (importers aborted, id
    /// reusable).
    /// </summary>
    [ConformanceTest]
    public void Spec031_ExporterKilled_ImporterAbortedWithinOneSecondAndNothingRemains()
    {
        ConformancePeer exporter = NewPeer();
        PeerExport(exporter, "e1", Id);
        exporter.Call("write e1 0 0102030405060708");
        IRsmController c = NewController();
        ProcessTraces before = ProcessTraces.Read();

        IImportSegment i = c.Connect(1, Id, RsmPermissions.ReadWrite);
        IRsmMapping mapping = i.Map(RsmPermissions.ReadWrite, 0, i.Length);
        Assert.AreEqual(0x01, mapping.GetSpan()[0]);

        exporter.Kill();
        _ = i.InitBarrier();
        AwaitAborted(i);

        // The aborted mapping stays readable and never faults (DECISIONS F7).
        _ = mapping.GetSpan()[0];
        i.Unmap();
        i.Disconnect();

        ProcessTraces after = ProcessTraces.Read();
        Assert.AreEqual(before, after, "descriptors and mappings of the segment remain in the importer");
        Assert.AreEqual(0, Harness.FindSegmentTraces(1, Id).Count, "the segment's rendezvous remains: " + string.Join("; ", Harness.FindSegmentTraces(1, Id)));
    }

    /// <summary>
    /// Check 221, beyond the checklist: The death of an importing process releases its connection at the exporter: its
    /// descriptors close and its node is judged by the access list again.
    /// </summary>
    [ConformanceTest]
    public void Spec221_ImporterProcessKilled_ExporterReleasesItsConnection()
    {
        // Checked before anything is published to node 2, which a provider without a second node refuses.
        RequirePeer(2);
        IRsmController c = NewController();
        RsmPageMemory b = NewBuffer();
        IExportSegment e = NewExport(c, b.Address, L);
        e.Publish(Id, [new RsmAccessEntry(2, Mode0666)]);
        ProcessTraces before = ProcessTraces.Read();
        ConformancePeer importer = NewPeer(2);
        _ = importer.Call(string.Create(CultureInfo.InvariantCulture, $"connect 1 {Id:x} 600"));
        importer.Kill();

        // The exporter drops the dead importer's socket and eventfd ...
        AwaitTrue(() => ProcessTraces.Read() == before, s_releaseLimit, $"the exporter still holds the dead importer's descriptors: before {before}, now {ProcessTraces.Read()}");

        // ... and its node's live connection, so node 2 is judged by the new access list again: 8, not 27 (items 72-73).
        e.Republish([new RsmAccessEntry(3, Mode0666)]);
        ConformancePeer next = NewPeer(2);
        Assert.AreEqual(RsmError.SegmentNotPublishedToNode, next.Outcome(string.Create(CultureInfo.InvariantCulture, $"connect 1 {Id:x} 400")));
    }

    /// <summary>
    /// Check 222, beyond the checklist: Zero copy across processes: the exporter's stores through its own pointer
    /// appear in an importer's mapping without any get, and the importer's stores through its mapping appear in the
    /// exporter's memory.
    /// </summary>
    [ConformanceTest]
    public void Spec222_ZeroCopy_ExporterPointerAndImporterMappingAreTheSamePages()
    {
        Require(ConformanceCapabilities.CoherentMapping, "item 222 checks that a mapping is the exporter's own pages, with no barrier between a store and its sight");
        // Exporter in the peer: its own pointer's stores appear in this process's mapping without any get, and back.
        ConformancePeer peer = NewPeer();
        PeerExport(peer, "e1", Id);
        IRsmController c = NewController();
        IImportSegment i = NewImport(c, 1, Id, RsmPermissions.ReadWrite);
        Span<byte> mapped = i.Map(RsmPermissions.ReadWrite, 0, i.Length).GetSpan();
        peer.Call("write e1 4096 A1B2C3D4");
        CollectionAssert.AreEqual(new byte[] { 0xA1, 0xB2, 0xC3, 0xD4 }, mapped.Slice(4096, 4).ToArray());
        mapped[100] = 0x5A;
        mapped[101] = 0xA5;
        Assert.AreEqual("5AA5", peer.Call("read e1 100 2"));

        // Exporter here: stores through the exported buffer itself reach the peer's mapping, and back.
        RsmPageMemory b = NewBuffer();
        IExportSegment e = NewExport(c, b.Address, L);
        e.Publish(Id + 1);
        peer.Call(string.Create(CultureInfo.InvariantCulture, $"connect 1 {Id + 1:x} 600"));
        peer.Call("map i1 600");
        b.GetSpan()[8192] = 0x77;
        Assert.AreEqual("77", peer.Call("read i1 8192 1"));
        peer.Call("write i1 12 0C0D");
        Assert.AreEqual(0x0C, b.GetSpan()[12]);
        Assert.AreEqual(0x0D, b.GetSpan()[13]);
    }

    /// <summary>
    /// Check 223, beyond the checklist: Signals cross processes in both directions and count (DECISIONS F8).
    /// </summary>
    [ConformanceTest]
    public void Spec223_Signals_CrossProcessesBothWaysAndCount()
    {
        IRsmController c = NewController();
        RsmPageMemory b = NewBuffer();
        IExportSegment e = NewExport(c, b.Address, L);
        e.Publish(Id);
        ConformancePeer peer = NewPeer(2);
        peer.Call(string.Create(CultureInfo.InvariantCulture, $"connect 1 {Id:x} 600"));

        e.SignalPost();
        e.SignalPost();
        Assert.AreEqual(RsmError.Success, peer.Outcome("wait i1 30000"));
        Assert.AreEqual(RsmError.Success, peer.Outcome("wait i1 30000"));
        Assert.AreEqual(RsmError.Timeout, peer.Outcome("wait i1 0"), "two posts are two events, not more (DECISIONS F8)");

        peer.Call("post i1");
        AssertOutcome(RsmError.Success, () => e.SignalWait(30000));
        AssertOutcome(RsmError.Timeout, () => e.SignalWait(0));
    }

    /// <summary>
    /// Check 224, beyond the checklist: A segment id published by another process of the same node gives SegmentIdInUse
    /// (24) until that process lets go.
    /// </summary>
    [ConformanceTest]
    public void Spec224_SegmentIdHeldByAnotherProcessOfTheNode_SegmentIdInUse()
    {
        ConformancePeer peer = NewPeer();
        PeerExport(peer, "e1", Id);
        IRsmController c = NewController();
        RsmPageMemory b = NewBuffer();
        IExportSegment e = NewExport(c, b.Address, L);

        AssertOutcome(RsmError.SegmentIdInUse, () => e.Publish(Id));

        // Once the other process lets go, the id is free.
        peer.Call("unpublish e1");
        Assert.AreEqual(Id, e.Publish(Id));
        Assert.AreEqual(RsmError.SegmentIdInUse, peer.Outcome(string.Create(CultureInfo.InvariantCulture, $"publish e1 {Id:x}")));
    }

    /// <summary>
    /// Check 225, beyond the checklist: Auto-assigned segment ids are unique among the processes of one node.
    /// </summary>
    [ConformanceTest]
    public void Spec225_AutoIds_UniqueAmongTheNodesProcesses()
    {
        ConformancePeer peer = NewPeer();
        peer.Call("export 4");
        uint peerId = uint.Parse(peer.Call("publish e1 0"), NumberStyles.HexNumber, CultureInfo.InvariantCulture);
        IRsmController c = NewController();
        RsmPageMemory b = NewBuffer();
        IExportSegment e = NewExport(c, b.Address, L);

        uint mine = e.Publish(0);

        Assert.AreNotEqual(peerId, mine);
        Assert.IsGreaterThanOrEqualTo(0x80000000u, mine);
        Assert.IsGreaterThanOrEqualTo(0x80000000u, peerId);
    }

    /// <summary>
    /// Check 226, beyond the checklist: Lock operations are atomic between processes: concurrent FetchAdd64 from two
    /// processes loses no increment (DECISIONS L3).
    /// </summary>
    [ConformanceTest]
    public void Spec226_LockOperations_AtomicBetweenProcesses()
    {
        const int Increments = 20000;
        IRsmController c = NewController();
        RsmPageMemory b = NewBuffer();
        IExportSegment e = NewExport(c, b.Address, L, ExportFlags.LockOperations);
        e.Publish(Id);
        IImportSegment i = NewImport(c, 1, Id, RsmPermissions.ReadWrite);
        ConformancePeer peer = NewPeer(2);
        peer.Call(string.Create(CultureInfo.InvariantCulture, $"connect 1 {Id:x} 600"));

        Task other = Task.Run(() => peer.Call(string.Create(CultureInfo.InvariantCulture, $"add i1 64 {Increments}")));
        for (int n = 0; n < Increments; n++)
        {
            _ = i.FetchAdd64(64, 1);
        }

        AwaitBounded(other);
        Assert.AreEqual((ulong)(2 * Increments), i.FetchAdd64(64, 0), "an increment was lost between the processes");
    }

    /// <summary>
    /// Checklist item 81 (RSMAPI section 9): ACL {local, 0624}: same uid RDWR → 0; group member (different uid) WRITE →
    /// 0, READ → 27; other READ → 0, WRITE → 27.
    /// </summary>
    [ConformanceTest]
    public void Spec081_Entry0624_GroupMemberAndOtherUidImporters()
    {
        RequireIdentitySwitch();
        IRsmController c = NewController();
        RsmPageMemory b = NewBuffer();
        IExportSegment e = NewExport(c, b.Address, L);
        e.Publish(Id, [new RsmAccessEntry(1, Mode0624)]);
        uint creatorGid = Engine.RsmCredentials.ReadCurrent().Gid;

        // Group member, different uid: the group digit 2 (write only) decides.
        ConformancePeer member = NewPeer(1, new ConformancePeerIdentity { Uid = Nobody, Gid = Nobody, Groups = [creatorGid] });
        Assert.AreEqual(RsmError.Success, member.Outcome(Connect(RsmPermissions.Write)), "group member, write");
        Assert.AreEqual(RsmError.PermissionDenied, member.Outcome(Connect(RsmPermissions.Read)), "group member, read");

        // Neither owner nor member: the other digit 4 (read only) decides.
        ConformancePeer other = NewPeer(1, new ConformancePeerIdentity { Uid = Nobody, Gid = Nobody, Groups = [] });
        Assert.AreEqual(RsmError.Success, other.Outcome(Connect(RsmPermissions.Read)), "other, read");
        Assert.AreEqual(RsmError.PermissionDenied, other.Outcome(Connect(RsmPermissions.Write)), "other, write");
    }

    /// <summary>
    /// Checklist item 82 (RSMAPI section 9): No ACL, creator umask 022: different-uid non-member READ → 0, WRITE → 27;
    /// same uid RDWR → 0.
    /// </summary>
    [ConformanceTest]
    public void Spec082_NoAccessList_CreatorUmask022_OtherUidReadsButCannotWrite()
    {
        RequireIdentitySwitch();
        ConformancePeer exporter = NewPeer(1, new ConformancePeerIdentity { Umask = 0x12 });
        PeerExport(exporter, "e1", Id);
        ConformancePeer other = NewPeer(1, new ConformancePeerIdentity { Uid = Nobody, Gid = Nobody, Groups = [] });

        Assert.AreEqual(RsmError.Success, other.Outcome(Connect(RsmPermissions.Read)), "other, read under 0755");
        Assert.AreEqual(RsmError.PermissionDenied, other.Outcome(Connect(RsmPermissions.Write)), "other, write under 0755");
    }

    /// <summary>
    /// Checklist item 83 (RSMAPI section 9): No ACL, creator umask 077: different uid READ → 27.
    /// </summary>
    [ConformanceTest]
    public void Spec083_NoAccessList_CreatorUmask077_OtherUidCannotRead()
    {
        RequireIdentitySwitch();
        ConformancePeer exporter = NewPeer(1, new ConformancePeerIdentity { Umask = 0x3F });
        PeerExport(exporter, "e1", Id);
        ConformancePeer other = NewPeer(1, new ConformancePeerIdentity { Uid = Nobody, Gid = Nobody, Groups = [] });

        Assert.AreEqual(RsmError.PermissionDenied, other.Outcome(Connect(RsmPermissions.Read)), "other, read under 0700");
    }

    /// <summary>
    /// Checklist item 84 (RSMAPI section 9): Privileged importer (IPC DAC read+write) requesting RDWR where the class
    /// digit is 0 → 0.
    /// </summary>
    [ConformanceTest]
    public void Spec084_PrivilegedImporter_OtherUidExporterClassDigitZero_Succeeds()
    {
        RequireIdentitySwitch();

        // The exporter runs as nobody and grants only its owner; this root importer falls in the other class, digit 0.
        ConformancePeer exporter = NewPeer(1, new ConformancePeerIdentity { Uid = Nobody, Gid = Nobody, Groups = [] });
        exporter.Call("export 4");
        exporter.Call(string.Create(CultureInfo.InvariantCulture, $"publish e1 {Id:x} 1:600"));
        IRsmController c = NewController();

        AssertOutcome(RsmError.Success, () => c.Connect(1, Id, RsmPermissions.ReadWrite).Dispose());
    }

    // The permission checks below need an unprivileged importer (uid 0 bypasses the check, DECISIONS F5). A root test
    // process runs them with exporter and importer both as peers under uid 65534, so they run in the root run too.

    /// <summary>
    /// Checklist item 59 (RSMAPI section 9): ACL entry permission 0 for the importing node → connect with perm 0
    /// succeeds, perm READ → 27.
    /// </summary>
    [ConformanceTest]
    public void Spec059_EntryPermissionZero_ReadDenied_UnprivilegedPeers()
    {
        (ConformancePeer exporter, ConformancePeer importer) = NobodyPair();
        exporter.Call(Publish("1:0"));

        Assert.AreEqual(RsmError.PermissionDenied, importer.Outcome(Connect(RsmPermissions.Read)));
    }

    /// <summary>
    /// Checklist item 72 (RSMAPI section 9): After 71, with the first importer still connected, a second connect from
    /// that node with perm READ → PERM_DENIED (27).
    /// </summary>
    [ConformanceTest]
    public void Spec072_RepublishToPermissionZero_SameNodeConnectDenied_UnprivilegedPeers()
    {
        (ConformancePeer exporter, ConformancePeer importer) = NobodyPair();
        exporter.Call(Publish());
        importer.Call(Connect(RsmPermissions.ReadWrite));

        exporter.Call("republish e1 1:0");

        Assert.AreEqual(RsmError.PermissionDenied, importer.Outcome(Connect(RsmPermissions.Read)));
    }

    /// <summary>
    /// Checklist item 72 (RSMAPI section 9): After 71, with the first importer still connected, a second connect from
    /// that node with perm READ → PERM_DENIED (27).
    /// </summary>
    [ConformanceTest]
    public void Spec072_DroppedNodeWithLiveConnection_ConnectDenied_UnprivilegedPeers()
    {
        (ConformancePeer exporter, ConformancePeer importer) = NobodyPair(importerNode: 2);
        exporter.Call(Publish("1:666", "2:666"));
        importer.Call(Connect(RsmPermissions.ReadWrite));

        exporter.Call("republish e1 1:666");

        // Node 2 still holds a live connection, so the pushed permission 0 decides: 27, not 8 (RSMAPI 5.4).
        Assert.AreEqual(RsmError.PermissionDenied, importer.Outcome(Connect(RsmPermissions.Read)));
    }

    /// <summary>
    /// Checklist item 74 (RSMAPI section 9): republish to an empty ACL restores public access based on the creator's
    /// umask.
    /// </summary>
    [ConformanceTest]
    public void Spec074_RepublishEmptyList_CreatorDefaultMode_UnprivilegedPeers()
    {
        (ConformancePeer exporter, ConformancePeer importer) = NobodyPair();
        exporter.Call(Publish("1:0"));
        Assert.AreEqual(RsmError.PermissionDenied, importer.Outcome(Connect(RsmPermissions.ReadWrite)), "before republish");

        exporter.Call("republish e1");

        // Same uid, umask 022: the owner digit 6 of 0755 decides (RSMAPI 5.1).
        Assert.AreEqual(RsmError.Success, importer.Outcome(Connect(RsmPermissions.ReadWrite)), "after republish");
    }

    /// <summary>
    /// Checklist item 81 (RSMAPI section 9): ACL {local, 0624}: same uid RDWR → 0; group member (different uid) WRITE →
    /// 0, READ → 27; other READ → 0, WRITE → 27.
    /// </summary>
    [ConformanceTest]
    public void Spec081_Entry0624_SameUidReadWrite_UnprivilegedPeers()
    {
        (ConformancePeer exporter, ConformancePeer importer) = NobodyPair();
        exporter.Call(Publish("1:624"));

        Assert.AreEqual(RsmError.Success, importer.Outcome(Connect(RsmPermissions.ReadWrite)));
    }

    /// <summary>
    /// Checklist item 81 (RSMAPI section 9): ACL {local, 0624}: same uid RDWR → 0; group member (different uid) WRITE →
    /// 0, READ → 27; other READ → 0, WRITE → 27.
    /// </summary>
    [ConformanceTest]
    public void Spec081_SameUidOwnerDigitWriteOnly_ReadDeniedWriteAllowed_UnprivilegedPeers()
    {
        (ConformancePeer exporter, ConformancePeer importer) = NobodyPair();
        exporter.Call(Publish("1:246"));

        // The same uid is judged by the owner digit only, even when group and other would allow more (RSMAPI 5.3).
        Assert.AreEqual(RsmError.PermissionDenied, importer.Outcome(Connect(RsmPermissions.Read)), "read");
        Assert.AreEqual(RsmError.PermissionDenied, importer.Outcome(Connect(RsmPermissions.ReadWrite)), "read+write");
        Assert.AreEqual(RsmError.Success, importer.Outcome(Connect(RsmPermissions.Write)), "write");
    }

    /// <summary>
    /// Checklist item 82 (RSMAPI section 9): No ACL, creator umask 022: different-uid non-member READ → 0, WRITE → 27;
    /// same uid RDWR → 0.
    /// </summary>
    [ConformanceTest]
    public void Spec082_NoAccessList_Umask022_SameUidReadWrite_UnprivilegedPeers()
    {
        (ConformancePeer exporter, ConformancePeer importer) = NobodyPair();
        exporter.Call(Publish());

        Assert.AreEqual(RsmError.Success, importer.Outcome(Connect(RsmPermissions.ReadWrite)));
    }

    private static string Publish(params string[] accessList) =>
        string.Create(CultureInfo.InvariantCulture, $"publish e1 {Id:x} {string.Join(' ', accessList)}").TrimEnd();

    /// <summary>An exporter peer on node 1 (umask 022, one segment e1 of four pages) and an importer peer, both uid 65534.</summary>
    private (ConformancePeer Exporter, ConformancePeer Importer) NobodyPair(uint importerNode = 1)
    {
        RequireIdentitySwitch();
        var nobody = new ConformancePeerIdentity { Uid = Nobody, Gid = Nobody, Groups = [], Umask = 0x12 };
        ConformancePeer exporter = NewPeer(1, nobody);
        Assert.AreEqual("e1", exporter.Call("export 4"));
        return (exporter, NewPeer(importerNode, nobody));
    }

    private static string Connect(RsmPermissions permission) =>
        string.Create(CultureInfo.InvariantCulture, $"connect 1 {Id:x} {Convert.ToString((int)permission, 8)}");

    private static void PeerExport(ConformancePeer peer, string handle, uint segmentId)
    {
        Assert.AreEqual(handle, peer.Call("export 4"));
        Assert.AreEqual(segmentId.ToString("x", CultureInfo.InvariantCulture), peer.Call(string.Create(CultureInfo.InvariantCulture, $"publish {handle} {segmentId:x}")));
    }

    /// <summary>The import's next access reports 40 within one second of the exporter's death.</summary>
    private static void AwaitAborted(IImportSegment import)
    {
        byte[] data = new byte[8];
        AwaitTrue(() => Outcome(() => import.Get(0, data)) == RsmError.ConnectionAborted, s_abortLimit, "the importer did not see CONN_ABORTED (40) within one second");
    }

    private static void AwaitTrue(Func<bool> condition, TimeSpan limit, string message)
    {
        long deadline = Environment.TickCount64 + (long)limit.TotalMilliseconds;
        while (!condition())
        {
            Assert.IsLessThan(deadline, Environment.TickCount64, message);
            Thread.Sleep(5);
        }
    }

    private ConformancePeer NewPeer(uint nodeId = 1, ConformancePeerIdentity? identity = null)
    {
        RequirePeer(nodeId);
        ConformancePeer peer = Harness.StartPeer(new ConformanceNodeOptions { NodeId = nodeId }, identity ?? ConformancePeerIdentity.Same);
        Defer(peer.Dispose);
        return peer;
    }

    /// <summary>Skips the check unless the provider runs a second process, as another node when <paramref name="nodeId"/> is not 1.</summary>
    private void RequirePeer(uint nodeId)
    {
        Require(ConformanceCapabilities.SecondProcess, "the check observes a second process");
        if (nodeId != 1)
        {
            Require(ConformanceCapabilities.SecondNode, $"the check's peer process is node {nodeId}");
        }
    }

    private void RequireIdentitySwitch()
    {
        Require(ConformanceCapabilities.SecondUid, "the check needs an importer or exporter under another uid");
        if (!Engine.RsmCredentials.ReadCurrent().IsPrivileged)
        {
            Assert.Inconclusive("starting a peer under another uid needs uid 0; the tests run unprivileged (the root run covers this check)");
        }

        if (!File.Exists("/usr/bin/setpriv") && !File.Exists("/bin/setpriv"))
        {
            Assert.Inconclusive("setpriv (util-linux) is not installed; .ci/run installs it");
        }
    }

    /// <summary>The descriptors and shared mappings of this process that a segment could leave behind.</summary>
    private sealed record ProcessTraces(int Sockets, int Memfds, int EventFds, int MemfdMappings)
    {
        public static ProcessTraces Read()
        {
            int sockets = 0;
            int memfds = 0;
            int eventfds = 0;
            foreach (string fd in Directory.EnumerateFiles("/proc/self/fd"))
            {
                string? target;
                try
                {
                    target = new FileInfo(fd).LinkTarget;
                }
                catch (IOException)
                {
                    continue;
                }

                sockets += target?.StartsWith("socket:", StringComparison.Ordinal) == true ? 1 : 0;
                memfds += target?.StartsWith("/memfd:", StringComparison.Ordinal) == true ? 1 : 0;
                eventfds += target == "anon_inode:[eventfd]" ? 1 : 0;
            }

            // The runtime maps its own executable memory from a memfd (doublemapper) as code is compiled: those do not count.
            int mappings = File.ReadLines("/proc/self/maps").Count(static line =>
                line.Contains("/memfd:", StringComparison.Ordinal) && !line.Contains("doublemapper", StringComparison.Ordinal));
            return new ProcessTraces(sockets, memfds, eventfds, mappings);
        }
    }
}
