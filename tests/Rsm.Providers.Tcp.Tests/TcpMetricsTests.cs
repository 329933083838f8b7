using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Rsm.Diagnostics;
using Rsm.Providers.Tcp.Internal.Wire;
using Rsm.Tests;

namespace Rsm.Providers.Tcp.Tests;

/// <summary>
/// The rsm.tcp.* instruments: open connections, their durations, handshakes, queued bytes and dropped peers. Each test
/// records on the Rsm meter of a private <see cref="IMeterFactory"/>, so tests running side by side never mix.
/// </summary>
[TestClass]
public sealed class TcpMetricsTests
{
    private const string Active = "rsm.tcp.connection.active";
    private const string ConnectionDuration = "rsm.tcp.connection.duration";
    private const string HandshakeDuration = "rsm.tcp.handshake.duration";
    private const string QueuedBytes = "rsm.tcp.send.queued_bytes";
    private const string Dropped = "rsm.tcp.peers.dropped";
    private const string RoleKeys = "rsm.node.id,rsm.tcp.connection.role";
    private const string ErrorKeys = "error.type,rsm.node.id,rsm.tcp.connection.role";
    private const string DropKeys = "rsm.node.id,rsm.tcp.connection.role,rsm.tcp.drop.reason";

    [TestMethod]
    public async Task Connection_OpenedAndClosed_ActiveOneThenZero_OneDurationAndOneHandshakePerSide()
    {
        using ServiceProvider services = PrivateMetrics(out IMeterFactory factory, out TcpMetrics metrics);
        using var log = new MeasurementLog(factory);
        await using var listener = new TestListener(2, o => o with { Metrics = metrics });
        ConnectionProbe dialer = await TestNodes.DialAsync(listener, 1, o => o with { Metrics = metrics });
        ConnectionProbe acceptor = await listener.NextAcceptedAsync();

        AssertInstrument<UpDownCounter<long>>(log, Active, "{connection}");
        AssertInstrument<Histogram<double>>(log, HandshakeDuration, "s");
        AssertInstrument<Histogram<double>>(log, ConnectionDuration, "s");
        AssertInstrument<Counter<long>>(log, Dropped, "{peer}");
        AssertInstrument<ObservableUpDownCounter<long>>(log, QueuedBytes, "By");
        Assert.AreEqual(RsmInstrumentation.MeterName, log.Instrument(Active).Meter.Name);
        Assert.AreEqual("1 dialed 1", Describe(Side(log.Of(Active), TcpMetrics.Dialed)));
        Assert.AreEqual("2 accepted 1", Describe(Side(log.Of(Active), TcpMetrics.Accepted)));
        Assert.AreEqual("1 dialed -|2 accepted -", Outcomes(log.Of(HandshakeDuration)));
        Assert.IsTrue(log.Of(Active).Concat(log.Of(HandshakeDuration)).All(m => m.Keys == RoleKeys));
        Assert.IsTrue(log.Of(HandshakeDuration).All(m => m.Value is > 0 and < 10));
        log.Observe();
        Assert.AreEqual("1 dialed 0|2 accepted 0", string.Join("|", Describe(log.Of(QueuedBytes)).Split('|').Order(StringComparer.Ordinal)), "nothing waits on idle connections");
        Assert.IsEmpty(log.Of(ConnectionDuration));

        dialer.Connection.Close();
        Assert.IsNull(await acceptor.Closed.WaitAsync(TestNodes.WaitLimit), "the acceptor heard the goodbye");

        Assert.AreEqual("1 dialed 1|1 dialed -1", Describe(Side(log.Of(Active), TcpMetrics.Dialed)));
        Assert.AreEqual("2 accepted 1|2 accepted -1", Describe(Side(log.Of(Active), TcpMetrics.Accepted)));
        Assert.AreEqual("1 dialed -|2 accepted -", Outcomes(log.Of(ConnectionDuration)), "an orderly close has no error.type");
        Assert.IsTrue(log.Of(ConnectionDuration).All(m => m.Keys == RoleKeys && m.Value is > 0 and < 10));
        Assert.IsEmpty(log.Of(Dropped));
        log.Observe();
        Assert.HasCount(2, log.Of(QueuedBytes), "closed connections are no longer observed");
    }

    [TestMethod]
    public async Task Handshake_DialerWithAnotherClusterKey_AuthenticationFailedAndDroppedOnTheDialingSide()
    {
        using ServiceProvider services = PrivateMetrics(out IMeterFactory factory, out TcpMetrics metrics);
        using var log = new MeasurementLog(factory);
        await using var listener = new TestListener(2, o => o with { Metrics = metrics });

        RsmException denied = await Assert.ThrowsExactlyAsync<RsmException>(() =>
            TcpFrameConnection.ConnectAsync(listener.EndPoint, TestNodes.Options(1, 2, TestNodes.OtherKey) with { Metrics = metrics }).AsTask().WaitAsync(TestNodes.WaitLimit));
        _ = await listener.NextRefusedAsync();

        Assert.AreEqual(RsmError.PermissionDenied, denied.Error);
        Assert.AreEqual("1 dialed AuthenticationFailed|2 accepted PeerClosed", Outcomes(log.Of(HandshakeDuration)), "the acceptor saw the dialer hang up");
        Assert.IsTrue(log.Of(HandshakeDuration).All(m => m.Keys == ErrorKeys));
        Assert.AreEqual("1 dialed AuthenticationFailed", Drops(log));
        Assert.IsTrue(log.Of(Dropped).All(m => m.Keys == DropKeys && m.Value == 1));
        Assert.IsEmpty(log.Of(Active), "a connection counts only once authenticated");
        Assert.IsEmpty(log.Of(ConnectionDuration));
    }

    [TestMethod]
    public async Task Handshake_DialerWithAWrongProof_AuthenticationFailedAndDroppedOnTheAcceptingSide()
    {
        using ServiceProvider services = PrivateMetrics(out IMeterFactory factory, out TcpMetrics metrics);
        using var log = new MeasurementLog(factory);
        await using var listener = new TestListener(2, o => o with { Metrics = metrics });
        using RawPeer peer = await RawPeer.ConnectAsync(listener.EndPoint);

        _ = await peer.TryHandshakeAsync(1, TestNodes.Key, proofKey: TestNodes.OtherKey);
        Exception refused = await listener.NextRefusedAsync();

        Assert.AreEqual(RsmError.PermissionDenied, Assert.IsInstanceOfType<RsmException>(refused).Error);
        Assert.AreEqual("2 accepted AuthenticationFailed", Outcomes(log.Of(HandshakeDuration)));
        Assert.AreEqual("2 accepted AuthenticationFailed", Drops(log));
    }

    [TestMethod]
    public async Task Handshake_AcceptorRefusesTheNode_RefusedOnBothSides_DroppedOnlyByTheAcceptor()
    {
        using ServiceProvider services = PrivateMetrics(out IMeterFactory factory, out TcpMetrics metrics);
        using var log = new MeasurementLog(factory);
        await using var listener = new TestListener(2, o => o with { Metrics = metrics, Admit = _ => AdmissionRefusal.NotListed });

        RsmException refused = await Assert.ThrowsExactlyAsync<RsmException>(() => TestNodes.DialAsync(listener, 1, o => o with { Metrics = metrics }));
        _ = await listener.NextRefusedAsync();

        Assert.AreEqual(RsmError.PermissionDenied, refused.Error);
        Assert.AreEqual("1 dialed Refused|2 accepted Refused", Outcomes(log.Of(HandshakeDuration)));
        Assert.AreEqual("2 accepted Refused", Drops(log));
    }

    [TestMethod]
    public async Task Handshake_PeerSendsNothing_TimeoutAndHandshakeTimeoutDrop()
    {
        using ServiceProvider services = PrivateMetrics(out IMeterFactory factory, out TcpMetrics metrics);
        using var log = new MeasurementLog(factory);
        await using var listener = new TestListener(2, o => o with { Metrics = metrics, Timeout = TimeSpan.FromMilliseconds(300) });
        using RawPeer silent = await RawPeer.ConnectAsync(listener.EndPoint);

        _ = await listener.NextRefusedAsync();

        Assert.AreEqual("2 accepted Timeout", Outcomes(log.Of(HandshakeDuration)));
        Assert.IsGreaterThanOrEqualTo(0.25, log.Of(HandshakeDuration).Single().Value, "timed from the handshake's start to its deadline");
        Assert.AreEqual("2 accepted HandshakeTimeout", Drops(log));
    }

    [TestMethod]
    public async Task Handshake_PendingAtTheCap_TheOldestIsEvictedAndCounted()
    {
        using ServiceProvider services = PrivateMetrics(out IMeterFactory factory, out TcpMetrics metrics);
        using var log = new MeasurementLog(factory);
        await using var listener = new TestListener(2, o => o with { Metrics = metrics, Timeout = TimeSpan.FromSeconds(30) }, maxPendingHandshakes: 1);
        using RawPeer first = await RawPeer.ConnectAsync(listener.EndPoint);
        await log.WaitUntilAsync(_ => listener.Listener.PendingHandshakes == 1, TestNodes.WaitLimit, "the first handshake to be pending");

        using RawPeer second = await RawPeer.ConnectAsync(listener.EndPoint);
        _ = await listener.NextRefusedAsync();

        Assert.AreEqual(1, listener.Listener.EvictedCount);
        Assert.AreEqual("2 accepted Evicted", Outcomes(log.Of(HandshakeDuration)));
        Assert.AreEqual("2 accepted HandshakeEvicted", Drops(log));
    }

    [TestMethod]
    public async Task Connection_PeerBreaksTheFraming_DroppedAsProtocolViolation_DurationWithErrorType()
    {
        using ServiceProvider services = PrivateMetrics(out IMeterFactory factory, out TcpMetrics metrics);
        using var log = new MeasurementLog(factory);
        await using var listener = new TestListener(2, o => o with { Metrics = metrics, Timeout = TimeSpan.FromSeconds(60) });
        using RawPeer bad = await RawPeer.ConnectAuthenticatedAsync(listener.EndPoint, 1);
        ConnectionProbe victim = await listener.NextAcceptedAsync();

        await bad.SendAsync(RawPeer.Frame(new FrameHeader(Opcode.Put, 1, 0) with { Magic = 0x52534D54 }, []));
        _ = await victim.Closed.WaitAsync(TestNodes.WaitLimit);

        Assert.AreEqual(ConnectionCloseReason.ProtocolViolation, victim.Connection.CloseReason);
        Assert.AreEqual("2 accepted 1|2 accepted -1", Describe(log.Of(Active)));
        Assert.AreEqual("2 accepted ProtocolViolation", Outcomes(log.Of(ConnectionDuration)));
        Assert.AreEqual(ErrorKeys, log.Of(ConnectionDuration).Single().Keys);
        Assert.AreEqual("2 accepted ProtocolViolation", Drops(log));
    }

    [TestMethod]
    public async Task Connection_PeerFallsSilent_DroppedForTheSilenceLimit()
    {
        using ServiceProvider services = PrivateMetrics(out IMeterFactory factory, out TcpMetrics metrics);
        using var log = new MeasurementLog(factory);
        await using var listener = new TestListener(2, o => o with
        {
            Metrics = metrics,
            KeepAliveInterval = TimeSpan.FromMilliseconds(100),
            SilenceLimit = TimeSpan.FromMilliseconds(500),
        });
        using RawPeer silent = await RawPeer.ConnectAuthenticatedAsync(listener.EndPoint, 1);
        ConnectionProbe acceptor = await listener.NextAcceptedAsync();

        _ = await acceptor.Closed.WaitAsync(TestNodes.WaitLimit);

        Assert.AreEqual(ConnectionCloseReason.SilenceLimit, acceptor.Connection.CloseReason);
        Assert.AreEqual("2 accepted SilenceLimit", Outcomes(log.Of(ConnectionDuration)));
        Assert.IsGreaterThanOrEqualTo(0.45, log.Of(ConnectionDuration).Single().Value);
        Assert.AreEqual("2 accepted SilenceLimit", Drops(log));
        Assert.AreEqual("2 accepted 1|2 accepted -1", Describe(log.Of(Active)));
    }

    [TestMethod]
    public async Task Connection_PeerStopsReading_QueuedBytesObserved_ThenDroppedForTheSendTimeout()
    {
        using ServiceProvider services = PrivateMetrics(out IMeterFactory factory, out TcpMetrics metrics);
        using var log = new MeasurementLog(factory);
        await using var listener = new TestListener(2, o => o with
        {
            Metrics = metrics,
            Timeout = TimeSpan.FromSeconds(60),
            SendTimeout = TimeSpan.FromMilliseconds(1500),
        });
        using RawPeer stuck = await RawPeer.ConnectAuthenticatedAsync(listener.EndPoint, 1);
        ConnectionProbe acceptor = await listener.NextAcceptedAsync();

        // The peer reads nothing: once the socket's buffers are full, what is sent waits in the queue until the send
        // timeout drops the peer, which also ends this loop.
        byte[] chunk = new byte[256 * 1024];
        Task sender = Task.Run(() =>
        {
            for (int i = 0; i < 4096 && acceptor.Connection.TrySend(new FrameHeader(Opcode.Put, (uint)i, 0), default, chunk); i++)
            {
            }
        });
        await log.WaitUntilAsync(
            l =>
            {
                l.Observe();
                return l.Of(QueuedBytes).Any(m => m.Value > 0);
            },
            TestNodes.WaitLimit,
            "bytes queued for the peer that does not read");
        _ = await acceptor.Closed.WaitAsync(TestNodes.WaitLimit);
        await sender.WaitAsync(TestNodes.WaitLimit);

        Measured queued = log.Of(QueuedBytes).First(m => m.Value > 0);
        Assert.AreEqual(RoleKeys, queued.Keys);
        Assert.AreEqual("2 accepted", $"{queued.Tag("rsm.node.id")} {queued.Tag("rsm.tcp.connection.role")}");
        Assert.AreEqual(ConnectionCloseReason.SendTimeout, acceptor.Connection.CloseReason);
        Assert.AreEqual("2 accepted SendTimeout", Outcomes(log.Of(ConnectionDuration)));
        Assert.AreEqual("2 accepted SendTimeout", Drops(log));
        int observed = log.Of(QueuedBytes).Length;
        log.Observe();
        Assert.HasCount(observed, log.Of(QueuedBytes), "the dropped connection is no longer observed");
    }

    private static ServiceProvider PrivateMetrics(out IMeterFactory factory, out TcpMetrics metrics)
    {
        ServiceProvider services = new ServiceCollection().AddMetrics().BuildServiceProvider();
        factory = services.GetRequiredService<IMeterFactory>();
        metrics = TcpMetrics.For(factory.Create(new MeterOptions(RsmInstrumentation.MeterName)));
        return services;
    }

    private static void AssertInstrument<T>(MeasurementLog log, string name, string unit)
    {
        Instrument instrument = log.Instrument(name);
        Assert.IsInstanceOfType<T>(instrument, name);
        Assert.AreEqual(unit, instrument.Unit, name);
        Assert.IsFalse(string.IsNullOrEmpty(instrument.Description), name);
    }

    private static Measured[] Side(Measured[] measurements, string role) =>
        [.. measurements.Where(m => (string?)m.Tag("rsm.tcp.connection.role") == role)];

    /// <summary>Node, role and value of each measurement, in order.</summary>
    private static string Describe(Measured[] measurements) =>
        string.Join("|", measurements.Select(m => $"{m.Tag("rsm.node.id")} {m.Tag("rsm.tcp.connection.role")} {m.Value}"));

    /// <summary>Node, role and error.type (or -) of each measurement, sorted: the two sides record in either order.</summary>
    private static string Outcomes(Measured[] measurements) =>
        string.Join("|", measurements.Select(m => $"{m.Tag("rsm.node.id")} {m.Tag("rsm.tcp.connection.role")} {m.Tag("error.type") ?? "-"}").Order(StringComparer.Ordinal));

    private static string Drops(MeasurementLog log) =>
        string.Join("|", log.Of(Dropped).Select(m => $"{m.Tag("rsm.node.id")} {m.Tag("rsm.tcp.connection.role")} {m.Tag("rsm.tcp.drop.reason")}").Order(StringComparer.Ordinal));
}
