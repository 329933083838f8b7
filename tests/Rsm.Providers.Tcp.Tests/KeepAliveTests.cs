using Rsm.Providers.Tcp.Internal.Wire;

namespace Rsm.Providers.Tcp.Tests;

/// <summary>Pings keep an idle but healthy connection open; a peer that goes silent is dropped.</summary>
[TestClass]
public sealed class KeepAliveTests
{
    private static HandshakeOptions KeepAlive(HandshakeOptions options) => options with
    {
        KeepAliveInterval = TimeSpan.FromMilliseconds(100),
        SilenceLimit = TimeSpan.FromSeconds(2),
    };

    [TestMethod]
    public async Task IdlePair_PingsFlowPastTheSilenceLimit_StaysConnected()
    {
        await using var listener = new TestListener(2, KeepAlive);
        ConnectionProbe dialer = await TestNodes.DialAsync(listener, 1, KeepAlive);
        ConnectionProbe acceptor = await listener.NextAcceptedAsync();

        // Idle for longer than the silence limit: only the keep-alive crosses the wire, and it has to be enough. A
        // side that answers pings is not idle, so one side may do most of the pinging; both must hear pongs.
        await Task.Delay(TimeSpan.FromMilliseconds(2500));
        await WaitUntilAsync(() => dialer.Connection.PongsReceived + acceptor.Connection.PongsReceived >= 10);

        Assert.IsFalse(dialer.Connection.IsClosed, dialer.Connection.CloseException?.Message);
        Assert.IsFalse(acceptor.Connection.IsClosed, acceptor.Connection.CloseException?.Message);
        Assert.AreEqual(0, dialer.FrameCount);
        Assert.AreEqual(0, acceptor.FrameCount);
        dialer.Connection.Close();
    }

    [TestMethod]
    public async Task PeerStopsResponding_DroppedWithSilenceReason()
    {
        await using var listener = new TestListener(2, KeepAlive);
        using RawPeer silent = await RawPeer.ConnectAuthenticatedAsync(listener.EndPoint, 1);
        ConnectionProbe acceptor = await listener.NextAcceptedAsync();

        // The raw peer never reads nor writes again.
        Exception? reason = await acceptor.Closed.WaitAsync(TestNodes.WaitLimit);

        RsmException error = Assert.IsInstanceOfType<RsmException>(reason);
        Assert.AreEqual(RsmError.ConnectionAborted, error.Error);
        Assert.IsInstanceOfType<TimeoutException>(error.InnerException);
        StringAssert.Contains(error.Message, "silence limit");
        Assert.AreEqual(ConnectionCloseReason.SilenceLimit, acceptor.Connection.CloseReason);
        Assert.IsGreaterThanOrEqualTo(1L, acceptor.Connection.PingsSent);
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        using var timeout = new CancellationTokenSource(TestNodes.WaitLimit);
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(20));
        while (!condition())
        {
            await timer.WaitForNextTickAsync(timeout.Token);
        }
    }
}
