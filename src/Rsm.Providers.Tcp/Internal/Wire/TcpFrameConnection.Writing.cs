using System.Buffers;
using System.IO.Pipelines;
using System.Net.Security;
using System.Net.Sockets;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Rsm.Interop;
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
            _unflushed = false;
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
    /// <param name="header">The opcode, request id, status and flags; its magic, version, length and reserved fields are set here.</param>
    /// <param name="head">The first part of the payload.</param>
    /// <param name="data">
    /// The second part of the payload. From <see cref="DirectWriteThreshold"/> bytes on it is written to the stream
    /// straight from where it lies, after the header, instead of being copied into the writer's buffers.
    /// </param>
    /// <param name="deferFlush">
    /// Leave a small frame in the writer's buffers, so that a burst of frames shares a few writes. It goes out once the
    /// buffers hold <see cref="CombineLimit"/> bytes, with the next flushed send or <see cref="Flush"/>, when the reader
    /// loop has handled every frame it holds, or at the latest at the next keep-alive tick.
    /// </param>
    /// <returns>False when the connection is closed, or closed while writing.</returns>
    /// <exception cref="ArgumentException">The payload exceeds <see cref="MaxFrameSize"/>, or the opcode is undefined or belongs to the handshake.</exception>
    public bool TrySend(in FrameHeader header, ReadOnlySpan<byte> head, ReadOnlySpan<byte> data = default, bool deferFlush = false)
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

            bool direct = data.Length >= DirectWriteThreshold;
            if (direct && _gatheredWrites && head.Length <= MaxGatheredHead)
            {
                // Header, head and bulk leave in one system call, so the reader sees them together.
                if ((_writer.UnflushedBytes > 0 && !FlushWriter()) || !WriteGathered(header, length, head, data))
                {
                    return false;
                }

                Volatile.Write(ref _lastSent, Environment.TickCount64);
                return true;
            }

            WriteFrame(header, length, head, direct ? default : data);
            if (!direct && deferFlush && _writer.UnflushedBytes < CombineLimit)
            {
                _unflushed = true;
                return true;
            }

            if (!FlushWriter() || (direct && !WriteDirect(data)))
            {
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

    /// <summary>Sends the frames that <see cref="TrySend"/> left in the writer's buffers, if any, and waits until they are written.</summary>
    /// <returns>False when the connection is closed, or closed while writing.</returns>
    public bool Flush()
    {
        if (!Volatile.Read(ref _unflushed))
        {
            return !IsClosed;
        }

        _writeLock.Wait();
        try
        {
            if (_writerCompleted || IsClosed)
            {
                return false;
            }

            return !_unflushed || FlushWriter();
        }
        finally
        {
            ReleaseWriteLock();
        }
    }

    /// <summary>Sends the frames that <see cref="TrySend"/> left in the writer's buffers, if any.</summary>
    private async ValueTask FlushDeferredAsync()
    {
        if (!Volatile.Read(ref _unflushed))
        {
            return;
        }

        await _writeLock.WaitAsync().ConfigureAwait(false);
        try
        {
            if (!_unflushed || _writerCompleted || IsClosed)
            {
                return;
            }

            _unflushed = false;
            FlushResult result;
            try
            {
                result = await _writer.FlushAsync(_closing.Token).ConfigureAwait(false);
            }
            catch (Exception ex) when (IsTransportFailure(ex))
            {
                _ = WriteFailed(ex);
                return;
            }

            if (result.IsCompleted || result.IsCanceled)
            {
                _ = WriteFailed(null);
                return;
            }

            Volatile.Write(ref _lastSent, Environment.TickCount64);
        }
        finally
        {
            ReleaseWriteLock();
        }
    }

    /// <summary>Flushes the writer from a blocking caller that holds the write lock; false (and the connection closed) on failure.</summary>
    private bool FlushWriter()
    {
        _unflushed = false;
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

        return true;
    }

    /// <summary>
    /// Writes a whole frame with one gathered write to the socket's descriptor, which blocks (see
    /// <see cref="BlockingSocketStream"/>): the header and head from the stack, the bulk from where it lies. The writer
    /// holds nothing at this point.
    /// </summary>
    private unsafe bool WriteGathered(in FrameHeader header, uint length, ReadOnlySpan<byte> head, ReadOnlySpan<byte> data)
    {
        Span<byte> prefix = stackalloc byte[FrameHeader.Size + MaxGatheredHead];
        (header with { Magic = FrameHeader.MagicValue, Version = FrameHeader.CurrentVersion, Length = length, Reserved = 0 }).Write(prefix);
        head.CopyTo(prefix[FrameHeader.Size..]);
        bool added = false;
        try
        {
            // The reference keeps the descriptor number from being closed and reused while the write runs; a close
            // shuts the socket down first, which ends a write that waits.
            _socket.SafeHandle.DangerousAddRef(ref added);
            nint fd = _socket.SafeHandle.DangerousGetHandle();
            fixed (byte* first = prefix)
            fixed (byte* second = data)
            {
                Libc.IoVector* vectors = stackalloc Libc.IoVector[2];
                vectors[0] = new Libc.IoVector { Base = (nint)first, Length = (nuint)(FrameHeader.Size + head.Length) };
                vectors[1] = new Libc.IoVector { Base = (nint)second, Length = (nuint)data.Length };
                int index = 0;
                while (index < 2)
                {
                    nint written = Libc.writev(fd, vectors + index, 2 - index);
                    if (written < 0)
                    {
                        int errno = Marshal.GetLastPInvokeError();
                        if (errno == Libc.EINTR)
                        {
                            continue;
                        }

                        _ = WriteFailed(new IOException($"writev failed with errno {errno}"));
                        return false;
                    }

                    nuint left = (nuint)written;
                    while (index < 2 && left >= vectors[index].Length)
                    {
                        left -= vectors[index].Length;
                        index++;
                    }

                    if (index < 2)
                    {
                        vectors[index].Base += (nint)left;
                        vectors[index].Length -= left;
                    }
                }
            }

            return true;
        }
        catch (ObjectDisposedException ex)
        {
            _ = WriteFailed(ex);
            return false;
        }
        finally
        {
            if (added)
            {
                _socket.SafeHandle.DangerousRelease();
            }
        }
    }

    /// <summary>Writes the bulk of a payload to the stream from where it lies; the writer holds nothing at this point.</summary>
    private bool WriteDirect(ReadOnlySpan<byte> data)
    {
        try
        {
            _stream.Write(data);
            return true;
        }
        catch (Exception ex) when (IsTransportFailure(ex))
        {
            _ = WriteFailed(ex);
            return false;
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
    /// Writes the goodbye frame if nobody is writing and the socket can take it at once: a close never waits for a peer
    /// that does not read. Frames still waiting in the writer are dropped with the connection. Without TLS the frame
    /// goes straight to the socket; with TLS through the session, where raw bytes would break the peer's decryption.
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
                if (_stream is SslStream)
                {
                    _stream.Write(frame);
                }
                else
                {
                    _ = _socket.Send(frame, SocketFlags.None, out _);
                }
            }
        }
        catch (Exception ex) when (IsTransportFailure(ex) || ex is NotSupportedException)
        {
            // Best effort: the peer learns of the close from the end of the stream instead.
        }
        finally
        {
            ReleaseWriteLock();
        }
    }
}
