using System.Globalization;

namespace Rsm.Conformance.Tests;

/// <summary>
/// The Lifetime checks of the checklist on providers where each process is a node of its own (Tcp, and Fabric on its
/// Tcp control plane): the exporter's exit and death (item 31, DECISIONS F7), a republish that drops a node with a live
/// connection (item 72, RSMAPI 5.4), and the owner/group/other check against importers under other uids (items 81-84,
/// RSMAPI 5.3, DECISIONS F5). The shared <see cref="LifetimeConformanceTests"/> put several processes on one node id,
/// which these providers do not have, so their harnesses declare that area not applicable and these tests stand in for it.
/// </summary>
/// <remarks>
/// The importer's credentials are those its authenticated node reports in the connect request, and the access list
/// entry that applies is the importing node's. The permission checks run exporter and importers in peers under uid
/// 65534 and other numeric uids, because uid 0 bypasses the check; they are skipped without uid 0 or setpriv.
/// </remarks>
public abstract class NodeLifetimeConformanceTests
{
    private const uint Id = 0x650000;
    private const uint Here = 1;
    private const uint ExporterNode = 2;
    private const uint Owner = 65534;
    private const uint Stranger = 4242;

    private static readonly ConformancePeerIdentity s_owner = new() { Uid = Owner, Gid = Owner, Groups = [] };
    private static readonly ConformancePeerIdentity s_groupMember = new() { Uid = Stranger, Gid = Stranger, Groups = [Owner] };
    private static readonly ConformancePeerIdentity s_other = new() { Uid = Stranger + 1, Gid = Stranger + 1, Groups = [] };

    private readonly string? _fabricProvider;
    private readonly TcpPeerCluster _cluster;

    /// <summary>Runs the checks on Tcp nodes, or on Fabric nodes over <paramref name="fabricProvider"/> when it is given.</summary>
    /// <param name="fabricProvider">The libfabric provider of Fabric nodes; null for Tcp.</param>
    protected NodeLifetimeConformanceTests(string? fabricProvider)
    {
        _fabricProvider = fabricProvider;
        _cluster = fabricProvider is null
            ? new TcpPeerCluster(Here, ExporterNode, 3, 4, 5)
            : TcpPeerCluster.Fabric(fabricProvider, Here, ExporterNode, 3, 4, 5);
    }

    [TestInitialize]
    public void RequireTransport()
    {
        if (_fabricProvider is not null)
        {
            FabricProcessTests.RequireFabric(_fabricProvider);
        }
    }

    [TestCleanup]
    public void Cleanup() => _cluster.Dispose();

    [ConformanceTest]
    public void Spec031_ExporterProcessExitsWithoutCleanup_ImportAbortedAndIdReusedByNewProcess()
    {
        ConformancePeer exporter = StartExporter(ExporterNode, "11223344");
        using IRsmController c = _cluster.Open(Here);
        using IImportSegment import = c.Connect(ExporterNode, Id, RsmPermissions.ReadWrite);
        _ = import.InitBarrier();
        Assert.AreEqual("11223344", Get(import));

        // The process ends without unpublishing or destroying anything; only the kernel closes its sockets.
        exporter.ExitWithoutCleanup();
        Assert.IsTrue(exporter.HasExited, "the exporter process still runs");
        TcpPeerCluster.AwaitAborted(() => TcpPeerCluster.Outcome(() => Get(import)), "the import of an exporter that exited");

        // Like destroy: node 2 comes back in a new process that publishes the same id, and this node connects to it.
        _ = StartExporter(ExporterNode, "55667788");
        using IImportSegment again = c.Connect(ExporterNode, Id, RsmPermissions.ReadWrite);
        _ = again.InitBarrier();
        Assert.AreEqual("55667788", Get(again));

        // The aborted import is not revived by the new segment: it reports 40 until it disconnects (DECISIONS F3).
        Assert.AreEqual(RsmError.ConnectionAborted, TcpPeerCluster.Outcome(() => Get(import)));
    }

    [ConformanceTest]
    public void Spec031_ExporterProcessKilled_PeerImportAbortedMappingReadableAndIdReusedByNewProcess()
    {
        ConformancePeer exporter = StartExporter(ExporterNode, "0102030405060708");
        ConformancePeer importer = _cluster.Start(3);
        Assert.AreEqual("i1", importer.Call(Connect(RsmPermissions.ReadWrite)));
        importer.Call("map i1 600");
        Assert.AreEqual("0102030405060708", importer.Call("get i1 0 8"));

        exporter.Kill();
        TcpPeerCluster.AwaitAborted(() => importer.Outcome("get i1 0 8"), "the import of a killed exporter");

        // The aborted mapping stays readable, never a fault (DECISIONS F7).
        Assert.AreEqual(16, importer.Call("read i1 0 8").Length);

        _ = StartExporter(ExporterNode, "A1A2A3A4A5A6A7A8");
        Assert.AreEqual("i2", importer.Call(Connect(RsmPermissions.ReadWrite)));
        Assert.AreEqual("A1A2A3A4A5A6A7A8", importer.Call("get i2 0 8"));
        Assert.AreEqual(RsmError.ConnectionAborted, importer.Outcome("get i1 0 8"));
    }

    [ConformanceTest]
    public void Spec072_RepublishDropsNodeWithLiveConnection_SecondConnectFromThatNodeDenied()
    {
        TcpPeerCluster.RequireOtherUids();
        ConformancePeer exporter = StartExporter(ExporterNode, "CAFE", "3:666", "4:666");

        // The exporter runs as uid 0 and the importer as 65534: the other digit of 0666 lets it read and write.
        ConformancePeer importer = _cluster.Start(3, TcpPeerCluster.Nobody);
        Assert.AreEqual("i1", importer.Call(Connect(RsmPermissions.ReadWrite)));

        exporter.Call("republish e1 4:666");

        // The live connection keeps its access (item 71) ...
        Assert.AreEqual("CAFE", importer.Call("get i1 0 2"));
        importer.Call("put i1 2 BEEF");
        Assert.AreEqual("CAFEBEEF", exporter.Call("read e1 0 4"));

        // ... while a second connect from its node is checked against the pushed permission 0: 27, not 8 (RSMAPI 5.4).
        Assert.AreEqual(RsmError.PermissionDenied, importer.Outcome(Connect(RsmPermissions.Read)));

        // A node without a live connection that the new list does not name is refused by the exporter: 8.
        ConformancePeer unlisted = _cluster.Start(5, TcpPeerCluster.Nobody);
        Assert.AreEqual(RsmError.SegmentNotPublishedToNode, unlisted.Outcome(Connect(RsmPermissions.Read)));
    }

    [ConformanceTest]
    public void Spec081_Entry0624_SameUidGroupMemberAndOtherImporters()
    {
        TcpPeerCluster.RequireOtherUids();

        // Every importing node's entry is 0624; the exporter runs as uid and gid 65534.
        ConformancePeer exporter = StartExporter(ExporterNode, "0A0B", s_owner, umask: null, "3:624", "4:624", "5:624");

        // Same uid: the owner digit 6.
        ConformancePeer sameUid = _cluster.Start(3, s_owner);
        Assert.AreEqual(RsmError.Success, sameUid.Outcome(Connect(RsmPermissions.ReadWrite)), "same uid, read+write");
        Assert.AreEqual("0A0B", sameUid.Call("get i1 0 2"));

        // Group member with another uid: the group digit 2, write only.
        ConformancePeer member = _cluster.Start(4, s_groupMember);
        Assert.AreEqual(RsmError.Success, member.Outcome(Connect(RsmPermissions.Write)), "group member, write");
        member.Call("put i1 2 0C0D");
        Assert.AreEqual("0A0B0C0D", exporter.Call("read e1 0 4"));
        Assert.AreEqual(RsmError.PermissionDenied, member.Outcome(Connect(RsmPermissions.Read)), "group member, read");

        // Neither owner nor member: the other digit 4, read only.
        ConformancePeer other = _cluster.Start(5, s_other);
        Assert.AreEqual(RsmError.Success, other.Outcome(Connect(RsmPermissions.Read)), "other, read");
        Assert.AreEqual("0A0B0C0D", other.Call("get i1 0 4"));
        Assert.AreEqual(RsmError.PermissionDenied, other.Outcome(Connect(RsmPermissions.Write)), "other, write");
    }

    [ConformanceTest]
    public void Spec082_NoAccessList_CreatorUmask022_OtherUidReadsOnlyAndSameUidReadsAndWrites()
    {
        TcpPeerCluster.RequireOtherUids();

        // Public, with the creator's default mode 0777 & ~022 = 0755, of which 0644 is granted.
        ConformancePeer exporter = StartExporter(ExporterNode, "1234", s_owner, umask: 0x12);

        ConformancePeer other = _cluster.Start(3, s_other);
        Assert.AreEqual(RsmError.Success, other.Outcome(Connect(RsmPermissions.Read)), "other uid, read");
        Assert.AreEqual("1234", other.Call("get i1 0 2"));
        Assert.AreEqual(RsmError.PermissionDenied, other.Outcome(Connect(RsmPermissions.Write)), "other uid, write");

        ConformancePeer sameUid = _cluster.Start(4, s_owner);
        Assert.AreEqual(RsmError.Success, sameUid.Outcome(Connect(RsmPermissions.ReadWrite)), "same uid, read+write");
        sameUid.Call("put i1 2 5678");
        Assert.AreEqual("12345678", exporter.Call("read e1 0 4"));
    }

    [ConformanceTest]
    public void Spec083_NoAccessList_CreatorUmask077_OtherUidReadDenied()
    {
        TcpPeerCluster.RequireOtherUids();

        // Public, with the creator's default mode 0777 & ~077 = 0700: only the owner digit grants anything.
        _ = StartExporter(ExporterNode, "9ABC", s_owner, umask: 0x3F);

        ConformancePeer other = _cluster.Start(3, s_other);
        Assert.AreEqual(RsmError.PermissionDenied, other.Outcome(Connect(RsmPermissions.Read)), "other uid, read");

        // The segment is reachable all the same: the same uid reads through the owner digit.
        ConformancePeer sameUid = _cluster.Start(4, s_owner);
        Assert.AreEqual(RsmError.Success, sameUid.Outcome(Connect(RsmPermissions.Read)), "same uid, read");
        Assert.AreEqual("9ABC", sameUid.Call("get i1 0 2"));
    }

    [ConformanceTest]
    public void Spec084_PrivilegedImporter_ClassDigitZero_ReadWriteSucceeds()
    {
        TcpPeerCluster.RequireOtherUids();

        // The exporter runs as 65534 and grants only its owner; this uid 0 node and the peer of uid 4243 are other, digit 0.
        ConformancePeer exporter = StartExporter(ExporterNode, "DEAD", s_owner, umask: null, "1:600", "3:600");

        ConformancePeer other = _cluster.Start(3, s_other);
        Assert.AreEqual(RsmError.PermissionDenied, other.Outcome(Connect(RsmPermissions.ReadWrite)), "unprivileged other, read+write");

        using IRsmController c = _cluster.Open(Here);
        using IImportSegment import = c.Connect(ExporterNode, Id, RsmPermissions.ReadWrite);
        _ = import.InitBarrier();
        Assert.AreEqual("DEAD", Get(import, 2));
        import.Put(2, [0xBE, 0xEF]);
        Assert.AreEqual("DEADBEEF", exporter.Call("read e1 0 4"));
    }

    /// <summary>Starts node <paramref name="node"/> as a peer running as the test process, exporting e1 with <paramref name="data"/> at offset 0, published as <see cref="Id"/>.</summary>
    private ConformancePeer StartExporter(uint node, string data, params string[] accessList) =>
        StartExporter(node, data, ConformancePeerIdentity.Same, umask: null, accessList);

    /// <summary>Starts node <paramref name="node"/> as a peer under <paramref name="identity"/> and <paramref name="umask"/>, exporting e1 with <paramref name="data"/> at offset 0, published as <see cref="Id"/>.</summary>
    private ConformancePeer StartExporter(uint node, string data, ConformancePeerIdentity identity, uint? umask, params string[] accessList)
    {
        ConformancePeer exporter = _cluster.Start(node, umask is null ? identity : identity with { Umask = umask });
        Assert.AreEqual("e1", exporter.Call("export 4"));
        Assert.AreEqual(Id.ToString("x", CultureInfo.InvariantCulture), exporter.Call(string.Create(CultureInfo.InvariantCulture, $"publish e1 {Id:x} {string.Join(' ', accessList)}").TrimEnd()));
        exporter.Call("write e1 0 " + data);
        return exporter;
    }

    private static string Connect(RsmPermissions permission) =>
        string.Create(CultureInfo.InvariantCulture, $"connect {ExporterNode} {Id:x} {Convert.ToString((int)permission, 8)}");

    private static string Get(IImportSegment import, int count = 4)
    {
        byte[] data = new byte[count];
        import.Get(0, data);
        return Convert.ToHexString(data);
    }
}

/// <summary>The per-node Lifetime checks on Tcp.</summary>
[TestClass]
public sealed class TcpLifetimeConformanceTests() : NodeLifetimeConformanceTests(fabricProvider: null);
