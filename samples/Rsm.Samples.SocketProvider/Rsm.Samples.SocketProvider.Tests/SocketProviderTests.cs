using System.Globalization;
using System.Net.Sockets;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Rsm.Conformance;
using Rsm.Engine;
using Rsm.Samples.Sockets.Internal;

namespace Rsm.Samples.Sockets.Tests;

/// <summary>The credentials an exporter judges an importer by, and the provider's own settings.</summary>
[TestClass]
public sealed class SocketProviderTests
{
    private const uint Id = 0x620000;
    private readonly string _prefix = $"rsm-sample/{Environment.ProcessId}/{Guid.NewGuid():N}";
    private readonly CleanupStack _cleanup = new();
    private ServiceProvider _services = null!;
    private SocketProvider _provider = null!;

    [TestInitialize]
    public void Initialize()
    {
        _services = new ServiceCollection().AddSocketProvider(options => options.SocketPrefix = _prefix).BuildServiceProvider();
        _provider = _services.GetServices<IRsmProvider>().OfType<SocketProvider>().Single();
    }

    [TestCleanup]
    public void Cleanup()
    {
        _cleanup.Dispose();
        _services.Dispose();
    }

    [TestMethod]
    public void UnreadableCredentials_ConnectRefusedWithPermissionDenied()
    {
        IRsmController exporter = Controller(1);
        IRsmController importer = Controller(2);
        Publish(exporter);
        int listening = SocketTransferTests.ProviderThreads();
        _provider.PeerCredentials = static _ => null;

        // DECISIONS F5: an importer the exporter cannot identify is refused, not judged with less; from another node
        // and from the exporter's own.
        var refused = Assert.ThrowsExactly<RsmException>(() => importer.Connect(1, Id, RsmPermissions.Read));
        Assert.AreEqual(RsmError.PermissionDenied, refused.Error);
        Assert.Contains("credentials", refused.Message);
        Assert.AreEqual(RsmError.PermissionDenied, Assert.ThrowsExactly<RsmException>(() => exporter.Connect(1, Id, RsmPermissions.ReadWrite)).Error);

        // The refused connections are closed: only the segment's accept thread is left.
        SocketTransferTests.AwaitTrue(() => SocketTransferTests.ProviderThreads() == listening, "a refused importer's connection is still served");

        // With the kernel's answer again, the same importer is admitted.
        _provider.PeerCredentials = PeerCredentialReader.Read;
        IImportSegment import = importer.Connect(1, Id, RsmPermissions.Read);
        _cleanup.Push(import.Disconnect);
        _ = import.InitBarrier();
        byte[] data = new byte[4];
        import.Get(0, data);
        CollectionAssert.AreEqual(new byte[] { 1, 2, 3, 4 }, data);
    }

    [TestMethod]
    public void ReportedCredentials_DecideTheOwnerGroupOtherCheck()
    {
        IRsmController exporter = Controller(1);
        IRsmController importer = Controller(2);
        RsmCredentials creator = RsmCredentials.ReadCurrent();

        // Node 2 is granted 0604: owner read and write, group nothing, other read.
        Publish(exporter, new RsmAccessEntry(2, 0x184));
        const uint Stranger = 4242;

        _provider.PeerCredentials = _ => RsmCredentials.FromPeer(1, Stranger, Stranger, []);
        Assert.AreEqual(RsmError.Success, Outcome(() => importer.Connect(1, Id, RsmPermissions.Read).Disconnect()), "other, read");
        Assert.AreEqual(RsmError.PermissionDenied, Outcome(() => importer.Connect(1, Id, RsmPermissions.Write).Disconnect()), "other, write");

        _provider.PeerCredentials = _ => RsmCredentials.FromPeer(1, Stranger, Stranger, [creator.Gid]);
        Assert.AreEqual(RsmError.PermissionDenied, Outcome(() => importer.Connect(1, Id, RsmPermissions.Read).Disconnect()), "group member, read");

        _provider.PeerCredentials = _ => RsmCredentials.FromPeer(1, creator.Uid, Stranger, []);
        Assert.AreEqual(RsmError.Success, Outcome(() => importer.Connect(1, Id, RsmPermissions.ReadWrite).Disconnect()), "owner, read and write");
    }

    [TestMethod]
    public void KernelReader_AcceptedSocket_ReportsTheConnectingProcess()
    {
        string name = $"\0{_prefix}/credentials";
        using Socket listener = new(AddressFamily.Unix, SocketType.Seqpacket, ProtocolType.Unspecified);
        listener.Bind(new UnixDomainSocketEndPoint(name));
        listener.Listen();
        using Socket client = new(AddressFamily.Unix, SocketType.Seqpacket, ProtocolType.Unspecified);
        client.Connect(new UnixDomainSocketEndPoint(name));
        using Socket accepted = listener.Accept();

        RsmCredentials? peer = PeerCredentialReader.Read(accepted);

        RsmCredentials self = RsmCredentials.ReadCurrent();
        Assert.IsNotNull(peer);
        Assert.AreEqual(Environment.ProcessId, peer.ProcessId);
        Assert.AreEqual(self.Uid, peer.Uid);
        Assert.AreEqual(self.Gid, peer.Gid);
        CollectionAssert.AreEquivalent(self.Groups.ToArray(), peer.Groups.ToArray());
    }

    [TestMethod]
    public void KernelReader_ImporterInMoreGroupsThanTheFirstBuffer_EveryGroupRead()
    {
        if (!RsmCredentials.ReadCurrent().IsPrivileged || !(File.Exists("/usr/bin/setpriv") || File.Exists("/bin/setpriv")))
        {
            Assert.Inconclusive("starting an importer in other groups needs uid 0 and setpriv (util-linux)");
        }

        IRsmController exporter = Controller(1);
        Publish(exporter);
        RsmCredentials? seen = null;
        _provider.PeerCredentials = socket => seen = PeerCredentialReader.Read(socket);
        uint[] groups = [.. Enumerable.Range(20000, 40).Select(static g => (uint)g)];
        ConformancePeer peer = ConformancePeer.Start(
            Path.Combine(AppContext.BaseDirectory, "Rsm.Samples.SocketProvider.Peer.dll"),
            ["Provider=Socket", $"SocketPrefix={_prefix}", "NodeId=2"],
            new ConformancePeerIdentity { Groups = groups });
        _cleanup.Push(peer.Dispose);

        Assert.AreEqual("i1", peer.Call(string.Create(CultureInfo.InvariantCulture, $"connect 1 {Id:x} 400")));

        Assert.IsNotNull(seen);
        CollectionAssert.AreEquivalent(groups, seen.Groups.ToArray(), "the groups of an importer in 40 of them (more than the first buffer of 32 holds)");
        Assert.AreEqual(peer.ProcessId, seen.ProcessId);
    }

    [TestMethod]
    [DataRow("SocketPrefix", "", "SocketPrefix")]
    [DataRow("SocketPrefix", "a\0b", "SocketPrefix")]
    [DataRow("SocketPrefix", "12345678901234567890123456789012345678901234567890123456789012345", "SocketPrefix")]
    [DataRow("SocketPrefix", "ääääääääääääääääääääääääääääääääää", "SocketPrefix")]
    [DataRow("RequestTimeout", "00:00:00", "RequestTimeout")]
    [DataRow("RequestTimeout", "-00:00:01", "RequestTimeout")]
    [DataRow("RequestTimeout", "01:00:00.001", "RequestTimeout")]
    public void InvalidSetting_ValidationNamesTheConfigurationPath(string key, string value, string named)
    {
        IConfiguration settings = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { [key] = value }).Build();

        var failure = Assert.ThrowsExactly<OptionsValidationException>(() => _provider.CreateController("bad", settings, "Rsm:Controllers:bad"));

        Assert.Contains($"Rsm:Controllers:bad:{named}:", failure.Message);
    }

    [TestMethod]
    public void LongestSettings_Accepted()
    {
        IConfiguration settings = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["SocketPrefix"] = new string('p', SocketProviderOptions.MaxPrefixLength),
            ["RequestTimeout"] = "01:00:00",
        }).Build();

        using IRsmController controller = _provider.CreateController("long", settings, "Rsm:Controllers:long");

        Assert.AreEqual("Socket", controller.ProviderName);
    }

    private static RsmError Outcome(Action action)
    {
        try
        {
            action();
            return RsmError.Success;
        }
        catch (RsmException ex)
        {
            return ex.Error;
        }
    }

    [TestMethod]
    public void Access_WhileTheReaderIsBetweenFlagAndAbort_AbortsTheImportBeforeItReturns()
    {
        IRsmController exporter = Controller(1);
        Publish(exporter);
        var attributes = new RsmControllerAttributes();
        var options = new SocketProviderOptions { NodeId = 2, SocketPrefix = _prefix };
        var transport = new SocketTransport(_provider, new RsmNode(2, attributes), attributes, options);
        SocketExportLink link = SocketExportLink.Connect(transport, 1, Id, RsmPermissions.ReadWrite);
        using var import = new HeldAbortImport();
        link.Attach(import);
        _cleanup.Push(() => link.Detach(import));

        // The reader has set the link's flag and is about to abort the import segment (held here): an access in between
        // must abort the segment itself, or the engine's generation check would let it report success.
        Task reader = Task.Factory.StartNew(link.OnAborted, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        Assert.IsTrue(import.Entered.Wait(TimeSpan.FromSeconds(30)), "the abort never reached the import segment");

        int me = Environment.CurrentManagedThreadId;
        byte[] read = [9, 9, 9, 9, 9, 9, 9, 9];
        link.Read(0, read, 8);
        CollectionAssert.AreEqual(new byte[8], read, "a get cut off by the abort returns scratch zeros");
        int seen = import.AbortsOn(me);
        Assert.IsGreaterThanOrEqualTo(1, seen, "the get returned before the import was aborted");
        link.Write(0, read, 8, acknowledged: true);
        int afterPut = import.AbortsOn(me);
        Assert.IsGreaterThan(seen, afterPut, "the put returned before the import was aborted");
        Assert.AreEqual(0UL, link.Atomic(AtomicOperation.FetchAdd, 0, 1, 0, 8));
        Assert.IsGreaterThan(afterPut, import.AbortsOn(me), "the lock operation returned before the import was aborted");

        import.Release.Set();
        Assert.IsTrue(reader.Wait(TimeSpan.FromSeconds(30)), "the reader's abort did not return");
    }

    private IRsmController Controller(uint nodeId)
    {
        IConfiguration settings = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["NodeId"] = nodeId.ToString(CultureInfo.InvariantCulture) })
            .Build();
        IRsmController controller = _provider.CreateController($"sock{nodeId}", settings, $"Rsm:Controllers:sock{nodeId}");
        _cleanup.Push(controller.Dispose);
        return controller;
    }

    /// <summary>Exports four pages starting 01 02 03 04 and publishes them as <see cref="Id"/>.</summary>
    private void Publish(IRsmController controller, params RsmAccessEntry[] accessList)
    {
        RsmPageMemory memory = RsmPageMemory.Allocate(4 * RsmPageMemory.PageSize);
        _cleanup.Push(memory.Dispose);
        new byte[] { 1, 2, 3, 4 }.CopyTo(memory.GetSpan());
        IExportSegment export = controller.CreateExportSegment(memory.Address, memory.Length);
        _cleanup.Push(export.Destroy);
        Assert.AreEqual(Id, export.Publish(Id, accessList));
    }
}
