using System.Net;
using System.Net.Sockets;

namespace Rsm.Conformance.Tests;

/// <summary>Which way bytes travel through a <see cref="TcpFaultProxy"/>.</summary>
public enum ProxyDirection
{
    /// <summary>From the dialing importer to the exporter it dialed.</summary>
    ToExporter,

    /// <summary>From the exporter back to the importer.</summary>
    ToImporter,
}

/// <summary>
/// A TCP proxy on 127.0.0.1 between an importing node and an exporting node, for injecting faults: the importer's node
/// directory maps the exporter's node id to <see cref="EndPoint"/>, and every connection it dials is forwarded to the
/// exporter byte for byte until the test arms a fault on it (<see cref="ProxiedConnection"/>): reset both sides with
/// linger 0 after a number of bytes in one direction, or stop forwarding one direction after a number of bytes (in the
/// middle of a frame, or at once so that side looks like a peer that stopped reading). Disposing resets every connection.
/// </summary>
internal sealed class TcpFaultProxy : IDisposable
{
    private readonly Socket _listener;
    private readonly IPEndPoint _target;
    private readonly List<ProxiedConnection> _connections = [];
    private readonly CancellationTokenSource _stopping = new();
    private readonly Task _acceptLoop;

    public TcpFaultProxy(IPEndPoint target)
    {
        _target = target;
        _listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        _listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        _listener.Listen(64);
        EndPoint = (IPEndPoint)_listener.LocalEndPoint!;
        _acceptLoop = Task.Run(AcceptLoopAsync);
    }

    /// <summary>Where importers dial instead of the exporter.</summary>
    public IPEndPoint EndPoint { get; }

    /// <summary>How many connections the proxy has accepted so far.</summary>
    public int ConnectionCount
    {
        get
        {
            lock (_connections)
            {
                return _connections.Count;
            }
        }
    }

    /// <summary>The connection accepted last; each is registered before any of its bytes is forwarded.</summary>
    public ProxiedConnection Latest
    {
        get
        {
            lock (_connections)
            {
                return _connections.Count > 0 ? _connections[^1] : throw new InvalidOperationException("the proxy has accepted no connection");
            }
        }
    }

    public void Dispose()
    {
        _stopping.Cancel();
        _listener.Dispose();
        _ = _acceptLoop.Wait(TimeSpan.FromSeconds(10));
        ProxiedConnection[] connections;
        lock (_connections)
        {
            connections = [.. _connections];
        }

        foreach (ProxiedConnection connection in connections)
        {
            connection.Reset();
        }
    }

    private async Task AcceptLoopAsync()
    {
        while (!_stopping.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await _listener.AcceptAsync(_stopping.Token).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                return;
            }

            var upstream = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                client.NoDelay = true;
                await upstream.ConnectAsync(_target, _stopping.Token).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                upstream.Dispose();
                client.Dispose();
                continue;
            }

            ProxiedConnection connection;
            lock (_connections)
            {
                connection = new ProxiedConnection(_connections.Count + 1, client, upstream);
                _connections.Add(connection);
            }

            connection.Start();
        }
    }
}

/// <summary>One proxied connection: two pumps, each of which a fault can cut or stop.</summary>
internal sealed class ProxiedConnection
{
    private const int BufferSize = 64 * 1024;

    // TCP_INFO of SOL_TCP: its first byte is the connection's state.
    private const int SolTcp = 6;
    private const int TcpInfo = 11;
    private const byte TcpEstablished = 1;

    private readonly Socket _client;
    private readonly Socket _upstream;
    private readonly Pump[] _pumps;
    private readonly TaskCompletionSource _closed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _closing;

    public ProxiedConnection(int number, Socket client, Socket upstream)
    {
        Number = number;
        _client = client;
        _upstream = upstream;
        _pumps = [new Pump(this, client, upstream), new Pump(this, upstream, client)];
    }

    /// <summary>1 for the proxy's first connection, and so on.</summary>
    public int Number { get; }

    /// <summary>Completes once both sockets are closed.</summary>
    public Task Closed => _closed.Task;

    /// <summary>What ended the connection: a fault, a side that closed, a side that failed.</summary>
    public string? EndedBy { get; private set; }

    /// <summary>The bytes forwarded so far in <paramref name="direction"/>.</summary>
    public long Forwarded(ProxyDirection direction) => Interlocked.Read(ref PumpOf(direction).ForwardedBytes);

    /// <summary>Forwards <paramref name="bytes"/> more in <paramref name="direction"/>, then resets both sides with linger 0.</summary>
    public void ResetAfter(ProxyDirection direction, long bytes) => PumpOf(direction).Arm(bytes, FaultAction.Reset);

    /// <summary>
    /// Forwards <paramref name="bytes"/> more in <paramref name="direction"/>, then stops reading that side (0: at once).
    /// The other direction keeps flowing; once either side closes, the proxy closes the other.
    /// </summary>
    public void StallAfter(ProxyDirection direction, long bytes) => PumpOf(direction).Arm(bytes, FaultAction.Stall);

    /// <summary>Resets both sides with linger 0 at once.</summary>
    public void Reset() => Close(reset: true, "reset by the test");

    internal void Start()
    {
        foreach (Pump pump in _pumps)
        {
            _ = Task.Run(pump.RunAsync);
        }
    }

    private Pump PumpOf(ProxyDirection direction) => _pumps[direction == ProxyDirection.ToExporter ? 0 : 1];

    private void Close(bool reset, string why)
    {
        if (Interlocked.Exchange(ref _closing, 1) != 0)
        {
            return;
        }

        EndedBy = why;
        foreach (Socket socket in new[] { _client, _upstream })
        {
            try
            {
                if (reset)
                {
                    socket.LingerState = new LingerOption(true, 0);
                }
                else
                {
                    socket.Shutdown(SocketShutdown.Both);
                }
            }
            catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
            {
                // Already gone.
            }

            socket.Dispose();
        }

        _closed.TrySetResult();
    }

    private static bool IsEstablished(Socket socket)
    {
        try
        {
            Span<byte> info = stackalloc byte[256];
            return socket.GetRawSocketOption(SolTcp, TcpInfo, info) > 0 && info[0] == TcpEstablished;
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
            return false;
        }
    }

    private enum FaultAction
    {
        None,
        Reset,
        Stall,
    }

    private sealed class Pump(ProxiedConnection owner, Socket source, Socket destination)
    {
        private readonly Lock _gate = new();
        private long _remaining = -1;
        private int _arming;
        private FaultAction _action;
        public long ForwardedBytes;

        public void Arm(long bytes, FaultAction action)
        {
            lock (_gate)
            {
                _remaining = bytes;
                _action = action;
                _arming++;
            }
        }

        public async Task RunAsync()
        {
            byte[] buffer = new byte[BufferSize];
            try
            {
                while (true)
                {
                    if (await FaultDueAsync().ConfigureAwait(false))
                    {
                        return;
                    }

                    int received = await source.ReceiveAsync(buffer.AsMemory(), SocketFlags.None).ConfigureAwait(false);
                    if (received == 0)
                    {
                        // An orderly end on one side ends the other: the sides learn it as they would without the proxy.
                        owner.Close(reset: false, "a side closed its connection");
                        return;
                    }

                    int forward = received;
                    int arming;
                    lock (_gate)
                    {
                        arming = _arming;
                        if (_remaining >= 0 && forward > _remaining)
                        {
                            forward = (int)_remaining;
                        }
                    }

                    for (int sent = 0; sent < forward;)
                    {
                        sent += await destination.SendAsync(buffer.AsMemory(sent, forward - sent), SocketFlags.None).ConfigureAwait(false);
                    }

                    Interlocked.Add(ref ForwardedBytes, forward);
                    lock (_gate)
                    {
                        // Bytes decided on before a fault was armed do not count against it.
                        if (_remaining >= 0 && arming == _arming)
                        {
                            _remaining -= forward;
                        }
                    }
                }
            }
            catch (Exception ex) when (ex is SocketException or ObjectDisposedException or OperationCanceledException)
            {
                // One side reset or failed: the other side is reset too, as a broken path would do.
                owner.Close(reset: true, $"a side failed: {ex.Message}");
            }
        }

        /// <summary>Carries out an armed fault whose byte count is used up; true when this pump has ended.</summary>
        private async Task<bool> FaultDueAsync()
        {
            FaultAction action;
            lock (_gate)
            {
                if (_remaining != 0)
                {
                    return false;
                }

                action = _action;
            }

            if (action == FaultAction.Reset)
            {
                owner.Close(reset: true, "reset by an armed fault");
                return true;
            }

            // Stalled: nothing more is read from this side. A stalled side is never read again, so its end is noticed
            // from the sockets' state instead; the other pump notices an end on its own.
            while (owner._closing == 0)
            {
                if (!IsEstablished(source) || !IsEstablished(destination))
                {
                    owner.Close(reset: false, "a side closed while the proxy stalled");
                    break;
                }

                await Task.Delay(25).ConfigureAwait(false);
            }

            return true;
        }
    }
}
