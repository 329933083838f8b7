using System.Net.Security;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using Rsm.Engine;
using Rsm.Interop;

namespace Rsm.Providers.Tcp.Internal.Wire;

/// <content>
/// The send path: senders put frames into one bounded queue, and whoever holds the writer's place writes from its head:
/// the connection's writer thread, blocking, many frames in one gathered write; or, when nothing is queued and nobody
/// writes, the sender itself with one write that never waits, leaving to the writer thread what the socket did not take.
/// Frames leave the queue only when written whole, in order.
/// </content>
internal sealed partial class TcpFrameConnection
{
    /// <summary>The bytes control frames (<see cref="TryPost"/>) may go beyond <see cref="HandshakeOptions.SendQueueLimit"/> before the peer is dropped.</summary>
    public const int ControlReserve = 1 << 20;

    /// <summary>A payload part from this size on is written from where it lies instead of being copied into the queue.</summary>
    public const int DirectWriteThreshold = 16 * 1024;

    /// <summary>Corked frames wait in the queue until it holds this many bytes (or a flush, an uncorked frame, the keep-alive tick).</summary>
    public const int CombineLimit = 64 * 1024;

    // One gathered write takes at most this many frames and, beyond its first frame, this many bytes, so that a writer
    // blocked on a peer that reads slowly still returns now and then and shows its progress.
    private const int MaxBatchFrames = 64;
    private const int MaxBatchBytes = 2 << 20;

    // Spare queue entries kept for reuse, so that steady traffic allocates none.
    private const int MaxSpareFrames = 64;

    private readonly object _sendGate = new();
    private readonly Queue<OutgoingFrame> _sendQueue = new();
    private readonly Stack<OutgoingFrame> _spareFrames = new();

    // The batch of whoever holds the writer's place for a write that never waits (see WriteNow).
    private readonly OutgoingFrame[] _inlineBatch = new OutgoingFrame[MaxBatchFrames];
    private long _queuedBytes;
    private long _enqueued;
    private long _written;
    // Wakes the writer thread; set only while it sleeps, so that senders it need not see wake nobody.
    private readonly ManualResetEventSlim _writerWake = new(false, spinCount: 0);

    // Senders waiting for room or for their frame to be written; only then does retiring frames pulse the send lock.
    private int _sendWaiters;

    // Who holds the writer's place: the writer thread while it writes, or a sender writing without waiting.
    private bool _writerBusy;
    private bool _writerSleeps;
    private bool _writerDone;

    // Corked frames are queued and wait for company until CombineLimit bytes wait, an uncorked frame follows, Flush, or
    // the keep-alive tick.
    private bool _holdCorked;

    // When the peer last took bytes, or bytes began to wait for it; read by the keep-alive while any bytes wait.
    private long _progressAt;

    /// <summary>The bytes waiting in the send queue, or being written.</summary>
    public long QueuedBytes
    {
        get
        {
            lock (_sendGate)
            {
                return _queuedBytes;
            }
        }
    }

    /// <summary>
    /// <see cref="QueuedBytes"/> read without the send lock, for a metrics collector: a value that was true a moment
    /// ago, which is all an observer needs, and no contention with the senders.
    /// </summary>
    internal long QueuedBytesSnapshot => Interlocked.Read(ref _queuedBytes);

    /// <summary>What a sender learns about a frame whose data it lent to the queue (see <see cref="TrySendReferenced"/>).</summary>
    public interface IFrameCompletion
    {
        /// <summary>The frame was written (<paramref name="written"/>) or dropped with the connection; its data is no longer used.</summary>
        void OnFrameDone(bool written);
    }

    /// <summary>Sends one frame whose payload is <paramref name="payload"/>; completes once the frame is queued.</summary>
    /// <param name="header">The opcode, request id, status and flags; its magic, version, length and reserved fields are set here.</param>
    /// <param name="payload">The bytes after the header, at most <see cref="MaxFrameSize"/>.</param>
    /// <param name="cancellationToken">Checked before the frame is queued.</param>
    /// <returns>A task that is complete when it returns: the send waits on the calling thread, like <see cref="Send(in FrameHeader, ReadOnlySpan{byte})"/>.</returns>
    /// <exception cref="ArgumentException">The payload exceeds <see cref="MaxFrameSize"/>, or the opcode is undefined or belongs to the handshake.</exception>
    /// <exception cref="RsmException">ConnectionAborted (40): the connection is closed, or closed while the frame waited.</exception>
    public ValueTask SendAsync(FrameHeader header, ReadOnlyMemory<byte> payload, CancellationToken cancellationToken = default) =>
        SendAsync(header, payload, ReadOnlyMemory<byte>.Empty, cancellationToken);

    /// <summary>Sends one frame whose payload is <paramref name="head"/> followed by <paramref name="data"/>; completes once the frame is queued.</summary>
    /// <param name="header">The opcode, request id, status and flags; its magic, version, length and reserved fields are set here.</param>
    /// <param name="head">The first part of the payload.</param>
    /// <param name="data">The second part of the payload; together with <paramref name="head"/> at most <see cref="MaxFrameSize"/> bytes.</param>
    /// <param name="cancellationToken">Checked before the frame is queued.</param>
    /// <returns>A task that is complete when it returns.</returns>
    /// <exception cref="ArgumentException">The payload exceeds <see cref="MaxFrameSize"/>, or the opcode is undefined or belongs to the handshake.</exception>
    /// <exception cref="RsmException">ConnectionAborted (40): the connection is closed, or closed while the frame waited.</exception>
    public ValueTask SendAsync(FrameHeader header, ReadOnlyMemory<byte> head, ReadOnlyMemory<byte> data, CancellationToken cancellationToken = default)
    {
        if (cancellationToken.IsCancellationRequested)
        {
            return ValueTask.FromCanceled(cancellationToken);
        }

        try
        {
            Send(header, head.Span, data.Span);
            return ValueTask.CompletedTask;
        }
        catch (RsmException ex)
        {
            return ValueTask.FromException(ex);
        }
    }

    /// <summary>Sends one frame; see <see cref="TrySend"/>.</summary>
    /// <param name="header">The opcode, request id, status and flags; its magic, version, length and reserved fields are set here.</param>
    /// <param name="payload">The bytes after the header, at most <see cref="MaxFrameSize"/>.</param>
    /// <exception cref="ArgumentException">The payload exceeds <see cref="MaxFrameSize"/>, or the opcode is undefined or belongs to the handshake.</exception>
    /// <exception cref="RsmException">ConnectionAborted (40): the connection is closed, or closed while the frame waited.</exception>
    public void Send(in FrameHeader header, ReadOnlySpan<byte> payload) => Send(header, payload, default);

    /// <summary>Sends one frame whose payload is <paramref name="head"/> followed by <paramref name="data"/>; see <see cref="TrySend"/>.</summary>
    /// <param name="header">The opcode, request id, status and flags; its magic, version, length and reserved fields are set here.</param>
    /// <param name="head">The first part of the payload.</param>
    /// <param name="data">The second part of the payload; together with <paramref name="head"/> at most <see cref="MaxFrameSize"/> bytes.</param>
    /// <exception cref="ArgumentException">The payload exceeds <see cref="MaxFrameSize"/>, or the opcode is undefined or belongs to the handshake.</exception>
    /// <exception cref="RsmException">ConnectionAborted (40): the connection is closed, or closed while the frame waited.</exception>
    public void Send(in FrameHeader header, ReadOnlySpan<byte> head, ReadOnlySpan<byte> data)
    {
        if (!TrySend(header, head, data))
        {
            throw ClosedException();
        }
    }

    /// <summary>
    /// Queues one data frame. When the queue holds <see cref="HandshakeOptions.SendQueueLimit"/> bytes already, waits for
    /// room first. From <see cref="DirectWriteThreshold"/> bytes on, <paramref name="data"/> is written from where it lies
    /// and the call returns once it has been; smaller frames are copied and the call returns at once. The waits end when
    /// the peer takes the bytes, or when the connection closes (a peer that takes nothing for
    /// <see cref="HandshakeOptions.SendTimeout"/> is dropped), so they are bounded.
    /// </summary>
    /// <param name="header">The opcode, request id, status and flags; its magic, version, length and reserved fields are set here.</param>
    /// <param name="head">The first part of the payload.</param>
    /// <param name="data">The second part of the payload.</param>
    /// <param name="cork">
    /// Let a small frame wait for company, so that a burst shares a few writes: it goes out once
    /// <see cref="CombineLimit"/> bytes wait, with the next frame that is not corked, at <see cref="Flush"/>, or at the
    /// latest at the next keep-alive tick. Ignored for large data.
    /// </param>
    /// <returns>False when the connection is closed, or closed before the frame was written whole.</returns>
    /// <exception cref="ArgumentException">The payload exceeds <see cref="MaxFrameSize"/>, or the opcode is undefined or belongs to the handshake.</exception>
    public unsafe bool TrySend(in FrameHeader header, ReadOnlySpan<byte> head, ReadOnlySpan<byte> data = default, bool cork = false)
    {
        uint length = CheckFrame(header.Opcode, head.Length, data.Length);
        if (data.Length < DirectWriteThreshold)
        {
            return Enqueue(header, length, head, data, 0, 0, null, waitForRoom: true, cork) >= 0;
        }

        fixed (byte* bulk = data)
        {
            long sequence = Enqueue(header, length, head, default, (nint)bulk, data.Length, null, waitForRoom: true, mayBlock: true);
            return sequence >= 0 && AwaitWritten(sequence);
        }
    }

    /// <summary>
    /// Queues one data frame whose bulk (<paramref name="data"/>, <paramref name="dataLength"/> bytes) stays where it is,
    /// owned by the caller until <paramref name="completion"/> hears the frame is done. Waits for room like
    /// <see cref="TrySend"/>, but not for the write.
    /// </summary>
    /// <param name="header">The opcode, request id, status and flags.</param>
    /// <param name="head">The first part of the payload, copied.</param>
    /// <param name="data">Where the bulk lies; it must stay valid and unchanged until the completion runs.</param>
    /// <param name="dataLength">The bulk's length.</param>
    /// <param name="completion">Told once when the frame was written or dropped; also when this call returns false.</param>
    /// <returns>False when the connection is closed.</returns>
    /// <exception cref="ArgumentException">The payload exceeds <see cref="MaxFrameSize"/>, or the opcode is undefined or belongs to the handshake.</exception>
    public bool TrySendReferenced(in FrameHeader header, ReadOnlySpan<byte> head, nint data, int dataLength, IFrameCompletion completion)
    {
        ArgumentNullException.ThrowIfNull(completion);
        uint length = CheckFrame(header.Opcode, head.Length, dataLength);
        return Enqueue(header, length, head, default, data, dataLength, completion, waitForRoom: true, mayBlock: true) >= 0;
    }

    /// <summary>
    /// Queues one small control frame (an acknowledgement, event, abort or keep-alive) and never waits: it may go up to
    /// <see cref="ControlReserve"/> bytes beyond the queue's limit, and a peer whose queue is fuller still is
    /// disconnected as one that cannot keep up.
    /// </summary>
    /// <param name="header">The opcode, request id, status and flags.</param>
    /// <param name="head">The payload, copied.</param>
    /// <returns>False when the connection is closed, or was closed because the queue overflowed.</returns>
    /// <exception cref="ArgumentException">The payload exceeds <see cref="MaxFrameSize"/>, or the opcode is undefined or belongs to the handshake.</exception>
    public bool TryPost(in FrameHeader header, ReadOnlySpan<byte> head)
    {
        uint length = CheckFrame(header.Opcode, head.Length, 0);
        return Enqueue(header, length, head, default, 0, 0, null, waitForRoom: false) >= 0;
    }

    /// <summary>
    /// Sends the frames left waiting for company (corked: small Explicit-mode puts, and replies the reader queued while
    /// it still held more requests): written at once if the socket takes them, else by the writer thread.
    /// </summary>
    /// <returns>False when the connection is closed.</returns>
    public bool Flush()
    {
        lock (_sendGate)
        {
            if (_writerDone || IsClosed)
            {
                return false;
            }

            _holdCorked = false;
            if (_sendQueue.Count == 0)
            {
                return true;
            }

            if (_writerBusy || _stream is SslStream)
            {
                // A holder of the place hands on to the writer thread when it lets go (see ReleasePlace).
                WakeWriterLocked();
                return true;
            }

            _writerBusy = true;
        }

        WriteNow();
        return !IsClosed;
    }

    /// <summary>Puts a frame into the queue; returns its sequence number, or -1 when the connection is closed.</summary>
    /// <remarks>
    /// When nobody holds the writer's place, the sender takes it: a sender that may block (it waits for its frame anyway)
    /// writes the head of the queue as the writer thread would; any other tries once without waiting and leaves the rest
    /// to the writer thread.
    /// </remarks>
    private long Enqueue(in FrameHeader header, uint length, ReadOnlySpan<byte> head, ReadOnlySpan<byte> data, nint external, int externalLength, IFrameCompletion? completion, bool waitForRoom, bool cork = false, bool mayBlock = false)
    {
        int inline = FrameHeader.Size + head.Length + data.Length;
        long size = inline + externalLength;
        long limit = _options.SendQueueLimit;

        // Replies the reader queues while it holds more requests wait for the end of its buffer (see ReadLoopAsync).
        cork |= _readerBurst && Environment.CurrentManagedThreadId == _readerThreadId && externalLength == 0;
        OutgoingFrame? frame = null;
        bool overflow = false;
        lock (_sendGate)
        {
            while (!_writerDone && !IsClosed)
            {
                if (!waitForRoom)
                {
                    overflow = _queuedBytes + size > limit + ControlReserve;
                    break;
                }

                // A frame larger than the limit still goes alone into an empty queue.
                if (_queuedBytes == 0 || _queuedBytes + size <= limit)
                {
                    break;
                }

                _sendWaiters++;
                WakeWriterLocked();
                Monitor.Wait(_sendGate);
                _sendWaiters--;
            }

            if (!_writerDone && !IsClosed && !overflow)
            {
                frame = _spareFrames.Count > 0 ? _spareFrames.Pop() : new OutgoingFrame();
                if (_queuedBytes == 0)
                {
                    Volatile.Write(ref _progressAt, Environment.TickCount64);
                }

                _queuedBytes += size;
            }
        }

        if (frame is null)
        {
            if (overflow)
            {
                TryClose(ConnectionCloseReason.SendQueueFull, RsmThrow.Create(RsmError.ConnectionAborted, $"node {PeerNodeId} at {RemoteEndPoint} did not take the frames queued for it: more than {limit + ControlReserve} bytes wait"), sendGoodbye: false);
            }

            completion?.OnFrameDone(false);
            return -1;
        }

        frame.Fill(header with { Magic = FrameHeader.MagicValue, Version = FrameHeader.CurrentVersion, Length = length, Reserved = 0 }, head, data, inline);
        frame.External = external;
        frame.ExternalLength = externalLength;
        frame.Completion = completion;
        long sequence;
        lock (_sendGate)
        {
            if (_writerDone)
            {
                _queuedBytes -= size;
                frame.Completion = null;
                Recycle(frame);
                completion?.OnFrameDone(false);
                return -1;
            }

            sequence = frame.Sequence = ++_enqueued;
            _sendQueue.Enqueue(frame);
            if (cork && _queuedBytes < CombineLimit)
            {
                _holdCorked = true;
                return sequence;
            }

            _holdCorked = false;
            if (_writerBusy || (!mayBlock && _stream is SslStream))
            {
                WakeWriterLocked();
                return sequence;
            }

            // Nobody writes: this sender takes the writer's place, which saves waking the writer thread.
            _writerBusy = true;
        }

        if (mayBlock)
        {
            WriteHeld(_inlineBatch);
        }
        else
        {
            WriteNow();
        }

        return sequence;
    }

    /// <summary>As the holder of the writer's place: writes the head of the queue, blocking, then gives the place back.</summary>
    /// <returns>False when the socket failed (the connection is closed by then).</returns>
    private bool WriteHeld(OutgoingFrame[] batch)
    {
        try
        {
            int count = TakeBatch(batch, out _);
            long written = WriteBatch(batch, count);
            int done = Retire(batch, count, Math.Max(0, written));
            FinishBatch(batch, done, written: true);
            Array.Clear(batch, 0, count);
            return written >= 0;
        }
        finally
        {
            ReleasePlace();
        }
    }

    /// <summary>
    /// As the holder of the writer's place: writes what the socket takes of the queue's head without waiting, then gives
    /// the place back and leaves the rest to the writer thread.
    /// </summary>
    private void WriteNow()
    {
        try
        {
            WriteOnce();
        }
        finally
        {
            ReleasePlace();
        }
    }

    /// <summary>The one write of <see cref="WriteNow"/> that never waits; the caller gives the writer's place back.</summary>
    private unsafe void WriteOnce()
    {
        int count = TakeBatch(_inlineBatch, out _);
        Libc.IoVector* vectors = stackalloc Libc.IoVector[MaxBatchFrames * 2];
        int used = 0;
        for (int i = 0; i < count; i++)
        {
            used += _inlineBatch[i].Vectors(vectors + used);
        }

        var message = new Libc.MessageHeader { Vectors = vectors, VectorCount = (nuint)used };
        nint result = -1;
        int errno = 0;
        bool added = false;
        try
        {
            _socket.SafeHandle.DangerousAddRef(ref added);
            do
            {
                result = Libc.sendmsg(_socket.SafeHandle.DangerousGetHandle(), &message, Libc.MSG_DONTWAIT | Libc.MSG_NOSIGNAL);
                errno = result < 0 ? Marshal.GetLastPInvokeError() : 0;
            }
            while (result < 0 && errno == Libc.EINTR);
        }
        catch (ObjectDisposedException)
        {
            errno = -1;
        }
        finally
        {
            if (added)
            {
                _socket.SafeHandle.DangerousRelease();
            }
        }

        if (result > 0)
        {
            long now = Environment.TickCount64;
            Volatile.Write(ref _lastSent, now);
            Volatile.Write(ref _progressAt, now);
        }

        int done = Retire(_inlineBatch, count, Math.Max(0, result));
        FinishBatch(_inlineBatch, done, written: true);
        Array.Clear(_inlineBatch, 0, count);
        if (result < 0 && errno != Libc.EAGAIN)
        {
            _ = WriteFailed(errno < 0 ? "the socket is closed" : $"sendmsg failed with errno {errno}", null);
        }
    }

    /// <summary>
    /// Copies the head of the queue (at most <see cref="MaxBatchFrames"/> frames and, beyond the first,
    /// <see cref="MaxBatchBytes"/>) into <paramref name="batch"/>; the frames stay queued until they are written whole.
    /// Only the holder of the writer's place calls it.
    /// </summary>
    private int TakeBatch(OutgoingFrame[] batch, out long bytes)
    {
        int count = 0;
        bytes = 0;
        lock (_sendGate)
        {
            foreach (OutgoingFrame frame in _sendQueue)
            {
                long left = frame.Size - frame.Sent;
                if (count == MaxBatchFrames || (count > 0 && bytes + left > MaxBatchBytes))
                {
                    break;
                }

                batch[count++] = frame;
                bytes += left;
            }
        }

        return count;
    }

    /// <summary>
    /// After a write of <paramref name="written"/> bytes from the head of the queue: removes the frames written whole,
    /// records how far the next one got, and wakes whoever waits for them. Returns how many of <paramref name="batch"/>
    /// were written whole (they come first). The caller still holds the writer's place.
    /// </summary>
    private int Retire(OutgoingFrame[] batch, int count, long written)
    {
        int done = 0;
        lock (_sendGate)
        {
            while (done < count)
            {
                OutgoingFrame frame = batch[done];
                long left = frame.Size - frame.Sent;
                if (written < left)
                {
                    frame.Sent += written;
                    break;
                }

                written -= left;
                _ = _sendQueue.Dequeue();
                _queuedBytes -= frame.Size;
                _written = frame.Sequence;
                done++;
            }

            if (_sendWaiters > 0 && done > 0)
            {
                Monitor.PulseAll(_sendGate);
            }
        }

        return done;
    }

    /// <summary>Gives the writer's place back, once the batch of its holder is finished with; what is left goes to the writer thread.</summary>
    private void ReleasePlace()
    {
        lock (_sendGate)
        {
            _writerBusy = false;
            WakeWriterLocked();
            if (_sendWaiters > 0)
            {
                Monitor.PulseAll(_sendGate);
            }
        }
    }

    /// <summary>Wakes the writer thread if it sleeps and has something to write; called with the send lock held.</summary>
    private void WakeWriterLocked()
    {
        if (_writerSleeps && (IsClosed || (!_writerBusy && _sendQueue.Count > 0 && !(_holdCorked && _queuedBytes < CombineLimit))))
        {
            _writerSleeps = false;
            _writerWake.Set();
        }
    }

    /// <summary>Waits until the writer has written the frame numbered <paramref name="sequence"/>; false when the connection ended first.</summary>
    private bool AwaitWritten(long sequence)
    {
        lock (_sendGate)
        {
            while (_written < sequence)
            {
                if (_writerDone)
                {
                    return false;
                }

                _sendWaiters++;
                WakeWriterLocked();
                Monitor.Wait(_sendGate);
                _sendWaiters--;
            }

            return true;
        }
    }

    /// <summary>Closes the connection after a failed write (a partial frame cannot be taken back); returns false.</summary>
    private bool WriteFailed(string detail, Exception? cause)
    {
        string message = $"writing to node {PeerNodeId} at {RemoteEndPoint} failed: {detail}";
        TryClose(ConnectionCloseReason.TransportError, cause is null ? RsmThrow.Create(RsmError.ConnectionAborted, message) : RsmThrow.Create(RsmError.ConnectionAborted, message, cause), sendGoodbye: false);
        return false;
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

    /// <summary>Returns an entry for reuse; called with the send lock held.</summary>
    private void Recycle(OutgoingFrame frame)
    {
        if (_spareFrames.Count < MaxSpareFrames && frame.Buffer.Length <= FrameHeader.Size + DirectWriteThreshold + 64)
        {
            _spareFrames.Push(frame);
        }
        else
        {
            frame.Release();
        }
    }

    /// <summary>
    /// Writes the goodbye frame if the writer is idle and the socket takes it at once: a close never waits for a peer that
    /// does not read. Frames still queued are dropped with the connection.
    /// </summary>
    private void TrySendGoodbye()
    {
        lock (_sendGate)
        {
            if (_writerBusy || _writerDone || _sendQueue.Count > 0)
            {
                return;
            }

            // The writer stays away from the socket while the goodbye is written.
            _writerBusy = true;
        }

        try
        {
            if (_socket.Poll(0, SelectMode.SelectWrite))
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
            ReleasePlace();
        }
    }
}
