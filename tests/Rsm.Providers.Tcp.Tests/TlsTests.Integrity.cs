using Microsoft.Extensions.Options;
using Rsm.Providers.Tcp.Internal;
using Rsm.Providers.Tcp.Internal.Wire;

namespace Rsm.Providers.Tcp.Tests;

/// <summary>
/// Frame integrity: with TLS, a relay on the path that alters or inserts bytes after the handshake gets the connection
/// dropped before anything it touched reaches a segment; without TLS, only loopback addresses are accepted unless the
/// configuration opts out.
/// </summary>
public sealed partial class TlsTests
{
    private const int TamperedLength = 1 << 20;

    [TestMethod]
    [DataRow(10L, DisplayName = "a byte of the put's first record")]
    [DataRow(600_000L, DisplayName = "a byte deep inside the put's payload")]
    public void Provider_RelayAltersOneByteOfAPut_ConnectionDroppedAndMemoryUnchanged(long skip)
    {
        using var provider = new TcpProvider(new OptionsFactory<TcpProviderOptions>([], []));
        using TamperedPair pair = TamperedPair.Open(provider);
        byte[] pattern = Pattern(TamperedLength);

        pair.Relay.FlipOneByte(skip);
        RsmException ex = Assert.ThrowsExactly<RsmException>(() => pair.Import.Put(0, pattern));

        Assert.IsTrue(pair.Relay.Flipped, "the relay altered no byte");
        Assert.AreEqual(RsmError.ConnectionAborted, ex.Error);
        pair.AssertDroppedAndUntouched();
    }

    [TestMethod]
    public void Provider_ThroughAnHonestRelay_LargePutsAndGetsMoveExactBytes()
    {
        using var provider = new TcpProvider(new OptionsFactory<TcpProviderOptions>([], []));
        using TamperedPair pair = TamperedPair.Open(provider);
        byte[] pattern = Pattern(TamperedLength);
        byte[] back = new byte[TamperedLength];

        // Under TLS a large frame is received whole before it is handled, on both sides.
        for (int round = 0; round < 3; round++)
        {
            pattern[round] ^= 0xFF;
            pair.Import.Put(0, pattern);
            pair.Import.Get(0, back);
            Assert.IsTrue(back.AsSpan().SequenceEqual(pattern), $"round {round}: the bytes read back differ");
        }

        Assert.AreEqual(1, pair.Relay.Connections);
    }

    [TestMethod]
    public void Provider_TwoTlsImportersWithTwoThreadsEach_ConcurrentLargePutsAndGetsExact()
    {
        const int Slice = 256 * 1024;
        const int Rounds = 8;
        using var provider = new TcpProvider(new OptionsFactory<TcpProviderOptions>([], []));
        using IRsmController exporter = Open(provider, 1, TlsSection(s_node1Pem));
        using IRsmController node2 = Open(provider, 2, TlsSection(s_node2Pkcs12, password: TestCertificates.Password));
        using IRsmController node3 = Open(provider, 3, TlsSection(s_node3Pair.CertificateFile, s_node3Pair.KeyFile, TestCertificates.Password));
        using RsmPageMemory memory = RsmPageMemory.Allocate(4 * Slice);
        using IExportSegment export = exporter.CreateExportSegment(memory.Address, memory.Length);
        export.Publish(SegmentId, [new RsmAccessEntry(2, 0x180), new RsmAccessEntry(3, 0x180)]);
        using IImportSegment import2 = node2.Connect(1, SegmentId, RsmPermissions.ReadWrite);
        using IImportSegment import3 = node3.Connect(1, SegmentId, RsmPermissions.ReadWrite);
        _ = import2.InitBarrier();
        _ = import3.InitBarrier();

        // Four writers, two per node, each on its own quarter: every round puts a fresh pattern and reads it back.
        var failures = new System.Collections.Concurrent.ConcurrentQueue<string>();
        Thread[] writers = [.. Enumerable.Range(0, 4).Select(index => new Thread(() =>
        {
            IImportSegment import = index < 2 ? import2 : import3;
            byte[] data = new byte[Slice];
            byte[] back = new byte[Slice];
            try
            {
                for (int round = 0; round < Rounds; round++)
                {
                    for (int i = 0; i < Slice; i++)
                    {
                        data[i] = (byte)((i * 13) + (index * 71) + round);
                    }

                    import.Put(index * Slice, data);
                    import.Get(index * Slice, back);
                    if (!back.AsSpan().SequenceEqual(data))
                    {
                        failures.Enqueue($"writer {index} round {round}: the bytes read back differ");
                    }
                }
            }
            catch (RsmException ex)
            {
                failures.Enqueue($"writer {index}: {ex.Error} {ex.Message}");
            }
        }) { IsBackground = true })];
        foreach (Thread writer in writers)
        {
            writer.Start();
        }

        foreach (Thread writer in writers)
        {
            Assert.IsTrue(writer.Join(TimeSpan.FromSeconds(60)), "a writer did not finish");
        }

        Assert.IsEmpty(failures, string.Join(Environment.NewLine, failures));
        for (int index = 0; index < 4; index++)
        {
            ReadOnlySpan<byte> quarter = memory.GetSpan().Slice(index * Slice, Slice);
            for (int i = 0; i < Slice; i += 4093)
            {
                Assert.AreEqual((byte)((i * 13) + (index * 71) + Rounds - 1), quarter[i], $"quarter {index} byte {i}");
            }
        }
    }

    [TestMethod]
    public void Provider_RelayInjectsAPutFrame_ConnectionDroppedAndMemoryUnchanged()
    {
        using var provider = new TcpProvider(new OptionsFactory<TcpProviderOptions>([], []));
        using TamperedPair pair = TamperedPair.Open(provider);

        // A well-formed put of the import the importer holds, as a relay that knew the protocol would forge it.
        byte[] body = new byte[Messages.PutFixedSize + 64];
        Messages.WritePut(body, pair.ImportId, 0, 1);
        body.AsSpan(Messages.PutFixedSize).Fill(0xEE);
        pair.Relay.Inject(RawPeer.Frame(new FrameHeader(Opcode.Put, 77, (uint)body.Length), body));

        // The exporter drops the connection when the forged bytes arrive; a request of the importer's learns of it.
        RsmException ex = Assert.ThrowsExactly<RsmException>(() => GetUntilFailure(pair.Import));

        Assert.AreEqual(RsmError.ConnectionAborted, ex.Error);
        pair.AssertDroppedAndUntouched();
    }

    [TestMethod]
    [DataRow("Listen", "0.0.0.0:0", DisplayName = "listening on every address")]
    [DataRow("Listen", "10.1.2.3:7401", DisplayName = "listening on a network address")]
    [DataRow("Nodes:2", "10.1.2.4:7401", DisplayName = "a peer at a network address")]
    [DataRow("Nodes:2", "[2001:db8::2]:7401", DisplayName = "a peer at an IPv6 network address")]
    public void CreateController_NetworkAddressWithoutTls_RefusedNamingTheSettingAndTheOptOut(string setting, string value)
    {
        using var provider = new TcpProvider(new OptionsFactory<TcpProviderOptions>([], []));

        OptionsValidationException ex = Assert.ThrowsExactly<OptionsValidationException>(() => Open(provider, 1, new() { [setting] = value }).Dispose());

        Assert.Contains($"Rsm:Controllers:node1:{setting}: '{value}' is not a loopback address", ex.Message);
        Assert.Contains("AllowUnprotectedFrames", ex.Message);
        Assert.Contains("Tls", ex.Message);
    }

    [TestMethod]
    public void CreateController_NetworkPeerWithOptOutOrTls_Accepted()
    {
        using var provider = new TcpProvider(new OptionsFactory<TcpProviderOptions>([], []));

        using IRsmController optedOut = Open(provider, 1, new() { ["Nodes:2"] = "10.1.2.4:7401", ["AllowUnprotectedFrames"] = "true" });
        Dictionary<string, string?> tls = TlsSection(s_node2Pkcs12, password: TestCertificates.Password);
        tls["Nodes:1"] = "10.1.2.3:7401";
        using IRsmController protectedNode = Open(provider, 2, tls);
        using IRsmController loopbackV6 = Open(provider, 3, new() { ["Listen"] = "[::1]:0", ["Nodes:1"] = "127.0.0.1:7401" });

        Assert.AreEqual(1u, optedOut.LocalNodeId);
        Assert.AreEqual(2u, protectedNode.LocalNodeId);
        Assert.AreEqual(3u, loopbackV6.LocalNodeId);
    }

    private static void GetUntilFailure(IImportSegment import)
    {
        byte[] back = new byte[64];
        long deadline = Environment.TickCount64 + (long)TestNodes.WaitLimit.TotalMilliseconds;
        while (Environment.TickCount64 < deadline)
        {
            import.Get(0, back);
            Thread.Sleep(20);
        }
    }

    private static byte[] Pattern(int length)
    {
        byte[] bytes = new byte[length];
        for (int i = 0; i < length; i++)
        {
            bytes[i] = (byte)((i * 31) + 7);
        }

        return bytes;
    }

    /// <summary>Node 1 exports 1 MiB of zeros; node 2, both with TLS, imports it through a <see cref="TamperingRelay"/>.</summary>
    private sealed class TamperedPair : IDisposable
    {
        private readonly List<IDisposable> _owned = [];
        private RsmPageMemory _memory = null!;

        public TamperingRelay Relay { get; private set; } = null!;

        public IImportSegment Import { get; private set; } = null!;

        /// <summary>The exporter's id for the import (the first of the connection).</summary>
        public uint ImportId => 0;

        public static TamperedPair Open(TcpProvider provider)
        {
            var pair = new TamperedPair();
            try
            {
                IRsmController exporter = pair.Own(TlsTests.Open(provider, 1, TlsSection(s_node1Pem)));
                pair.Relay = pair.Own(TamperingRelay.Start((System.Net.IPEndPoint)provider.LocalEndpointOf(1)!));
                Dictionary<string, string?> importerSettings = TlsSection(s_node2Pkcs12, password: TestCertificates.Password);
                importerSettings["Nodes:1"] = pair.Relay.EndPoint.ToString();
                IRsmController importer = pair.Own(TlsTests.Open(provider, 2, importerSettings));
                pair._memory = pair.Own(RsmPageMemory.Allocate(TamperedLength));
                IExportSegment export = pair.Own(exporter.CreateExportSegment(pair._memory.Address, pair._memory.Length));
                export.Publish(SegmentId, [new RsmAccessEntry(2, 0x180)]);
                pair.Import = pair.Own(importer.Connect(1, SegmentId, RsmPermissions.ReadWrite));
                _ = pair.Import.InitBarrier();

                // The path works before anything is altered.
                Span<byte> back = stackalloc byte[16];
                pair.Import.Get(0, back);
                Assert.AreEqual(1, pair.Relay.Connections);
                return pair;
            }
            catch
            {
                pair.Dispose();
                throw;
            }
        }

        /// <summary>The import was aborted (the connection is gone) and not one byte of the exported memory changed.</summary>
        public void AssertDroppedAndUntouched()
        {
            byte[] back = new byte[16];
            RsmException after = Assert.ThrowsExactly<RsmException>(() => Import.Get(0, back));
            Assert.AreEqual(RsmError.ConnectionAborted, after.Error);
            Assert.IsFalse(_memory.GetSpan().ContainsAnyExcept((byte)0), "bytes reached the exported memory");
        }

        public void Dispose()
        {
            for (int i = _owned.Count - 1; i >= 0; i--)
            {
                try
                {
                    _owned[i].Dispose();
                }
                catch (RsmException)
                {
                    // An import aborted with its connection.
                }
            }
        }

        private T Own<T>(T item)
            where T : class
        {
            if (item is IDisposable disposable)
            {
                _owned.Add(disposable);
            }

            return item;
        }
    }
}
