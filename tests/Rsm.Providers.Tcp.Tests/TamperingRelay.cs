using System.Net;
using System.Net.Sockets;

namespace Rsm.Providers.Tcp.Tests;

/// <summary>
/// A relay on the path between a dialing node and the node it dials, as an attacker on the network would place one: it
/// forwards every byte both ways and, when told, alters one byte of what the dialer sends or inserts bytes of its own.
/// </summary>
internal sealed class TamperingRelay : IDisposable
{
    private readonly Socket _listener;
    private readonly IPEndPoint _upstream;
    private readonly object _gate = new();

    // Orders the relay's own writes toward the dialed node with the ones it forwards.
    private readonly object _serverWrites = new();
    private readonly List<Socket> _sockets = [];
    private readonly List<Thread> _threads = [];
    private readonly Thread _acceptor;
    private Socket? _toServer;
    private long _flipAt = -1;
    private long _forwarded;
    private bool _stopped;

    private TamperingRelay(IPEndPoint upstream)
    {
        _upstream = upstream;
        _listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        _listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        _listener.Listen(8);
        EndPoint = (IPEndPoint)_listener.LocalEndPoint!;
        _acceptor = new Thread(AcceptLoop) { IsBackground = true, Name = "tampering relay accept" };
    }

    /// <summary>Where the dialer connects instead of <see cref="_upstream"/>.</summary>
    public IPEndPoint EndPoint { get; }

    /// <summary>How many bytes the dialer sent through the relay so far (all connections).</summary>
    public long ForwardedToServer => Interlocked.Read(ref _forwarded);

    /// <summary>How many connections the relay accepted.</summary>
    public int Connections
    {
        get
        {
            lock (_gate)
            {
                return _sockets.Count / 2;
            }
        }
    }

    public static TamperingRelay Start(IPEndPoint upstream)
    {
        var relay = new TamperingRelay(upstream);
        relay._acceptor.Start();
        return relay;
    }

    /// <summary>Inverts the lowest bit of the dialer's byte that comes <paramref name="skip"/> bytes after what was forwarded so far.</summary>
    public void FlipOneByte(long skip)
    {
        lock (_gate)
        {
            _flipAt = _forwarded + skip;
        }
    }

    /// <summary>Whether the armed flip has been applied to a byte on its way.</summary>
    public bool Flipped
    {
        get
        {
            lock (_gate)
            {
                return _flipAt < 0;
            }
        }
    }

    /// <summary>Sends <paramref name="bytes"/> to the dialed node on the latest connection, between two chunks of the dialer's.</summary>
    public void Inject(ReadOnlySpan<byte> bytes)
    {
        Socket target;
        lock (_gate)
        {
            target = _toServer ?? throw new InvalidOperationException("no connection passes through the relay");
        }

        lock (_serverWrites)
        {
            SendAll(target, bytes);
        }
    }

    public void Dispose()
    {
        lock (_gate)
        {
            _stopped = true;
            foreach (Socket socket in _sockets)
            {
                Shut(socket);
            }
        }

        _listener.Dispose();
        _ = _acceptor.Join(TestNodes.WaitLimit);
        Thread[] threads;
        lock (_gate)
        {
            threads = [.. _threads];
        }

        foreach (Thread thread in threads)
        {
            _ = thread.Join(TestNodes.WaitLimit);
        }

        lock (_gate)
        {
            foreach (Socket socket in _sockets)
            {
                socket.Dispose();
            }
        }
    }

    private static void Shut(Socket socket)
    {
        try
        {
            socket.Shutdown(SocketShutdown.Both);
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
            // Already gone.
        }
    }

    private void AcceptLoop()
    {
        while (true)
        {
            Socket client;
            try
            {
                client = _listener.Accept();
            }
            catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
            {
                return;
            }

            var server = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            client.NoDelay = true;
            lock (_gate)
            {
                _sockets.Add(client);
                _sockets.Add(server);
                if (_stopped)
                {
                    Shut(client);
                    return;
                }
            }

            try
            {
                server.Connect(_upstream);
            }
            catch (SocketException)
            {
                Shut(client);
                continue;
            }

            lock (_gate)
            {
                _toServer = server;
                Start(() => Pump(client, server, toServer: true));
                Start(() => Pump(server, client, toServer: false));
            }
        }
    }

    private void Start(ThreadStart body)
    {
        var thread = new Thread(body) { IsBackground = true, Name = "tampering relay pump" };
        _threads.Add(thread);
        thread.Start();
    }

    private void Pump(Socket from, Socket to, bool toServer)
    {
        byte[] buffer = new byte[64 * 1024];
        try
        {
            while (true)
            {
                int received = from.Receive(buffer);
                if (received == 0)
                {
                    break;
                }

                if (toServer)
                {
                    lock (_gate)
                    {
                        if (_flipAt >= _forwarded && _flipAt < _forwarded + received)
                        {
                            buffer[_flipAt - _forwarded] ^= 0x01;
                            _flipAt = -1;
                        }

                        _forwarded += received;
                    }

                    lock (_serverWrites)
                    {
                        SendAll(to, buffer.AsSpan(0, received));
                    }
                }
                else
                {
                    SendAll(to, buffer.AsSpan(0, received));
                }
            }
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
            // One side ended; the other learns of it below.
        }

        Shut(to);
        Shut(from);
    }

    private static void SendAll(Socket to, ReadOnlySpan<byte> bytes)
    {
        while (!bytes.IsEmpty)
        {
            bytes = bytes[to.Send(bytes)..];
        }
    }
}
