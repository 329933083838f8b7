using System.Globalization;
using System.Security.Cryptography;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;
using Rsm.Providers.Tcp.Internal;
using Rsm.Providers.Tcp.Internal.Wire;

namespace Rsm.Providers.Tcp.Tests;

/// <summary>
/// TLS under the frames: mutual certificates, the map from certificate to node id, and its agreement with the node id
/// proven by the cluster key; on the wire, through the provider, and in option validation.
/// </summary>
[TestClass]
public sealed partial class TlsTests
{
    private const uint SegmentId = 0x640001;


    /// <summary>Dials <paramref name="listener"/> with <paramref name="dialer"/>, expects both sides to refuse, and returns what each reported.</summary>
    private static async Task<(RsmException Dialer, RsmException Acceptor)> RefusedAsync(TestListener listener, HandshakeOptions dialer)
    {
        RsmException dialerError = await Assert.ThrowsExactlyAsync<RsmException>(() =>
            TcpFrameConnection.ConnectAsync(listener.EndPoint, dialer).AsTask().WaitAsync(TestNodes.WaitLimit));
        RsmException acceptorError = Assert.IsInstanceOfType<RsmException>(await listener.NextRefusedAsync());
        Assert.AreEqual(0, listener.Listener.AcceptedCount);
        return (dialerError, acceptorError);
    }
    private static TestCertificates s_pki = null!;
    private static string s_node1Pem = null!;
    private static string s_node2Pkcs12 = null!;
    private static (string CertificateFile, string KeyFile) s_node3Pair;
    private static string s_node4Pem = null!;
    private static string s_roguePem = null!;

    [ClassInitialize]
    public static void CreateCertificates(TestContext context)
    {
        s_pki = new TestCertificates();
        s_node1Pem = s_pki.WritePemWithKey("node1");
        s_node2Pkcs12 = s_pki.WritePkcs12("node2");
        s_node3Pair = s_pki.WritePemPair("node3", encryptKey: true);
        s_node4Pem = s_pki.WritePemWithKey("node4");
        s_roguePem = s_pki.WritePemWithKey("rogue5", rogue: true);
    }

    [ClassCleanup]
    public static void DeleteCertificates() => s_pki.Dispose();

    [TestMethod]
    [DataRow(0)]
    [DataRow(64 * 1024)]
    [DataRow(1 << 20)]
    public async Task Connect_BothTls_CertificatesMapToProvenIdsAndFramesFlowBothWays(int length)
    {
        await using var listener = new TestListener(2, o => o with { Tls = Node2() });

        ConnectionProbe dialer = await TestNodes.DialAsync(listener, 1, o => o with { Tls = Node1() });
        ConnectionProbe acceptor = await listener.NextAcceptedAsync();
        byte[] payload = RandomNumberGenerator.GetBytes(length);
        await dialer.Connection.SendAsync(new FrameHeader(Opcode.Put, 11, 0), payload).AsTask().WaitAsync(TestNodes.WaitLimit);
        ReceivedFrame toAcceptor = await acceptor.NextFrameAsync();
        await Task.Run(() => acceptor.Connection.Send(new FrameHeader(Opcode.GetReply, 12, 0), payload)).WaitAsync(TestNodes.WaitLimit);
        ReceivedFrame toDialer = await dialer.NextFrameAsync();

        Assert.AreEqual(2u, dialer.Connection.PeerNodeId);
        Assert.AreEqual(2u, dialer.Connection.PeerCertificateNodeId);
        Assert.AreEqual(1u, acceptor.Connection.PeerNodeId);
        Assert.AreEqual(1u, acceptor.Connection.PeerCertificateNodeId);
        Assert.AreEqual(11u, toAcceptor.Header.RequestId);
        CollectionAssert.AreEqual(payload, toAcceptor.Payload);
        Assert.AreEqual(12u, toDialer.Header.RequestId);
        CollectionAssert.AreEqual(payload, toDialer.Payload);

        dialer.Connection.Close();
        await acceptor.Closed.WaitAsync(TestNodes.WaitLimit);
        Assert.IsTrue(acceptor.Connection.CloseReason is ConnectionCloseReason.PeerGoodbye or ConnectionCloseReason.PeerClosed, acceptor.Connection.CloseReason.ToString());
    }

    [TestMethod]
    public async Task Connect_WithoutTls_PeerCertificateNodeIdIsNull()
    {
        await using var listener = new TestListener(2);

        ConnectionProbe dialer = await TestNodes.DialAsync(listener, 1);
        ConnectionProbe acceptor = await listener.NextAcceptedAsync();

        Assert.IsNull(dialer.Connection.PeerCertificateNodeId);
        Assert.IsNull(acceptor.Connection.PeerCertificateNodeId);
        dialer.Connection.Close();
    }

    [TestMethod]
    public async Task Accept_DialerClaimsNode1WithNode3Certificate_PermissionDenied()
    {
        await using var listener = new TestListener(2, o => o with { Tls = Node2() });
        // The impostor's own map leaves out node 3, so its configuration loads.
        TlsSettings impostor = Load(3, s_node3Pair.CertificateFile, s_node3Pair.KeyFile, TestCertificates.Password, map: Map(1, 2));

        (RsmException dialerError, RsmException acceptorError) = await RefusedAsync(listener, TestNodes.Options(1, 2) with { Tls = impostor });

        Assert.AreEqual(RsmError.PermissionDenied, acceptorError.Error);
        StringAssert.Contains(acceptorError.Message, "claims node id 1, but its certificate is mapped to node 3");
        Assert.AreEqual(RsmError.RemoteNodeUnreachable, dialerError.Error);
    }

    [TestMethod]
    public async Task Connect_AcceptorClaimsNode2WithNode3Certificate_PermissionDenied()
    {
        TlsSettings impostor = Load(3, s_node3Pair.CertificateFile, s_node3Pair.KeyFile, TestCertificates.Password, map: Map(1, 2));
        await using var listener = new TestListener(2, o => o with { Tls = impostor });

        (RsmException dialerError, RsmException acceptorError) = await RefusedAsync(listener, TestNodes.Options(1, 2) with { Tls = Node1() });

        Assert.AreEqual(RsmError.PermissionDenied, dialerError.Error);
        StringAssert.Contains(dialerError.Message, "claims node id 2, but its certificate is mapped to node 3");
        Assert.AreEqual(RsmError.RemoteNodeUnreachable, acceptorError.Error);
    }

    [TestMethod]
    public async Task Accept_DialerCertificateFromUntrustedCa_PermissionDenied()
    {
        await using var listener = new TestListener(2, o => o with { Tls = Node2() });
        TlsSettings rogue = Load(5, s_roguePem);

        (RsmException dialerError, RsmException acceptorError) = await RefusedAsync(listener, TestNodes.Options(5, 2) with { Tls = rogue });

        Assert.AreEqual(RsmError.PermissionDenied, acceptorError.Error);
        StringAssert.Contains(acceptorError.Message, "CN=rogue5");
        StringAssert.Contains(acceptorError.Message, "is not trusted");
        Assert.AreEqual(RsmError.RemoteNodeUnreachable, dialerError.Error);
    }

    [TestMethod]
    public async Task Connect_AcceptorCertificateFromUntrustedCa_PermissionDenied()
    {
        await using var listener = new TestListener(5, o => o with { Tls = Load(5, s_roguePem) });

        (RsmException dialerError, RsmException acceptorError) = await RefusedAsync(listener, TestNodes.Options(1, 5) with { Tls = Node1() });

        Assert.AreEqual(RsmError.PermissionDenied, dialerError.Error);
        StringAssert.Contains(dialerError.Message, "is not trusted");
        Assert.AreEqual(RsmError.RemoteNodeUnreachable, acceptorError.Error);
    }

    [TestMethod]
    public async Task Accept_TrustedButUnmappedCertificate_PermissionDenied()
    {
        await using var listener = new TestListener(2, o => o with { Tls = Node2() });

        (RsmException dialerError, RsmException acceptorError) = await RefusedAsync(listener, TestNodes.Options(4, 2) with { Tls = Load(4, s_node4Pem) });

        Assert.AreEqual(RsmError.PermissionDenied, acceptorError.Error);
        StringAssert.Contains(acceptorError.Message, "is mapped to no node id");
        Assert.AreEqual(RsmError.RemoteNodeUnreachable, dialerError.Error);
    }

    [TestMethod]
    public async Task Connect_TlsDialerPlainAcceptor_BothSidesRemoteNodeUnreachable()
    {
        await using var listener = new TestListener(2);

        (RsmException dialerError, RsmException acceptorError) = await RefusedAsync(listener, TestNodes.Options(1, 2) with { Tls = Node1() });

        Assert.AreEqual(RsmError.RemoteNodeUnreachable, dialerError.Error);
        StringAssert.Contains(dialerError.Message, "TLS handshake");
        Assert.AreEqual(RsmError.RemoteNodeUnreachable, acceptorError.Error);
    }

    [TestMethod]
    public async Task Connect_PlainDialerTlsAcceptor_BothSidesRemoteNodeUnreachable()
    {
        await using var listener = new TestListener(2, o => o with { Tls = Node2() });

        (RsmException dialerError, RsmException acceptorError) = await RefusedAsync(listener, TestNodes.Options(1, 2));

        Assert.AreEqual(RsmError.RemoteNodeUnreachable, dialerError.Error);
        Assert.AreEqual(RsmError.RemoteNodeUnreachable, acceptorError.Error);
        StringAssert.Contains(acceptorError.Message, "TLS handshake");
    }

    [TestMethod]
    public void Provider_TlsNodes_ExportConnectPutGet()
    {
        using var provider = new TcpProvider(new OptionsFactory<TcpProviderOptions>([], []));
        using IRsmController exporter = Open(provider, 1, TlsSection(s_node1Pem));
        using IRsmController importer = Open(provider, 2, TlsSection(s_node2Pkcs12, password: TestCertificates.Password));
        using RsmPageMemory memory = RsmPageMemory.Allocate(2 * RsmPageMemory.PageSize);
        using IExportSegment export = exporter.CreateExportSegment(memory.Address, memory.Length);
        export.Publish(SegmentId, [new RsmAccessEntry(2, 0x180)]);

        using IImportSegment import = importer.Connect(1, SegmentId, RsmPermissions.ReadWrite);
        _ = import.InitBarrier();
        import.Put(16, "over tls"u8);
        Span<byte> back = stackalloc byte[8];
        import.Get(16, back);

        Assert.IsTrue(back.SequenceEqual("over tls"u8));
        Assert.IsTrue(memory.GetSpan().Slice(16, 8).SequenceEqual("over tls"u8));
    }

    [TestMethod]
    public void Provider_ImporterPresentsAnotherNodesCertificate_ConnectRemoteNodeUnreachable()
    {
        using var provider = new TcpProvider(new OptionsFactory<TcpProviderOptions>([], []));
        using IRsmController exporter = Open(provider, 1, TlsSection(s_node1Pem));
        using IRsmController importer = Open(provider, 2, TlsSection(s_node3Pair.CertificateFile, s_node3Pair.KeyFile, TestCertificates.Password, Map(1, 2)));
        using RsmPageMemory memory = RsmPageMemory.Allocate(RsmPageMemory.PageSize);
        using IExportSegment export = exporter.CreateExportSegment(memory.Address, memory.Length);
        export.Publish(SegmentId, [new RsmAccessEntry(2, 0x180)]);

        RsmException ex = Assert.ThrowsExactly<RsmException>(() => importer.Connect(1, SegmentId, RsmPermissions.Read));

        Assert.AreEqual(RsmError.RemoteNodeUnreachable, ex.Error);
    }

    [TestMethod]
    public void Provider_TlsExporterPlainImporter_ConnectRemoteNodeUnreachable()
    {
        using var provider = new TcpProvider(new OptionsFactory<TcpProviderOptions>([], []));
        using IRsmController exporter = Open(provider, 1, TlsSection(s_node1Pem));
        using IRsmController importer = Open(provider, 2, []);
        using RsmPageMemory memory = RsmPageMemory.Allocate(RsmPageMemory.PageSize);
        using IExportSegment export = exporter.CreateExportSegment(memory.Address, memory.Length);
        export.Publish(SegmentId, [new RsmAccessEntry(2, 0x180)]);

        RsmException ex = Assert.ThrowsExactly<RsmException>(() => importer.Connect(1, SegmentId, RsmPermissions.Read));

        Assert.AreEqual(RsmError.RemoteNodeUnreachable, ex.Error);
    }

    [TestMethod]
    [DataRow("node1-pem-with-key")]
    [DataRow("node2-pkcs12")]
    [DataRow("node3-pem-pair-encrypted-key")]
    public void Load_EachCertificateForm_Accepted(string form)
    {
        (uint node, string file, string? key, string? password) = form switch
        {
            "node1-pem-with-key" => (1u, s_node1Pem, (string?)null, (string?)null),
            "node2-pkcs12" => (2u, s_node2Pkcs12, null, TestCertificates.Password),
            _ => (3u, s_node3Pair.CertificateFile, s_node3Pair.KeyFile, TestCertificates.Password),
        };
        var failures = new List<string>();

        TlsSettings? settings = TlsSettings.Load(Options(file, key, password), node, "test", failures);

        Assert.IsNotNull(settings, string.Join(Environment.NewLine, failures));
        Assert.IsEmpty(failures);
    }

    [TestMethod]
    [DataRow("missing-certificate-file", "Tls:CertificateFile", "cannot be loaded")]
    [DataRow("no-certificate-file", "Tls:CertificateFile", "not set")]
    [DataRow("garbage-certificate-file", "Tls:CertificateFile", "cannot be loaded")]
    [DataRow("certificate-without-key", "Tls:CertificateFile", "cannot be loaded")]
    [DataRow("wrong-pkcs12-password", "Tls:CertificateFile", "cannot be loaded")]
    [DataRow("key-file-with-pkcs12", "Tls:KeyFile", "not PEM")]
    [DataRow("no-trust-anchor", "Tls:TrustedCertificatesFile", "no trust anchor")]
    [DataRow("missing-trusted-file", "Tls:TrustedCertificatesFile", "cannot be read")]
    [DataRow("empty-map", "Tls:NodeCertificates", "empty")]
    [DataRow("node-id-not-a-number", "Tls:NodeCertificates:one", "is not a node id")]
    [DataRow("thumbprint-too-short", "Tls:NodeCertificates:2", "is not a SHA-256 thumbprint")]
    [DataRow("thumbprint-twice", "Tls:NodeCertificates:", "is already mapped to node")]
    [DataRow("own-certificate-mapped-elsewhere", "Tls:CertificateFile", "is mapped to node 2 in NodeCertificates, but this node is 1")]
    public void CreateController_InvalidTls_ValidationErrorNamesTheSetting(string scenario, string setting, string expected)
    {
        string missing = Path.Combine(s_pki.Directory, "does-not-exist.pem");
        Dictionary<string, string?> tls = TlsSection(s_node1Pem);
        switch (scenario)
        {
            case "missing-certificate-file":
                tls["Tls:CertificateFile"] = missing;
                break;
            case "no-certificate-file":
                _ = tls.Remove("Tls:CertificateFile");
                break;
            case "garbage-certificate-file":
                tls["Tls:CertificateFile"] = s_pki.Write("garbage.p12", [1, 2, 3, 4, 5]);
                break;
            case "certificate-without-key":
                tls["Tls:CertificateFile"] = s_pki.WriteCertificateOnly("node1");
                break;
            case "wrong-pkcs12-password":
                tls = TlsSection(s_node2Pkcs12, password: "not the password");
                break;
            case "key-file-with-pkcs12":
                tls = TlsSection(s_node2Pkcs12, key: s_node3Pair.KeyFile, password: TestCertificates.Password);
                break;
            case "no-trust-anchor":
                _ = tls.Remove("Tls:TrustedCertificatesFile");
                break;
            case "missing-trusted-file":
                tls["Tls:TrustedCertificatesFile"] = missing;
                break;
            case "empty-map":
                tls = TlsSection(s_node1Pem, map: []);
                break;
            case "node-id-not-a-number":
                tls["Tls:NodeCertificates:one"] = s_pki.Thumbprint("node1");
                break;
            case "thumbprint-too-short":
                tls["Tls:NodeCertificates:2"] = "AB:CD:EF";
                break;
            case "thumbprint-twice":
                tls["Tls:NodeCertificates:7"] = s_pki.Thumbprint("node2").ToLowerInvariant();
                break;
            case "own-certificate-mapped-elsewhere":
                tls = TlsSection(s_node1Pem, map: new() { ["2"] = s_pki.Thumbprint("node1") });
                break;
            default:
                Assert.Fail($"unknown scenario {scenario}");
                break;
        }

        using var provider = new TcpProvider(new OptionsFactory<TcpProviderOptions>([], []));

        OptionsValidationException ex = Assert.ThrowsExactly<OptionsValidationException>(() => Open(provider, 1, tls).Dispose());

        Assert.Contains("Rsm:Controllers:node1:" + setting, ex.Message);
        Assert.Contains(expected, ex.Message);
    }

    private static TlsSettings Node1() => Load(1, s_node1Pem);

    private static TlsSettings Node2() => Load(2, s_node2Pkcs12, password: TestCertificates.Password);

    /// <summary>The cluster's map: nodes 1 to 3 to their certificates, and node 5 to the certificate the rogue CA signed.</summary>
    private static Dictionary<string, string> Map(params uint[] nodes)
    {
        uint[] listed = nodes.Length == 0 ? [1, 2, 3, 5] : nodes;
        return listed.ToDictionary(
            static n => n.ToString(CultureInfo.InvariantCulture),
            static n => n == 5 ? s_pki.Thumbprint("rogue5", rogue: true) : s_pki.Thumbprint($"node{n}"));
    }

    private static TcpTlsOptions Options(string certificate, string? key = null, string? password = null, Dictionary<string, string>? map = null) => new()
    {
        CertificateFile = certificate,
        KeyFile = key,
        CertificatePassword = password,
        TrustedCertificatesFile = s_pki.CaFile,
        NodeCertificates = map ?? Map(),
    };

    private static TlsSettings Load(uint node, string certificate, string? key = null, string? password = null, Dictionary<string, string>? map = null)
    {
        var failures = new List<string>();
        TlsSettings? settings = TlsSettings.Load(Options(certificate, key, password, map), node, "test", failures);
        Assert.IsNotNull(settings, string.Join(Environment.NewLine, failures));
        return settings;
    }

    /// <summary>The <c>Tls</c> section of a controller as configuration keys.</summary>
    private static Dictionary<string, string?> TlsSection(string certificate, string? key = null, string? password = null, Dictionary<string, string>? map = null)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Tls:CertificateFile"] = certificate,
            ["Tls:TrustedCertificatesFile"] = s_pki.CaFile,
        };
        if (key is not null)
        {
            settings["Tls:KeyFile"] = key;
        }

        if (password is not null)
        {
            settings["Tls:CertificatePassword"] = password;
        }

        foreach ((string id, string thumbprint) in map ?? Map())
        {
            settings[$"Tls:NodeCertificates:{id}"] = thumbprint;
        }

        return settings;
    }

    private static IRsmController Open(TcpProvider provider, uint node, Dictionary<string, string?> extra)
    {
        var settings = new Dictionary<string, string?>
        {
            ["NodeId"] = node.ToString(CultureInfo.InvariantCulture),
            ["Listen"] = "127.0.0.1:0",
            ["ClusterKey"] = Convert.ToBase64String(TestNodes.Key),
            ["ConnectTimeout"] = "00:00:05",
        };
        foreach ((string key, string? value) in extra)
        {
            settings[key] = value;
        }

        IConfiguration configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        return provider.CreateController($"node{node}", configuration, $"Rsm:Controllers:node{node}");
    }
}
