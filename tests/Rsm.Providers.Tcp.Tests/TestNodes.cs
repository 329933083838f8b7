using System.Net;
using System.Threading.Channels;
using Rsm.Providers.Tcp.Internal.Wire;

namespace Rsm.Providers.Tcp.Tests;

/// <summary>Keys, options and a listening node for the tests, all on 127.0.0.1 with ports the system picks.</summary>
internal static class TestNodes
{
    /// <summary>The bound on every wait: a hang fails the test instead of blocking the run.</summary>
    public static readonly TimeSpan WaitLimit = TimeSpan.FromSeconds(10);

    public static readonly IPEndPoint AnyPort = new(IPAddress.Loopback, 0);

    public static byte[] Key { get; } = [.. Enumerable.Range(1, 32).Select(i => (byte)(i * 7))];

    public static byte[] OtherKey { get; } = [.. Enumerable.Range(1, 32).Select(i => (byte)(i * 11))];

    public static HandshakeOptions Options(uint nodeId, uint expectedPeer = 0, byte[]? key = null) => new()
    {
        LocalNodeId = nodeId,
        ClusterKey = key ?? Key,
        ExpectedPeerNodeId = expectedPeer,
        Timeout = TimeSpan.FromSeconds(5),
    };

    /// <summary>Dials <paramref name="listener"/> as <paramref name="nodeId"/> and starts a probe on the result.</summary>
    public static async Task<ConnectionProbe> DialAsync(TestListener listener, uint nodeId, Func<HandshakeOptions, HandshakeOptions>? configure = null)
    {
        HandshakeOptions options = Options(nodeId, listener.NodeId);
        options = configure?.Invoke(options) ?? options;
        TcpFrameConnection connection = await TcpFrameConnection.ConnectAsync(listener.EndPoint, options).AsTask().WaitAsync(WaitLimit);
        return new ConnectionProbe(connection);
    }
}

/// <summary>A <see cref="TcpFrameListener"/> whose accepted connections are started with a probe and queued for the test.</summary>
internal sealed class TestListener : IAsyncDisposable
{
    private readonly Channel<ConnectionProbe> _accepted = Channel.CreateUnbounded<ConnectionProbe>();
    private readonly Channel<Exception> _refused = Channel.CreateUnbounded<Exception>();
    private readonly List<ConnectionProbe> _all = [];
    private readonly TcpFrameListener _listener;

    public TestListener(uint nodeId, Func<HandshakeOptions, HandshakeOptions>? configure = null, bool keepFrames = true, int maxPendingHandshakes = TcpFrameListener.DefaultMaxPendingHandshakes, TimeSpan logInterval = default, int logPerInterval = 0)
    {
        NodeId = nodeId;
        HandshakeOptions options = TestNodes.Options(nodeId);
        Options = configure?.Invoke(options) ?? options;
        _listener = TcpFrameListener.Start(
            TestNodes.AnyPort,
            Options,
            connection =>
            {
                // Recorded before it starts: its reader may see the peer's whole blob and close before this callback ends.
                var probe = new ConnectionProbe(connection, keepFrames, start: false);
                lock (_all)
                {
                    _all.Add(probe);
                }

                probe.Start();

                _ = _accepted.Writer.TryWrite(probe);
            },
            reason => _refused.Writer.TryWrite(reason),
            maxPendingHandshakes,
            logInterval,
            logPerInterval);
    }

    public uint NodeId { get; }

    public HandshakeOptions Options { get; }

    public EndPoint EndPoint => _listener.LocalEndPoint;

    public TcpFrameListener Listener => _listener;

    public IReadOnlyList<ConnectionProbe> AllAccepted
    {
        get
        {
            lock (_all)
            {
                return [.. _all];
            }
        }
    }

    public async Task<ConnectionProbe> NextAcceptedAsync() =>
        await _accepted.Reader.ReadAsync().AsTask().WaitAsync(TestNodes.WaitLimit);

    public async Task<Exception> NextRefusedAsync() =>
        await _refused.Reader.ReadAsync().AsTask().WaitAsync(TestNodes.WaitLimit);

    public bool TryGetAccepted(out ConnectionProbe? probe) => _accepted.Reader.TryRead(out probe);

    public async ValueTask DisposeAsync()
    {
        await _listener.DisposeAsync().AsTask().WaitAsync(TestNodes.WaitLimit);
        foreach (ConnectionProbe probe in AllAccepted)
        {
            probe.Connection.Close();
        }
    }
}
