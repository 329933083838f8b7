using System.Globalization;
using Rsm.Engine;

namespace Rsm.Providers.Tcp.Internal.Wire;

/// <content>Keep-alive: Ping after <see cref="HandshakeOptions.KeepAliveInterval"/> without sending, close after <see cref="HandshakeOptions.SilenceLimit"/> without receiving.</content>
internal sealed partial class TcpFrameConnection
{
    private static readonly TimeSpan s_minimumTick = TimeSpan.FromMilliseconds(10);

    private long _pingsSent;
    private long _pongsReceived;
    private int _pingPending;
    private int _pongPending;
    private uint _pingId;

    /// <summary>The keep-alive Pings this side has sent.</summary>
    public long PingsSent => Interlocked.Read(ref _pingsSent);

    /// <summary>The Pongs this side has received.</summary>
    public long PongsReceived => Interlocked.Read(ref _pongsReceived);

    private async Task KeepAliveLoopAsync()
    {
        long interval = (long)_options.KeepAliveInterval.TotalMilliseconds;
        long silence = (long)_options.SilenceLimit.TotalMilliseconds;
        TimeSpan tick = TimeSpan.MaxValue;
        if (interval > 0)
        {
            tick = TimeSpan.FromMilliseconds(interval / 2.0);
        }

        if (silence > 0 && TimeSpan.FromMilliseconds(silence / 4.0) < tick)
        {
            tick = TimeSpan.FromMilliseconds(silence / 4.0);
        }

        using var timer = new PeriodicTimer(tick < s_minimumTick ? s_minimumTick : tick);
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

                if (interval > 0 && now - Volatile.Read(ref _lastSent) >= interval)
                {
                    SchedulePing();
                }

                // Frames left waiting for company go out now at the latest.
                await FlushDeferredAsync().ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException)
        {
            // Closed.
        }
    }

    private void SchedulePing()
    {
        if (Interlocked.Exchange(ref _pingPending, 1) == 0)
        {
            _ = SendControlAsync(Opcode.Ping, unchecked(++_pingId), isPing: true);
        }
    }

    private void SchedulePong(uint requestId)
    {
        if (Interlocked.Exchange(ref _pongPending, 1) == 0)
        {
            _ = SendControlAsync(Opcode.Pong, requestId, isPing: false);
        }
    }

    /// <summary>
    /// Sends a Ping or Pong without making the caller wait: the reader loop and the keep-alive timer must never block
    /// behind a writer that a slow peer holds up. At most one of each is in flight.
    /// </summary>
    private async Task SendControlAsync(Opcode opcode, uint requestId, bool isPing)
    {
        try
        {
            await SendAsync(new FrameHeader(opcode, requestId, 0), ReadOnlyMemory<byte>.Empty, _closing.Token).ConfigureAwait(false);
            if (isPing)
            {
                Interlocked.Increment(ref _pingsSent);
            }
        }
        catch (Exception ex) when (ex is RsmException or OperationCanceledException)
        {
            // The connection closed; its close reason says why.
        }
        finally
        {
            Volatile.Write(ref (isPing ? ref _pingPending : ref _pongPending), 0);
        }
    }
}
