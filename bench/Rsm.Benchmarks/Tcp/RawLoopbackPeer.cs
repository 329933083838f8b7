using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;

namespace Rsm.Benchmarks.Tcp;

/// <summary>What the serving side of a <see cref="RawLoopbackPeer"/> does with each request.</summary>
internal enum RawExchange
{
    /// <summary>Reads a 4-byte length and answers with that many bytes of its memory.</summary>
    Get,

    /// <summary>Reads a fixed number of bytes into its memory and answers with a 4-byte acknowledgement.</summary>
    Put,
}

/// <summary>
/// The raw baseline of the Tcp benchmarks: a connected pair of TCP sockets on 127.0.0.1 in this process, both with
/// <c>NoDelay</c>, and a thread that serves one kind of exchange on the accepting socket with blocking calls. The serving
/// side reads into and sends from its own page-aligned memory (the counterpart of an exported segment), so every byte is
/// really received and copied; the calling side uses <see cref="Get"/> or <see cref="Put"/>. No framing beyond the
/// 4-byte request of a get and the 4-byte acknowledgement of a put: this is the least any protocol has to do.
/// </summary>
internal sealed class RawLoopbackPeer : IDisposable
{
    /// <summary>The longest the calling side waits for an answer before the run fails.</summary>
    private const int TimeoutMilliseconds = 5000;

    private const int HeaderSize = sizeof(int);

    private readonly Socket _client;
    private readonly Socket _server;
    private readonly RsmPageMemory _memory;
    private readonly RawExchange _exchange;
    private readonly int _putLength;
    private readonly Thread _thread;
    private volatile Exception? _failure;
    private bool _disposed;

    private RawLoopbackPeer(Socket client, Socket server, RawExchange exchange, int memoryLength, int putLength)
    {
        _client = client;
        _server = server;
        _exchange = exchange;
        _putLength = putLength;
        _memory = RsmPageMemory.Allocate((nuint)memoryLength);
        _memory.GetSpan().Clear();
        _thread = new Thread(Serve) { IsBackground = true, Name = "raw loopback peer" };
    }

    /// <summary>The serving side's memory (what a get reads and a put writes).</summary>
    public Span<byte> Memory => _memory.GetSpan();

    /// <summary>Connects a socket pair and starts serving <paramref name="exchange"/>.</summary>
    /// <param name="exchange">What each request is.</param>
    /// <param name="memoryLength">Bytes of the serving side's memory.</param>
    /// <param name="putLength">For <see cref="RawExchange.Put"/>: the bytes of one put, after which the acknowledgement goes back.</param>
    public static RawLoopbackPeer Start(RawExchange exchange, int memoryLength, int putLength = 0)
    {
        if (exchange == RawExchange.Put && (putLength <= 0 || putLength > memoryLength))
        {
            throw new ArgumentOutOfRangeException(nameof(putLength), putLength, "a put must fit the serving side's memory");
        }

        using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen(1);
        var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true, ReceiveTimeout = TimeoutMilliseconds, SendTimeout = TimeoutMilliseconds };
        Socket? server = null;
        try
        {
            client.Connect(listener.LocalEndPoint!);
            server = listener.Accept();
            server.NoDelay = true;
            var peer = new RawLoopbackPeer(client, server, exchange, memoryLength, putLength);
            peer._thread.Start();
            return peer;
        }
        catch
        {
            client.Dispose();
            server?.Dispose();
            throw;
        }
    }

    /// <summary>Requests <c>destination.Length</c> bytes and receives them into <paramref name="destination"/>.</summary>
    public void Get(Span<byte> destination)
    {
        Span<byte> request = stackalloc byte[HeaderSize];
        BinaryPrimitives.WriteInt32LittleEndian(request, destination.Length);
        SendAll(_client, request);
        ReceiveAll(_client, destination);
    }

    /// <summary>
    /// Sends <paramref name="source"/> in messages of <paramref name="messageSize"/> bytes, one send each, then waits
    /// for the 4-byte acknowledgement. The length of <paramref name="source"/> must be the put length the peer serves.
    /// </summary>
    public void Put(ReadOnlySpan<byte> source, int messageSize)
    {
        for (int start = 0; start < source.Length; start += messageSize)
        {
            SendAll(_client, source.Slice(start, Math.Min(messageSize, source.Length - start)));
        }

        Span<byte> ack = stackalloc byte[HeaderSize];
        ReceiveAll(_client, ack);
    }

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        try
        {
            // The serving thread sees the end of the stream and leaves.
            _client.Shutdown(SocketShutdown.Both);
        }
        catch (SocketException)
        {
        }

        _client.Dispose();
        if (!_thread.Join(TimeoutMilliseconds))
        {
            Console.Error.WriteLine("// the raw loopback peer did not stop in time");
        }

        _server.Dispose();
        _memory.Dispose();
    }

    private void Serve()
    {
        Span<byte> header = stackalloc byte[HeaderSize];
        try
        {
            while (true)
            {
                if (_exchange == RawExchange.Get)
                {
                    if (!TryReceiveAll(_server, header))
                    {
                        return;
                    }

                    int length = BinaryPrimitives.ReadInt32LittleEndian(header);
                    SendAll(_server, _memory.GetSpan()[..length]);
                }
                else
                {
                    if (!TryReceiveAll(_server, _memory.GetSpan()[.._putLength]))
                    {
                        return;
                    }

                    BinaryPrimitives.WriteInt32LittleEndian(header, _putLength);
                    SendAll(_server, header);
                }
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

    private void ReceiveAll(Socket socket, Span<byte> buffer)
    {
        if (!TryReceiveAll(socket, buffer))
        {
            throw new InvalidOperationException($"the raw loopback peer closed the connection: {_failure?.Message}");
        }
    }

    /// <summary>Receives exactly <c>buffer.Length</c> bytes; false at the end of the stream.</summary>
    internal static bool TryReceiveAll(Socket socket, Span<byte> buffer)
    {
        while (!buffer.IsEmpty)
        {
            int n = socket.Receive(buffer, SocketFlags.None);
            if (n == 0)
            {
                return false;
            }

            buffer = buffer[n..];
        }

        return true;
    }

    internal static void SendAll(Socket socket, ReadOnlySpan<byte> data)
    {
        while (!data.IsEmpty)
        {
            data = data[socket.Send(data, SocketFlags.None)..];
        }
    }
}
