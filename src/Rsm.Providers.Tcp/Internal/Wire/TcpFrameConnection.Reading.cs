using System.Buffers;
using System.IO.Pipelines;
using System.Net.Security;
using Rsm.Engine;

namespace Rsm.Providers.Tcp.Internal.Wire;

/// <content>The reader loop: one per connection, started once.</content>
internal sealed partial class TcpFrameConnection
{
    // When the frame the reader waits to complete began to arrive; 0 between frames.
    private long _frameStartedAt;

    // Set by the reader thread while it dispatches the frames of one buffer; read by Enqueue on that thread only.
    private bool _readerBurst;
    private int _readerThreadId;

    /// <summary>
    /// Starts the reader loop (and the keep-alive, when configured). Every valid frame other than Ping, Pong and Close
    /// goes to <paramref name="onFrame"/>, one at a time in arrival order; its payload is valid only until the returned
    /// task completes. <paramref name="onClosed"/> runs exactly once, after the last <paramref name="onFrame"/>
    /// returned, with null for an orderly close (<see cref="Close()"/> or the peer's goodbye) or an
    /// <see cref="RsmException"/> with ConnectionAborted (40) describing why the connection was dropped.
    /// </summary>
    /// <remarks>
    /// Callbacks run on the reader loop and should return quickly: while one runs, nothing else is read, so a callback
    /// that blocks longer than <see cref="HandshakeOptions.SilenceLimit"/> makes the peer look silent.
    /// </remarks>
    /// <param name="onFrame">Receives each frame.</param>
    /// <param name="onClosed">Runs once when the connection has closed.</param>
    /// <param name="payloadSink">Optionally offers memory that large payloads are received into directly.</param>
    /// <exception cref="InvalidOperationException">The connection was already started.</exception>
    public void Start(Func<FrameHeader, ReadOnlySequence<byte>, ValueTask> onFrame, Action<Exception?> onClosed, IPayloadSink? payloadSink = null)
    {
        ArgumentNullException.ThrowIfNull(onFrame);
        ArgumentNullException.ThrowIfNull(onClosed);
        lock (_stateLock)
        {
            if (_started)
            {
                throw new InvalidOperationException("The connection was already started.");
            }

            _started = true;
            _onFrame = onFrame;
            _onClosed = onClosed;
            _payloadSink = payloadSink;
        }

        Volatile.Write(ref _lastReceived, Environment.TickCount64);
        // The socket only ever blocks (see BlockingSocketStream): reads wait in the kernel on a thread of the
        // connection's own, which a frame wakes directly.
        Interlocked.Increment(ref _socketUsers);
        StartThread(() => ReadLoopAsync().GetAwaiter().GetResult(), $"rsm tcp node {LocalNodeId} <- {PeerNodeId}");

        if (_options.KeepAliveInterval > TimeSpan.Zero || _options.SilenceLimit > TimeSpan.Zero || _options.SendTimeout > TimeSpan.Zero)
        {
            _ = Task.Run(KeepAliveLoopAsync);
        }
    }

    private async Task ReadLoopAsync()
    {
        _readerThreadId = Environment.CurrentManagedThreadId;
        try
        {
            while (!IsClosed)
            {
                ReadResult result;
                try
                {
                    result = await _reader.ReadAsync(_closing.Token).ConfigureAwait(false);
                }
                catch (Exception ex) when (IsTransportFailure(ex))
                {
                    TryClose(ConnectionCloseReason.TransportError, RsmThrow.Create(RsmError.ConnectionAborted, $"reading from node {PeerNodeId} at {RemoteEndPoint} failed: {ex.Message}", ex), sendGoodbye: false);
                    break;
                }

                ReadOnlySequence<byte> buffer = result.Buffer;
                if (!buffer.IsEmpty)
                {
                    Volatile.Write(ref _lastReceived, Environment.TickCount64);
                }

                bool keepReading = true;
                bool consumed = false;

                // Replies to the requests of one buffer go out together once it is handled (see Enqueue).
                _readerBurst = true;
                while (keepReading && FrameHeader.TryRead(buffer, out FrameHeader header))
                {
                    // Judged on the header alone, so a hostile length never makes us wait for (or buffer) its payload.
                    if (!Accept(header))
                    {
                        keepReading = false;
                        break;
                    }

                    long frameLength = FrameHeader.Size + (long)header.Length;
                    if (buffer.Length < frameLength)
                    {
                        // Under TLS a frame is received whole before it is handled: records decrypted before a forged
                        // one would otherwise have reached the claimed memory already.
                        PayloadClaim claim = header.Length >= DirectReadThreshold && !result.IsCompleted && _payloadSink is not null && _stream is not SslStream
                            ? _payloadSink.ClaimPayload(header, buffer.Slice(FrameHeader.Size))
                            : default;
                        if (claim.IsClaimed)
                        {
                            // The rest of the payload goes straight to the claimed memory; what is buffered already is copied once.
                            // The length is taken before the buffer goes back: a sequence of several segments computes
                            // it from their running indices, which the pool resets once another connection reuses them.
                            ReadOnlySequence<byte> arrived = buffer.Slice(FrameHeader.Size + claim.Skip);
                            int arrivedLength = checked((int)arrived.Length);
                            arrived.CopyTo(claim.Target.Span);
                            _reader.AdvanceTo(buffer.End);
                            consumed = true;
                            EndBurst();
                            if (Volatile.Read(ref _frameStartedAt) == 0)
                            {
                                Volatile.Write(ref _frameStartedAt, Environment.TickCount64);
                            }

                            bool complete = await ReceiveDirectAsync(claim.Target[arrivedLength..]).ConfigureAwait(false);
                            Volatile.Write(ref _frameStartedAt, 0);
                            _payloadSink!.PayloadReceived(header, complete);
                            keepReading = complete;
                        }

                        break;
                    }

                    keepReading = await DispatchAsync(header, buffer.Slice(FrameHeader.Size, header.Length)).ConfigureAwait(false);
                    buffer = buffer.Slice(frameLength);
                }

                EndBurst();

                // A frame begun must arrive whole within the silence limit: bytes that trickle in keep a peer from being
                // silent, not from being stalled (see KeepAliveLoopAsync).
                if (consumed)
                {
                    // A claimed frame was received whole (or the connection ended) above.
                }
                else if (!buffer.IsEmpty)
                {
                    if (Volatile.Read(ref _frameStartedAt) == 0)
                    {
                        Volatile.Write(ref _frameStartedAt, Environment.TickCount64);
                    }
                }
                else
                {
                    Volatile.Write(ref _frameStartedAt, 0);
                }

                if (!keepReading)
                {
                    break;
                }

                if (consumed)
                {
                    continue;
                }

                if (result.IsCompleted)
                {
                    if (buffer.IsEmpty)
                    {
                        TryClose(ConnectionCloseReason.PeerClosed, RsmThrow.Create(RsmError.ConnectionAborted, $"node {PeerNodeId} at {RemoteEndPoint} closed the connection without a goodbye"), sendGoodbye: false);
                    }
                    else
                    {
                        TryClose(ConnectionCloseReason.ProtocolViolation, RsmThrow.Create(RsmError.ConnectionAborted, $"node {PeerNodeId} at {RemoteEndPoint} closed the connection in the middle of a frame ({buffer.Length} bytes of it received)"), sendGoodbye: false);
                    }

                    break;
                }

                _reader.AdvanceTo(buffer.Start, buffer.End);
            }
        }
        catch (Exception ex)
        {
            TryClose(ConnectionCloseReason.TransportError, RsmThrow.Create(RsmError.ConnectionAborted, $"the reader of the connection with node {PeerNodeId} failed: {ex.Message}", ex), sendGoodbye: false);
        }
        finally
        {
            await FinishReadingAsync().ConfigureAwait(false);
        }
    }

    /// <summary>The reader is done with its buffer: the replies it corked meanwhile go out.</summary>
    private void EndBurst()
    {
        if (_readerBurst)
        {
            _readerBurst = false;
            _ = Flush();
        }
    }

    private async Task FinishReadingAsync()
    {
        // The close may have woken this loop synchronously inside Close(); run the callback on a pool thread instead,
        // so the closer never re-enters its own code.
        await Task.Yield();
        bool completeReader;
        Action<Exception?>? onClosed;
        Exception? reason;
        lock (_stateLock)
        {
            completeReader = !_readerCompleted;
            _readerCompleted = true;
            onClosed = _onClosed;
            reason = _closeException;
        }

        if (completeReader)
        {
            await _reader.CompleteAsync().ConfigureAwait(false);
        }

        try
        {
            onClosed?.Invoke(reason);
        }
        catch (Exception ex)
        {
            TcpWireLog.ClosedHandlerFailed(_logger, ex, LocalNodeId, PeerNodeId);
        }
        finally
        {
            ReleaseSocket();
            _completion.TrySetResult();
        }
    }

    /// <summary>Receives the rest of a claimed payload straight from the stream; false (and the connection closed) when it does not all arrive.</summary>
    private async ValueTask<bool> ReceiveDirectAsync(Memory<byte> rest)
    {
        try
        {
            while (!rest.IsEmpty)
            {
                int received = await _stream.ReadAsync(rest, _closing.Token).ConfigureAwait(false);
                if (received == 0)
                {
                    TryClose(ConnectionCloseReason.ProtocolViolation, RsmThrow.Create(RsmError.ConnectionAborted, $"node {PeerNodeId} at {RemoteEndPoint} closed the connection in the middle of a frame ({rest.Length} bytes of it missing)"), sendGoodbye: false);
                    return false;
                }

                Volatile.Write(ref _lastReceived, Environment.TickCount64);
                rest = rest[received..];
            }

            return true;
        }
        catch (Exception ex) when (IsTransportFailure(ex))
        {
            TryClose(ConnectionCloseReason.TransportError, RsmThrow.Create(RsmError.ConnectionAborted, $"reading from node {PeerNodeId} at {RemoteEndPoint} failed: {ex.Message}", ex), sendGoodbye: false);
            return false;
        }
    }

    /// <summary>Judges a header from the peer; closes the connection and returns false when it is not acceptable.</summary>
    private bool Accept(in FrameHeader header)
    {
        FrameProblem problem = header.Validate(_options.MaxFrameSize);
        if (problem == FrameProblem.None && !OpcodeInfo.IsHandshake(header.Opcode))
        {
            return true;
        }

        string detail = problem == FrameProblem.None
            ? $"a {header.Opcode} frame after the handshake"
            : header.Describe(problem, _options.MaxFrameSize);
        ConnectionCloseReason reason = problem == FrameProblem.TooLarge ? ConnectionCloseReason.FrameTooLarge : ConnectionCloseReason.ProtocolViolation;
        TryClose(reason, RsmThrow.Create(RsmError.ConnectionAborted, $"node {PeerNodeId} at {RemoteEndPoint} sent {detail}; the connection was dropped"), sendGoodbye: false);
        return false;
    }

    /// <summary>Handles the connection's own frames and hands the rest to the callback; false once reading should stop.</summary>
    private async ValueTask<bool> DispatchAsync(FrameHeader header, ReadOnlySequence<byte> payload)
    {
        switch (header.Opcode)
        {
            case Opcode.Ping:
                // Never waits: a peer whose queue is full of unread frames is dropped instead.
                _ = TryPost(new FrameHeader(Opcode.Pong, header.RequestId, 0), default);
                return true;
            case Opcode.Pong:
                Interlocked.Increment(ref _pongsReceived);
                return true;
            case Opcode.Close:
                TryClose(ConnectionCloseReason.PeerGoodbye, null, sendGoodbye: false);
                return false;
        }

        if (IsClosed)
        {
            return false;
        }

        try
        {
            await _onFrame!(header, payload).ConfigureAwait(false);
            return true;
        }
        catch (Exception ex)
        {
            TryClose(ConnectionCloseReason.HandlerFailed, RsmThrow.Create(RsmError.ConnectionAborted, $"the handler of a {header.Opcode} frame from node {PeerNodeId} failed: {ex.Message}", ex), sendGoodbye: true);
            return false;
        }
    }
}
