using System.Buffers;
using System.Threading.Channels;
using Rsm.Providers.Tcp.Internal.Wire;

namespace Rsm.Providers.Tcp.Tests;

/// <summary>A frame as a test sees it: the header and a copy of the payload.</summary>
internal sealed record ReceivedFrame(FrameHeader Header, byte[] Payload);

/// <summary>Starts a connection and records what its callbacks see: every frame, and the one close.</summary>
internal sealed class ConnectionProbe
{
    private readonly Channel<ReceivedFrame> _frames = Channel.CreateUnbounded<ReceivedFrame>();
    private readonly TaskCompletionSource<Exception?> _closed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _closedCalls;
    private long _frameCount;
    private long _largestPayload;
    private readonly bool _keepFrames;

    /// <summary>Starts <paramref name="connection"/> at once, or, with <paramref name="start"/> false, when <see cref="Start"/> is called.</summary>
    public ConnectionProbe(TcpFrameConnection connection, bool keepFrames = true, bool start = true)
    {
        Connection = connection;
        _keepFrames = keepFrames;
        if (start)
        {
            Start();
        }
    }

    /// <summary>Starts the connection's reader; its frames and close are recorded from then on.</summary>
    public void Start()
    {
        bool keepFrames = _keepFrames;
        Connection.Start(
            (header, payload) =>
            {
                Interlocked.Increment(ref _frameCount);
                long largest;
                while (payload.Length > (largest = Interlocked.Read(ref _largestPayload)) && Interlocked.CompareExchange(ref _largestPayload, payload.Length, largest) != largest)
                {
                }

                if (keepFrames)
                {
                    _ = _frames.Writer.TryWrite(new ReceivedFrame(header, payload.ToArray()));
                }

                return ValueTask.CompletedTask;
            },
            reason =>
            {
                Interlocked.Increment(ref _closedCalls);
                _closed.TrySetResult(reason);
            });
    }

    public TcpFrameConnection Connection { get; }

    /// <summary>What the closed callback received.</summary>
    public Task<Exception?> Closed => _closed.Task;

    public int ClosedCalls => Volatile.Read(ref _closedCalls);

    public long FrameCount => Interlocked.Read(ref _frameCount);

    public long LargestPayload => Interlocked.Read(ref _largestPayload);

    public async Task<ReceivedFrame> NextFrameAsync() =>
        await _frames.Reader.ReadAsync().AsTask().WaitAsync(TestNodes.WaitLimit);

    public bool TryGetFrame(out ReceivedFrame? frame) => _frames.Reader.TryRead(out frame);
}
