using System.Globalization;
using System.Runtime.InteropServices;
using Microsoft.Extensions.DependencyInjection;
using Rsm.Engine;
using Rsm.Interop;
using Rsm.Providers.SharedMemory.Internal;
using Rsm.Providers.SharedMemory.Interop;

namespace Rsm.Conformance.Tests;

/// <summary>
/// Where the SharedMemory exporter gets an importer's credentials (DECISIONS F5): uid and gid from <c>SO_PEERCRED</c>,
/// the supplementary groups from <c>SO_PEERGROUPS</c>, both read from the rendezvous socket; when a part cannot be read
/// the connect is refused with PERM_DENIED (27), except that uid 0 needs no groups. Every peer request is bounded by the
/// peer's reply limit, and every peer is killed at cleanup.
/// </summary>
[TestClass]
public sealed class SharedMemoryCredentialTests
{
    private const uint Id = 0x620000;
    private const uint Mode0624 = 0x194;
    private const uint Mode0640 = 0x1A0;
    private const uint Mode0666 = 0x1B6;
    private const uint Nobody = 65534;
    private const int ENOPROTOOPT = 92;
    private const int ENOTSOCK = 88;
    private readonly string _prefix = $"rsm-credentials/{Environment.ProcessId}/{Guid.NewGuid():N}";
    private readonly List<IDisposable> _cleanup = [];
    private ServiceProvider? _services;

    [TestCleanup]
    public void Cleanup()
    {
        for (int i = _cleanup.Count - 1; i >= 0; i--)
        {
            _cleanup[i].Dispose();
        }

        _services?.Dispose();
    }

    [ConformanceTest]
    public void Read_UnixSocketPair_BothEndsReportThisProcess()
    {
        string name = $"{_prefix}/pair";
        using var listener = Rendezvous.Listen(name)!;
        using var client = Rendezvous.Connect(name, TimeSpan.FromSeconds(5))!;
        using var server = Rendezvous.Accept(listener)!;
        RsmCredentials me = RsmCredentials.ReadCurrent();

        RsmCredentials ofClient = PeerCredentialReader.Kernel.Read(server);
        RsmCredentials ofServer = PeerCredentialReader.Kernel.Read(client);

        foreach (RsmCredentials seen in new[] { ofClient, ofServer })
        {
            Assert.AreEqual(me.Uid, seen.Uid, "uid");
            Assert.AreEqual(me.Gid, seen.Gid, "gid");
            CollectionAssert.AreEquivalent(me.Groups.Distinct().ToArray(), seen.Groups.Distinct().ToArray(), $"groups: getgroups gave [{string.Join(',', me.Groups)}], SO_PEERGROUPS [{string.Join(',', seen.Groups)}]");
            Assert.AreEqual(Environment.ProcessId, seen.ProcessId, "pid");
        }
    }

    [ConformanceTest]
    public void Read_UnconnectedSocket_PermissionDenied()
    {
        // The kernel holds no peer credentials for a socket that never connected: SO_PEERCRED reports uid -1, SO_PEERGROUPS fails.
        using var socket = Sockets.socket(Sockets.AF_UNIX, Sockets.SOCK_SEQPACKET | Sockets.SOCK_CLOEXEC, 0);
        Assert.IsFalse(socket.IsInvalid, "socket(2) failed");

        RsmException ex = Assert.ThrowsExactly<RsmException>(() => PeerCredentialReader.Kernel.Read(socket));

        Assert.AreEqual(RsmError.PermissionDenied, ex.Error);
    }

    [ConformanceTest]
    public void Read_MoreGroupsThanTheFirstBuffer_RetriesWithTheLengthTheKernelAsksFor()
    {
        uint[] groups = [.. Enumerable.Range(3000, PeerCredentialReader.FirstGroupCapacity + 9).Select(static g => (uint)g)];
        var calls = new List<(int Name, int Capacity)>();
        var reader = new PeerCredentialReader((SafeDescriptorHandle _, int name, Span<byte> value, out int length) =>
        {
            calls.Add((name, value.Length));
            if (name == Sockets.SO_PEERCRED)
            {
                var ucred = new Sockets.PeerCredentials { ProcessId = 4242, Uid = 1001, Gid = 1001 };
                MemoryMarshal.Write(value, in ucred);
                length = Marshal.SizeOf<Sockets.PeerCredentials>();
                return 0;
            }

            length = groups.Length * sizeof(uint);
            if (value.Length < length)
            {
                return Sockets.ERANGE;
            }

            MemoryMarshal.AsBytes(groups.AsSpan()).CopyTo(value);
            return 0;
        });
        using var socket = Sockets.socket(Sockets.AF_UNIX, Sockets.SOCK_SEQPACKET | Sockets.SOCK_CLOEXEC, 0);

        RsmCredentials read = reader.Read(socket);

        CollectionAssert.AreEqual(groups, read.Groups.ToArray());
        Assert.AreEqual(1001u, read.Uid);
        CollectionAssert.AreEqual(
            new[] { (Sockets.SO_PEERCRED, 12), (Sockets.SO_PEERGROUPS, PeerCredentialReader.FirstGroupCapacity * 4), (Sockets.SO_PEERGROUPS, groups.Length * 4) },
            calls.ToArray());
    }

    [ConformanceTest]
    public void Connect_PeerGroupsUnreadable_PermissionDenied()
    {
        SharedMemoryProvider provider = Provider();
        IRsmController exporter = Controller(1);
        PublishPage(exporter, Id, new RsmAccessEntry(2, Mode0666));
        Func<RsmError> connect = UnprivilegedImporter(2, Id, RsmPermissions.Read, out Func<string> lastMessage);
        Assert.AreEqual(RsmError.Success, connect(), "with the kernel's credentials the importer is admitted");

        // A kernel before 4.13 has no SO_PEERGROUPS and answers ENOPROTOOPT.
        provider.PeerCredentials = Failing(Sockets.SO_PEERGROUPS, ENOPROTOOPT);
        RsmError refused = connect();

        Assert.AreEqual(RsmError.PermissionDenied, refused);
        StringAssert.Contains(lastMessage(), "could not read this process's credentials");
    }

    [ConformanceTest]
    public void Connect_PeerCredUnreadable_PermissionDenied()
    {
        SharedMemoryProvider provider = Provider();
        IRsmController exporter = Controller(1);
        PublishPage(exporter, Id, new RsmAccessEntry(2, Mode0666));
        IRsmController importer = Controller(2);
        importer.Connect(1, Id, RsmPermissions.Read).Dispose();
        provider.PeerCredentials = Failing(Sockets.SO_PEERCRED, ENOTSOCK);

        // Without a uid nothing can be judged, not even the uid-0 bypass: whoever runs the test is refused.
        RsmException ex = Assert.ThrowsExactly<RsmException>(() => importer.Connect(1, Id, RsmPermissions.Read).Dispose());

        Assert.AreEqual(RsmError.PermissionDenied, ex.Error);
    }

    [ConformanceTest]
    public void Connect_PeerGroupsUnreadableForUid0_Admitted()
    {
        RequireRoot("the check needs an importer with uid 0");
        SharedMemoryProvider provider = Provider();
        IRsmController exporter = Controller(1);
        PublishPage(exporter, Id, new RsmAccessEntry(2, Mode0666));
        IRsmController importer = Controller(2);
        provider.PeerCredentials = Failing(Sockets.SO_PEERGROUPS, ENOPROTOOPT);

        using IImportSegment import = importer.Connect(1, Id, RsmPermissions.ReadWrite);

        Assert.AreEqual(RsmPageMemory.PageSize, import.Length);
    }

    [ConformanceTest]
    public void Connect_ImporterWithMoreGroupsThanTheFirstBuffer_JudgedByEveryGroup()
    {
        RequireIdentitySwitch();
        SharedMemoryProvider provider = Provider();
        var results = new List<(int Name, int Errno, int Length)>();
        provider.PeerCredentials = new PeerCredentialReader((SafeDescriptorHandle socket, int name, Span<byte> value, out int length) =>
        {
            int errno = Sockets.GetPeerOption(socket, name, value, out length);
            lock (results)
            {
                results.Add((name, errno, length));
            }

            return errno;
        });
        IRsmController exporter = Controller(1);
        uint exporterGid = RsmCredentials.ReadCurrent().Gid;
        PublishPage(exporter, Id, new RsmAccessEntry(2, Mode0624));
        // The exporter's gid among more groups than the first SO_PEERGROUPS buffer holds.
        uint[] groups = [.. Enumerable.Range(3000, PeerCredentialReader.FirstGroupCapacity + 8).Select(static g => (uint)g).Append(exporterGid)];
        ConformancePeer importer = Peer(2, new ConformancePeerIdentity { Uid = 1001, Gid = 1001, Groups = groups });

        // Group member, not owner: the group digit 2 (write only) decides; judged as other (4) it would be the reverse.
        Assert.AreEqual(RsmError.Success, importer.Outcome(ConnectRequest(1, Id, RsmPermissions.Write)), "group member, write");
        Assert.AreEqual(RsmError.PermissionDenied, importer.Outcome(ConnectRequest(1, Id, RsmPermissions.Read)), "group member, read");

        lock (results)
        {
            Assert.IsTrue(results.Any(static r => r.Name == Sockets.SO_PEERGROUPS && r.Errno == Sockets.ERANGE), "the first SO_PEERGROUPS buffer was large enough, so the retry was not exercised");
            Assert.IsTrue(results.Any(r => r.Name == Sockets.SO_PEERGROUPS && r.Errno == 0 && r.Length == groups.Length * sizeof(uint)), "no SO_PEERGROUPS call returned every group");
        }
    }

    [ConformanceTest]
    public void Connect_ExporterProcMountedHidepid2_ImporterJudgedByItsKernelReportedGroups()
    {
        RequireIdentitySwitch();
        if (!File.Exists("/usr/bin/unshare") && !File.Exists("/bin/unshare"))
        {
            Assert.Inconclusive("unshare (util-linux) is not installed; .ci/run installs it");
        }

        const uint exporterId = 1000;
        const uint importerId = 1001;
        ConformancePeer exporter = Peer(1, new ConformancePeerIdentity { Uid = exporterId, Gid = exporterId, Groups = [], ProcMountOptions = "hidepid=2" });
        exporter.Call("export 1");
        exporter.Call(string.Create(CultureInfo.InvariantCulture, $"publish e1 {Id:x} 1:624"));
        exporter.Call("export 1");
        exporter.Call(string.Create(CultureInfo.InvariantCulture, $"publish e2 {Id + 1:x} 1:640"));
        ConformancePeer importer = Peer(1, new ConformancePeerIdentity { Uid = importerId, Gid = importerId, Groups = [exporterId] });

        // The test exercises the group path only if a /proc lookup would have lost the group: the importer's status shows
        // group 1000 to this process, but the exporter cannot read it, and without the group the importer is "other",
        // whose digits (4 of 0624, 0 of 0640) give the opposite verdicts to the group digits (2 and 4).
        int importerPid = int.Parse(importer.Call("pid"), CultureInfo.InvariantCulture);
        string status = File.ReadLines(string.Create(CultureInfo.InvariantCulture, $"/proc/{importerPid}/status")).Single(static l => l.StartsWith("Groups:", StringComparison.Ordinal));
        CollectionAssert.Contains(status["Groups:".Length..].Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries), "1000", "the importer's status does not list group 1000");
        Assert.AreEqual("hidden", exporter.Call(string.Create(CultureInfo.InvariantCulture, $"procgroups {importerPid}")), "the exporter's /proc does not hide the importer");
        var withoutGroups = new RsmCredentials(importerId, importerId, [], importerPid, 0);
        Assert.IsTrue(AccessCheck.IsAllowed(RsmPermissions.Read, Mode0624, withoutGroups, exporterId, exporterId), "0624, other, read");
        Assert.IsFalse(AccessCheck.IsAllowed(RsmPermissions.Write, Mode0624, withoutGroups, exporterId, exporterId), "0624, other, write");
        Assert.IsFalse(AccessCheck.IsAllowed(RsmPermissions.Read, Mode0640, withoutGroups, exporterId, exporterId), "0640, other, read");

        RsmError read0624 = importer.Outcome(ConnectRequest(1, Id, RsmPermissions.Read));
        RsmError write0624 = importer.Outcome(ConnectRequest(1, Id, RsmPermissions.Write));
        RsmError read0640 = importer.Outcome(ConnectRequest(1, Id + 1, RsmPermissions.Read));
        RsmError write0640 = importer.Outcome(ConnectRequest(1, Id + 1, RsmPermissions.Write));

        Assert.AreEqual(RsmError.PermissionDenied, read0624, "0624, group member, read");
        Assert.AreEqual(RsmError.Success, write0624, "0624, group member, write");
        Assert.AreEqual(RsmError.Success, read0640, "0640, group member, read");
        Assert.AreEqual(RsmError.PermissionDenied, write0640, "0640, group member, write");
    }

    /// <summary>A reader that asks the kernel, except that option <paramref name="name"/> fails with <paramref name="errno"/>.</summary>
    private static PeerCredentialReader Failing(int name, int errno) => new((SafeDescriptorHandle socket, int option, Span<byte> value, out int length) =>
    {
        if (option == name)
        {
            length = value.Length;
            return errno;
        }

        return Sockets.GetPeerOption(socket, option, value, out length);
    });

    /// <summary>
    /// An importer that the owner/group/other check applies to: a controller of this process when it runs unprivileged,
    /// else a peer under uid 65534. The function connects once and answers the outcome; <paramref name="lastMessage"/> the error text.
    /// </summary>
    private Func<RsmError> UnprivilegedImporter(uint nodeId, uint segmentId, RsmPermissions permission, out Func<string> lastMessage)
    {
        string message = string.Empty;
        lastMessage = () => message;
        if (!RsmCredentials.ReadCurrent().IsPrivileged)
        {
            IRsmController importer = Controller(nodeId);
            return () =>
            {
                try
                {
                    importer.Connect(1, segmentId, permission).Dispose();
                    return RsmError.Success;
                }
                catch (RsmException ex)
                {
                    message = ex.Message;
                    return ex.Error;
                }
            };
        }

        RequireIdentitySwitch();
        ConformancePeer peer = Peer(nodeId, new ConformancePeerIdentity { Uid = Nobody, Gid = Nobody, Groups = [] });
        return () =>
        {
            try
            {
                _ = peer.Call(ConnectRequest(1, segmentId, permission));
                return RsmError.Success;
            }
            catch (RsmException ex)
            {
                message = ex.Message;
                return ex.Error;
            }
        };
    }

    private static string ConnectRequest(uint nodeId, uint segmentId, RsmPermissions permission) =>
        string.Create(CultureInfo.InvariantCulture, $"connect {nodeId} {segmentId:x} {Convert.ToString((int)permission, 8)}");

    private void PublishPage(IRsmController controller, uint segmentId, RsmAccessEntry entry)
    {
        RsmPageMemory memory = Track(RsmPageMemory.Allocate(RsmPageMemory.PageSize));
        IExportSegment export = Track(controller.CreateExportSegment(memory.Address, memory.Length));
        _ = export.Publish(segmentId, [entry]);
    }

    private SharedMemoryProvider Provider()
    {
        _services ??= new ServiceCollection().AddSharedMemoryProvider().BuildServiceProvider();
        return _services.GetServices<IRsmProvider>().OfType<SharedMemoryProvider>().Single();
    }

    private IRsmController Controller(uint nodeId)
    {
        _ = Provider();
        return Track(NodeControllers.Open(_services!, nodeId, Settings(nodeId)));
    }

    private ConformancePeer Peer(uint nodeId, ConformancePeerIdentity identity) => Track(ConformancePeer.Start(
        Path.Combine(AppContext.BaseDirectory, "Rsm.Conformance.Peer.dll"),
        Settings(nodeId).Select(static s => $"{s.Key}={s.Value}").Prepend("Provider=SharedMemory"),
        identity));

    private Dictionary<string, string?> Settings(uint nodeId) => new()
    {
        ["NodeId"] = nodeId.ToString(CultureInfo.InvariantCulture),
        ["RendezvousPrefix"] = _prefix,
        ["ConnectTimeout"] = "00:00:05",
    };

    private T Track<T>(T item)
        where T : IDisposable
    {
        _cleanup.Add(item);
        return item;
    }

    private static void RequireRoot(string why)
    {
        if (!RsmCredentials.ReadCurrent().IsPrivileged)
        {
            Assert.Inconclusive($"{why}; the tests run unprivileged (.ci/run runs them as root too)");
        }
    }

    private static void RequireIdentitySwitch()
    {
        RequireRoot("starting a peer under another uid needs uid 0");
        if (!File.Exists("/usr/bin/setpriv") && !File.Exists("/bin/setpriv"))
        {
            Assert.Inconclusive("setpriv (util-linux) is not installed; .ci/run installs it");
        }
    }
}
