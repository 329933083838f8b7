using System.Buffers;
using System.IO.Pipelines;
using System.Net.Sockets;
using System.Runtime.CompilerServices;
using Rsm.Engine;

namespace Rsm.Providers.Tcp.Internal.Wire;

/// <content>The writer: one frame at a time under a lock, each flushed whole before the next begins.</content>
internal sealed partial class TcpFrameConnection
{
    /// <summary>Sends one frame whose payload is <paramref name="payload"/>.</summary>
    /// <param name="header">The opcode, request id, status and flags; its magic, version, length and reserved fields are set here.</param>
    /// <param name="payload">The bytes after the header, at most <see cref="MaxFrameSize"/>.</param>
    /// <param name="cancellationToken">Cancels waiting for the writer; a frame that has begun is written whole or the connection is closed.</param>
    /// <exception cref="ArgumentException">The payload exceeds <see cref="MaxFrameSize"/>, or the opcode is undefined or belongs to the handshake.</exception>
    /// <exception cref="RsmException">ConnectionAborted (40): the connection is closed, or closed while writing.</exception>
    public ValueTask SendAsync(FrameHeader header, ReadOnlyMemory<byte> payload, CancellationToken cancellationToken = default) =>
        SendAsync(header, payload, ReadOnlyMemory<byte>.Empty, cancellationToken);

    /// <summary>Sends one frame whose payload is <paramref name="head"/> followed by <paramref name="data"/> (a message's fixed fields and its bulk data, without joining them first).</summary>
    /// <param name="header">The opcode, request id, status and flags; its magic, version, length and reserved fields are set here.</param>
    /// <param name="head">The first part of the payload.</param>
    /// <param name="data">The second part of the payload; together with <paramref name="head"/> at most <see cref="MaxFrameSize"/> bytes.</param>
    /// <param name="cancellationToken">Cancels waiting for the writer; a frame that has begun is written whole or the connection is closed.</param>
    /// <exception cref="ArgumentException">The payload exceeds <see cref="MaxFrameSize"/>, or the opcode is undefined or belongs to the handshake.</exception>
    /// <exception cref="RsmException">ConnectionAborted (40): the connection is closed, or closed while writing.</exception>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    public async ValueTask SendAsync(FrameHeader header, ReadOnlyMemory<byte> head, ReadOnlyMemory<byte> data, CancellationToken cancellationToken = default)
    {
        uint length = CheckFrame(header.Opcode, head.Length, data.Length);
        if (IsClosed)
        {
            throw ClosedException();
        }

        await _writeLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_writerCompleted || IsClosed)
            {
                throw ClosedException();
            }

            WriteFrame(header, length, head.Span, data.Span);
            FlushResult result;
            try
            {
                result = await _writer.FlushAsync(_closing.Token).ConfigureAwait(false);
            }
            catch (Exception ex) when (IsTransportFailure(ex))
            {
                throw WriteFailed(ex);
            }

            if (result.IsCompleted || result.IsCanceled)
            {
                throw WriteFailed(null);
            }

            Volatile.Write(ref _lastSent, Environment.TickCount64);
        }
        finally
        {
            ReleaseWriteLock();
        }
    }

    /// <summary>Sends one frame from a blocking caller: copies it into the writer under the lock and waits for the flush.</summary>
    /// <param name="header">The opcode, request id, status and flags; its magic, version, length and reserved fields are set here.</param>
    /// <param name="payload">The bytes after the header, at most <see cref="MaxFrameSize"/>.</param>
    /// <exception cref="ArgumentException">The payload exceeds <see cref="MaxFrameSize"/>, or the opcode is undefined or belongs to the handshake.</exception>
    /// <exception cref="RsmException">ConnectionAborted (40): the connection is closed, or closed while writing.</exception>
    public void Send(in FrameHeader header, ReadOnlySpan<byte> payload) => Send(header, payload, default);

    /// <summary>Sends one frame whose payload is <paramref name="head"/> followed by <paramref name="data"/>, from a blocking caller.</summary>
    /// <param name="header">The opcode, request id, status and flags; its magic, version, length and reserved fields are set here.</param>
    /// <param name="head">The first part of the payload.</param>
    /// <param name="data">The second part of the payload; together with <paramref name="head"/> at most <see cref="MaxFrameSize"/> bytes.</param>
    /// <exception cref="ArgumentException">The payload exceeds <see cref="MaxFrameSize"/>, or the opcode is undefined or belongs to the handshake.</exception>
    /// <exception cref="RsmException">ConnectionAborted (40): the connection is closed, or closed while writing.</exception>
    public void Send(in FrameHeader header, ReadOnlySpan<byte> head, ReadOnlySpan<byte> data)
    {
        if (!TrySend(header, head, data))
        {
            throw ClosedException();
        }
    }

    /// <summary>Like <see cref="Send(in FrameHeader, ReadOnlySpan{byte}, ReadOnlySpan{byte})"/>, but reports a closed connection by returning false instead of throwing.</summary>
    /// <returns>False when the connection is closed, or closed while writing.</returns>
    /// <exception cref="ArgumentException">The payload exceeds <see cref="MaxFrameSize"/>, or the opcode is undefined or belongs to the handshake.</exception>
    public bool TrySend(in FrameHeader header, ReadOnlySpan<byte> head, ReadOnlySpan<byte> data = default)
    {
        uint length = CheckFrame(header.Opcode, head.Length, data.Length);
        if (IsClosed)
        {
            return false;
        }

        _writeLock.Wait();
        try
        {
            if (_writerCompleted || IsClosed)
            {
                return false;
            }

            WriteFrame(header, length, head, data);
            FlushResult result;
            try
            {
                ValueTask<FlushResult> flush = _writer.FlushAsync(_closing.Token);
                result = flush.IsCompletedSuccessfully ? flush.Result : flush.AsTask().GetAwaiter().GetResult();
            }
            catch (Exception ex) when (IsTransportFailure(ex))
            {
                _ = WriteFailed(ex);
                return false;
            }

            if (result.IsCompleted || result.IsCanceled)
            {
                _ = WriteFailed(null);
                return false;
            }

            Volatile.Write(ref _lastSent, Environment.TickCount64);
            return true;
        }
        finally
        {
            ReleaseWriteLock();
        }
    }

    private uint CheckFrame(Opcode opcode, int headLength, int dataLength)
    {
        if (!OpcodeInfo.IsDefined(opcode) || OpcodeInfo.IsHandshake(opcode))
        {
            throw new ArgumentException($"Opcode {(byte)opcode} cannot be sent on an established connection.");
        }

        long length = (long)headLength + dataLength;
        if (length > _options.MaxFrameSize)
        {
            throw new ArgumentException($"A payload of {length} bytes exceeds the maximum frame size of {_options.MaxFrameSize} bytes.");
        }

        return (uint)length;
    }

    private void WriteFrame(in FrameHeader header, uint length, ReadOnlySpan<byte> head, ReadOnlySpan<byte> data)
    {
        FrameHeader normalized = header with
        {
            Magic = FrameHeader.MagicValue,
            Version = FrameHeader.CurrentVersion,
            Length = length,
            Reserved = 0,
        };
        normalized.Write(_writer.GetSpan(FrameHeader.Size));
        _writer.Advance(FrameHeader.Size);
        if (!head.IsEmpty)
        {
            _writer.Write(head);
        }

        if (!data.IsEmpty)
        {
            _writer.Write(data);
        }
    }

    /// <summary>Closes the connection after a failed write (a partial frame cannot be taken back) and returns the exception for the writer's caller.</summary>
    private RsmException WriteFailed(Exception? cause)
    {
        string detail = $"writing to node {PeerNodeId} at {RemoteEndPoint} failed: {cause?.Message ?? "the stream is completed"}";
        TryClose(ConnectionCloseReason.TransportError, cause is null ? RsmThrow.Create(RsmError.ConnectionAborted, detail) : RsmThrow.Create(RsmError.ConnectionAborted, detail, cause), sendGoodbye: false);
        return ClosedException();
    }

    /// <summary>Releases the writer; the last holder after a close returns the writer's buffers.</summary>
    private void ReleaseWriteLock()
    {
        if (!_writerCompleted && IsClosed)
        {
            _writerCompleted = true;
            _writer.Complete(s_writerClosed);
        }

        _writeLock.Release();
    }

    /// <summary>
    /// Writes the goodbye frame straight to the socket if nobody is writing and the socket can take it at once: a
    /// close never waits for a peer that does not read. Holding the lock means the writer has nothing buffered.
    /// </summary>
    private void TrySendGoodbye()
    {
        if (!_writeLock.Wait(0))
        {
            return;
        }

        try
        {
            if (!_writerCompleted && _socket.Poll(0, SelectMode.SelectWrite))
            {
                Span<byte> frame = stackalloc byte[FrameHeader.Size];
                new FrameHeader(Opcode.Close, 0, 0).Write(frame);
                _ = _socket.Send(frame, SocketFlags.None, out _);
            }
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
            // Best effort: the peer learns of the close from the end of the stream instead.
        }
        finally
        {
            ReleaseWriteLock();
        }
    }
}
