using System.Collections.Concurrent;
using System.Net.Sockets;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;
using Rsm.Providers.Tcp.Internal.Wire;

namespace Rsm.Providers.Tcp.Tests;

/// <summary>The acceptor's judgement of a dialer that proved the key, the handshake deadline, eviction and the refusal log.</summary>
[TestClass]
public sealed class AdmissionTests
{
    [TestMethod]
    public async Task Connect_AdmitRefuses_DialerPermissionDeniedWithTheRefusal()
    {
        await using var listener = new TestListener(2, o => o with { Admit = static c => c.PeerNodeId == 7 ? AdmissionRefusal.NotListed : AdmissionRefusal.None });

        RsmException ex = await Assert.ThrowsExactlyAsync<RsmException>(() => TestNodes.DialAsync(listener, 7));
        Exception refused = await listener.NextRefusedAsync();
        ConnectionProbe admitted = await TestNodes.DialAsync(listener, 8);
        ConnectionProbe accepted = await listener.NextAcceptedAsync();

        Assert.AreEqual(RsmError.PermissionDenied, ex.Error);
        Assert.AreEqual(AdmissionRefusal.NotListed, AdmissionRefusals.Of(ex));
        StringAssert.Contains(ex.Message, "not in its node directory");
        Assert.AreEqual(RsmError.PermissionDenied, Assert.IsInstanceOfType<RsmException>(refused).Error);
        Assert.AreEqual(AdmissionRefusal.NotListed, AdmissionRefusals.Of(refused));
        Assert.AreEqual(2u, admitted.Connection.PeerNodeId);
        Assert.AreEqual(8u, accepted.Connection.PeerNodeId);
        Assert.AreEqual(1, listener.Listener.AcceptedCount);
        admitted.Connection.Close();
    }

    [TestMethod]
    public async Task Accept_RawDialerRefused_ReadsRefusedFrameAndConnectionEnds()
    {
        await using var listener = new TestListener(2, o => o with { Admit = static _ => AdmissionRefusal.AlreadyConnected });
        using RawPeer peer = await RawPeer.ConnectAsync(listener.EndPoint);

        (uint acceptor, AdmissionRefusal refusal) = await peer.TryHandshakeAsync(5, TestNodes.Key);
        await peer.WaitForEndAsync();

        Assert.AreEqual(2u, acceptor);
        Assert.AreEqual(AdmissionRefusal.AlreadyConnected, refusal);
        Assert.AreEqual(0, listener.Listener.AcceptedCount);
    }

    [TestMethod]
    public async Task Accept_HelloTrickles_DroppedAtTheDeadlineFromAccept()
    {
        await using var listener = new TestListener(2, o => o with { Timeout = TimeSpan.FromSeconds(1) });
        // Taken before the connect: the deadline counts from the accept, which comes after it, while the connect's
        // continuation may run much later on a loaded machine.
        long started = Environment.TickCount64;
        using RawPeer peer = await RawPeer.ConnectAsync(listener.EndPoint);

        // One byte of a Hello every 100 ms: never silent, never done.
        byte[] hello = RawPeer.Frame(new FrameHeader(Opcode.Hello, 0, Handshake.HelloSize), new byte[Handshake.HelloSize]);
        Task trickle = Task.Run(async () =>
        {
            for (int i = 0; i < hello.Length - 1; i++)
            {
                try
                {
                    await peer.SendAsync(hello[i..(i + 1)]);
                }
                catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
                {
                    return;
                }

                await Task.Delay(100);
            }
        });
        Exception refused = await listener.NextRefusedAsync();
        long took = Environment.TickCount64 - started;
        await peer.WaitForEndAsync();
        peer.Dispose();
        await trickle.WaitAsync(TestNodes.WaitLimit);

        Assert.AreEqual(RsmError.RemoteNodeUnreachable, Assert.IsInstanceOfType<RsmException>(refused).Error);
        StringAssert.Contains(refused.Message, "of its accept");
        Assert.IsGreaterThanOrEqualTo(900, took, $"dropped after {took} ms");
        Assert.IsLessThan(5000, took, $"dropped after {took} ms");
    }

    [TestMethod]
    public async Task Accept_PendingAtCap_OldestSilentDroppedAndNewDialerConnects()
    {
        await using var listener = new TestListener(2, o => o with { Timeout = TimeSpan.FromSeconds(30) }, maxPendingHandshakes: 4);
        var silent = new List<RawPeer>();
        try
        {
            // One peer sends its whole Hello at once and stalls after the reply; three say nothing.
            RawPeer started = await RawPeer.ConnectAsync(listener.EndPoint);
            silent.Add(started);
            byte[] nonce = new byte[Handshake.NonceSize];
            byte[] hello = new byte[Handshake.HelloSize];
            Handshake.WriteHello(hello, 9, nonce);
            await started.SendAsync(RawPeer.Frame(new FrameHeader(Opcode.Hello, 0, (uint)hello.Length), hello));
            _ = await started.ReceiveAsync(FrameHeader.Size + Handshake.HelloReplySize);
            for (int i = 0; i < 3; i++)
            {
                silent.Add(await RawPeer.ConnectAsync(listener.EndPoint));
            }

            await WaitUntilAsync(() => listener.Listener.PendingHandshakes == 4, "four pending handshakes");

            ConnectionProbe dialer = await TestNodes.DialAsync(listener, 1);
            ConnectionProbe accepted = await listener.NextAcceptedAsync();
            Exception refused = await listener.NextRefusedAsync();

            Assert.AreEqual(1u, accepted.Connection.PeerNodeId);
            Assert.AreEqual(1, listener.Listener.EvictedCount);
            Assert.AreEqual(RsmError.InsufficientResources, Assert.IsInstanceOfType<RsmException>(refused).Error);

            // The first silent peer made room; the one that sent its Hello is still pending.
            await silent[1].WaitForEndAsync();
            Assert.IsTrue(silent[0].Socket.Poll(0, SelectMode.SelectRead) is false, "the peer that sent its Hello was dropped");
            dialer.Connection.Close();
        }
        finally
        {
            foreach (RawPeer peer in silent)
            {
                peer.Dispose();
            }
        }
    }

    [TestMethod]
    public async Task Accept_FloodOfBadHandshakes_LogLinesBoundedAndSuppressedCounted()
    {
        var log = new ListLogger();
        const int Flood = 300;
        await using (var listener = new TestListener(2, o => o with { Logger = log }, logInterval: TimeSpan.FromMilliseconds(400), logPerInterval: 3))
        {
            long started = Environment.TickCount64;
            byte[] garbage = new byte[FrameHeader.Size];
            for (int i = 0; i < Flood; i++)
            {
                using RawPeer peer = await RawPeer.ConnectAsync(listener.EndPoint);
                await peer.SendAsync(garbage);
                await peer.WaitForEndAsync();
            }

            await WaitUntilAsync(() => listener.Listener.RefusedCount == Flood, "every bad handshake refused");
            long intervals = ((Environment.TickCount64 - started) / 400) + 2;
            int failedLines = log.Count(110);
            Assert.IsLessThanOrEqualTo((int)(3 * intervals), failedLines, $"{failedLines} lines in {intervals} intervals");
            Assert.IsGreaterThan(0L, listener.Listener.SuppressedLogCount);

            // The timer reports what was held back once the interval has passed.
            await WaitUntilAsync(() => log.Count(119) > 0, "a line with the suppressed count");
        }

        // After the listener's disposal every refusal is either logged or counted in a summary.
        Assert.AreEqual(Flood, log.Count(110) + log.Suppressed(), string.Join(Environment.NewLine, log.Lines));
        StringAssert.Contains(log.Lines.First(l => l.Id == 119).Text, "failed handshakes");
    }

    [TestMethod]
    public void RateLimiter_BurstWithinInterval_LetsThroughPerIntervalAndReportsTheRestOnce()
    {
        var reports = new ConcurrentQueue<long>();
        using (var limiter = new LogRateLimiter(TimeSpan.FromHours(1), 5, (count, _) => reports.Enqueue(count)))
        {
            int allowed = Enumerable.Range(0, 1000).Count(_ => limiter.TryAcquire());
            Assert.AreEqual(5, allowed);
            Assert.AreEqual(995, limiter.SuppressedTotal);
            Assert.IsEmpty(reports);
        }

        CollectionAssert.AreEqual(new long[] { 995 }, reports.ToArray());
    }

    private static async Task WaitUntilAsync(Func<bool> condition, string what)
    {
        long deadline = Environment.TickCount64 + (long)TestNodes.WaitLimit.TotalMilliseconds;
        while (!condition())
        {
            Assert.IsLessThan(deadline, Environment.TickCount64, $"timed out waiting for {what}");
            await Task.Delay(20);
        }
    }

    /// <summary>Keeps every line with its event id.</summary>
    private sealed class ListLogger : ILogger
    {
        private readonly ConcurrentQueue<(int Id, string Text, long Suppressed)> _lines = new();

        public IReadOnlyList<(int Id, string Text, long Suppressed)> Lines => [.. _lines];

        public int Count(int eventId) => _lines.Count(l => l.Id == eventId);

        public long Suppressed() => _lines.Where(l => l.Id == 119).Sum(l => l.Suppressed);

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            long suppressed = 0;
            if (state is IReadOnlyList<KeyValuePair<string, object?>> fields)
            {
                suppressed = fields.Where(f => f.Key == "Suppressed").Select(f => Convert.ToInt64(f.Value, System.Globalization.CultureInfo.InvariantCulture)).FirstOrDefault();
            }

            _lines.Enqueue((eventId.Id, formatter(state, exception), suppressed));
        }
    }
}

/// <summary>The admission options as the provider validates them.</summary>
[TestClass]
public sealed class AdmissionOptionsTests
{
    [TestMethod]
    [DataRow("00:00:00")]
    [DataRow("-00:00:01")]
    [DataRow("02:00:00")]
    public void Validate_HandshakeTimeoutOutOfRange_OptionsValidationExceptionNamesThePath(string value)
    {
        using var provider = new Internal.TcpProvider(new Microsoft.Extensions.Options.OptionsFactory<TcpProviderOptions>([], []));
        IConfiguration settings = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["NodeId"] = "1",
            ["Listen"] = "127.0.0.1:0",
            ["ClusterKey"] = Convert.ToBase64String(TestNodes.Key),
            ["HandshakeTimeout"] = value,
        }).Build();

        var ex = Assert.ThrowsExactly<Microsoft.Extensions.Options.OptionsValidationException>(() => provider.CreateController("node1", settings, "Rsm:Controllers:node1").Dispose());

        Assert.Contains("Rsm:Controllers:node1:HandshakeTimeout", ex.Message);
    }

    [TestMethod]
    public void Defaults_AdmissionOptions_AsDocumented()
    {
        var options = new TcpProviderOptions();

        Assert.AreEqual(TimeSpan.FromSeconds(5), options.HandshakeTimeout);
        Assert.IsFalse(options.AcceptListedNodesOnly);
    }
}
