using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;

namespace Rsm.Benchmarks.Tcp;

/// <summary>
/// The raw baseline of the contended Tcp benchmarks: one receiver with one listening socket on 127.0.0.1 and one
/// page-aligned memory of <c>streams * putLength</c> bytes (the counterpart of the exported segment), and
/// <c>streams</c> connected TCP streams into it, <c>NoDelay</c> on both sides. As in
/// <see cref="RawLoopbackPeer"/>, each accepted stream is served by a thread of its own with blocking calls: it reads one
/// put of <c>putLength</c> bytes straight into its own disjoint range of the memory (stream <c>i</c> at <c>i * putLength</c>)
/// and answers with a 4-byte acknowledgement. A thread per stream is what the Tcp exporter has too (a reader per
/// connection), so both sides can spread the receiving over the cores the same way.
/// </summary>
internal sealed class RawLoopbackReceiver : IDisposable
{
    /// <summary>The longest a sender waits for an answer before the run fails.</summary>
    private const int TimeoutMilliseconds = 5000;

    private const int HeaderSize = sizeof(int);

    private readonly List<Socket> _clients = [];
    private readonly List<Socket> _servers = [];
    private readonly List<Thread> _threads = [];
    private readonly RsmPageMemory _memory;
    private readonly int _putLength;
    private volatile Exception? _failure;
    private bool _disposed;

    private RawLoopbackReceiver(int streams, int putLength)
    {
        _putLength = putLength;
        _memory = RsmPageMemory.Allocate((nuint)streams * (nuint)putLength);
        _memory.GetSpan().Clear();
    }

    /// <summary>The receiver's memory; stream <c>i</c> writes the range at <c>i * putLength</c>.</summary>
    public Span<byte> Memory => _memory.GetSpan();

    /// <summary>Connects <paramref name="streams"/> streams to one receiver and starts serving them.</summary>
    /// <param name="streams">The sending streams, each with a serving thread of its own.</param>
    /// <param name="putLength">The bytes of one put, after which the acknowledgement goes back.</param>
    public static RawLoopbackReceiver Start(int streams, int putLength)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(streams, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(putLength, 1);
        var receiver = new RawLoopbackReceiver(streams, putLength);
        try
        {
            using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
            listener.Listen(streams);
            for (int i = 0; i < streams; i++)
            {
                // One connect and one accept at a time, so accepted stream i is the peer of sender i.
                var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true, ReceiveTimeout = TimeoutMilliseconds, SendTimeout = TimeoutMilliseconds };
                receiver._clients.Add(client);
                client.Connect(listener.LocalEndPoint!);
                Socket server = listener.Accept();
                receiver._servers.Add(server);
                server.NoDelay = true;
            }

            for (int i = 0; i < streams; i++)
            {
                int stream = i;
                var thread = new Thread(() => receiver.Serve(stream)) { IsBackground = true, Name = $"raw loopback receiver {stream}" };
                receiver._threads.Add(thread);
                thread.Start();
            }

            return receiver;
        }
        catch
        {
            receiver.Dispose();
            throw;
        }
    }

    /// <summary>Sends <paramref name="source"/> (one put, in one send) on stream <paramref name="stream"/> and waits for the acknowledgement.</summary>
    public void Put(int stream, ReadOnlySpan<byte> source)
    {
        Socket client = _clients[stream];
        RawLoopbackPeer.SendAll(client, source);
        Span<byte> ack = stackalloc byte[HeaderSize];
        if (!RawLoopbackPeer.TryReceiveAll(client, ack))
        {
            throw new InvalidOperationException($"the raw loopback receiver closed stream {stream}: {_failure?.Message}");
        }
    }

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        foreach (Socket client in _clients)
        {
            try
            {
                // The serving thread sees the end of the stream and leaves.
                client.Shutdown(SocketShutdown.Both);
            }
            catch (SocketException)
            {
            }

            client.Dispose();
        }

        foreach (Thread thread in _threads)
        {
            if (!thread.Join(TimeoutMilliseconds))
            {
                Console.Error.WriteLine($"// {thread.Name} did not stop in time");
            }
        }

        foreach (Socket server in _servers)
        {
            server.Dispose();
        }

        _memory.Dispose();
    }

    private void Serve(int stream)
    {
        Socket server = _servers[stream];
        Span<byte> header = stackalloc byte[HeaderSize];
        try
        {
            while (RawLoopbackPeer.TryReceiveAll(server, _memory.GetSpan().Slice(stream * _putLength, _putLength)))
            {
                BinaryPrimitives.WriteInt32LittleEndian(header, _putLength);
                RawLoopbackPeer.SendAll(server, header);
            }
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
            if (!_disposed)
            {
                _failure = ex;
            }
        }
    }
}
