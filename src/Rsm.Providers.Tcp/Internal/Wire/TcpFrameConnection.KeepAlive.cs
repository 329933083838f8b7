using System.Globalization;
using Rsm.Engine;

namespace Rsm.Providers.Tcp.Internal.Wire;

/// <content>
/// Keep-alive: Ping after <see cref="HandshakeOptions.KeepAliveInterval"/> without sending, close after
/// <see cref="HandshakeOptions.SilenceLimit"/> without receiving or with a frame begun and not completed, and after
/// <see cref="HandshakeOptions.SendTimeout"/> in which the peer took none of the bytes queued for it.
/// </content>
internal sealed partial class TcpFrameConnection
{
    private static readonly TimeSpan s_minimumTick = TimeSpan.FromMilliseconds(10);

    private long _pingsSent;
    private long _pongsReceived;
    private uint _pingId;

    /// <summary>The keep-alive Pings this side has sent.</summary>
    public long PingsSent => Interlocked.Read(ref _pingsSent);

    /// <summary>The Pongs this side has received.</summary>
    public long PongsReceived => Interlocked.Read(ref _pongsReceived);

    private async Task KeepAliveLoopAsync()
    {
        long interval = (long)_options.KeepAliveInterval.TotalMilliseconds;
        long silence = (long)_options.SilenceLimit.TotalMilliseconds;
        long sendTimeout = (long)_options.SendTimeout.TotalMilliseconds;
        TimeSpan tick = KeepAliveTick(_options);
        using var timer = new PeriodicTimer(tick);
        try
        {
            while (await timer.WaitForNextTickAsync(_closing.Token).ConfigureAwait(false))
            {
                long now = Environment.TickCount64;
                long quiet = now - Volatile.Read(ref _lastReceived);
                if (silence > 0 && quiet >= silence)
                {
                    string detail = $"node {PeerNodeId} at {RemoteEndPoint} sent nothing for {quiet.ToString(CultureInfo.InvariantCulture)} ms (silence limit {silence.ToString(CultureInfo.InvariantCulture)} ms)";
                    TryClose(ConnectionCloseReason.SilenceLimit, RsmThrow.Create(RsmError.ConnectionAborted, detail, new TimeoutException(detail)), sendGoodbye: true);
                    return;
                }

                long started = Volatile.Read(ref _frameStartedAt);
                if (silence > 0 && started != 0 && now - started >= silence)
                {
                    string detail = $"node {PeerNodeId} at {RemoteEndPoint} began a frame {(now - started).ToString(CultureInfo.InvariantCulture)} ms ago and has not completed it (silence limit {silence.ToString(CultureInfo.InvariantCulture)} ms)";
                    TryClose(ConnectionCloseReason.IncompleteFrame, RsmThrow.Create(RsmError.ConnectionAborted, detail, new TimeoutException(detail)), sendGoodbye: false);
                    return;
                }

                // A peer that keeps sending (keep-alives included) but takes nothing of what waits for it is no better
                // than a silent one: nobody may wait for it longer than the send timeout.
                long waiting = QueuedBytes;
                long stalled = now - Volatile.Read(ref _progressAt);
                if (sendTimeout > 0 && waiting > 0 && stalled >= sendTimeout)
                {
                    string detail = $"node {PeerNodeId} at {RemoteEndPoint} took none of the {waiting.ToString(CultureInfo.InvariantCulture)} bytes queued for it for {stalled.ToString(CultureInfo.InvariantCulture)} ms (send timeout {sendTimeout.ToString(CultureInfo.InvariantCulture)} ms)";
                    TryClose(ConnectionCloseReason.SendTimeout, RsmThrow.Create(RsmError.ConnectionAborted, detail, new TimeoutException(detail)), sendGoodbye: false);
                    return;
                }

                // Corked frames go out now at the latest.
                if (waiting > 0)
                {
                    _ = Flush();
                }

                if (interval > 0 && now - Volatile.Read(ref _lastSent) >= interval && waiting == 0)
                {
                    if (TryPost(new FrameHeader(Opcode.Ping, unchecked(++_pingId), 0), default))
                    {
                        Interlocked.Increment(ref _pingsSent);
                    }
                }
            }
        }
        catch (OperationCanceledException)
        {
            // Closed.
        }
    }

    /// <summary>
    /// How often the keep-alive looks at the connection: half the keep-alive interval, a quarter of the silence limit
    /// and of the send timeout, whichever is shortest, and at least 10 ms. A peer is dropped at most one tick after its
    /// limit passed.
    /// </summary>
    /// <param name="options">The connection's options.</param>
    /// <returns>The tick.</returns>
    public static TimeSpan KeepAliveTick(HandshakeOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        TimeSpan tick = TimeSpan.MaxValue;
        if (options.KeepAliveInterval > TimeSpan.Zero)
        {
            tick = options.KeepAliveInterval / 2;
        }

        if (options.SilenceLimit > TimeSpan.Zero && options.SilenceLimit / 4 < tick)
        {
            tick = options.SilenceLimit / 4;
        }

        if (options.SendTimeout > TimeSpan.Zero && options.SendTimeout / 4 < tick)
        {
            tick = options.SendTimeout / 4;
        }

        return tick < s_minimumTick ? s_minimumTick : tick;
    }
}
