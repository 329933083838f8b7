using System.Net.Security;
using System.Runtime.InteropServices;
using Rsm.Engine;
using Rsm.Interop;

namespace Rsm.Providers.Tcp.Internal.Wire;

/// <content>The writer thread, and the end of the queue when the connection closes.</content>
internal sealed partial class TcpFrameConnection
{
    /// <summary>The writer thread: writes what is queued, blocking, and tells the senders, until the connection closes.</summary>
    private void WriteLoop()
    {
        var batch = new OutgoingFrame[MaxBatchFrames];
        bool added = false;
        try
        {
            _socket.SafeHandle.DangerousAddRef(ref added);
            while (true)
            {
                bool write;
                lock (_sendGate)
                {
                    if (IsClosed)
                    {
                        break;
                    }

                    // A sender may hold the writer's place (see WriteNow); corked frames wait for company or a flush.
                    write = !_writerBusy && _sendQueue.Count > 0 && !(_holdCorked && _queuedBytes < CombineLimit);
                    _writerBusy |= write;
                    _writerSleeps = !write;
                    if (!write)
                    {
                        _writerWake.Reset();
                    }
                }

                if (!write)
                {
                    _writerWake.Wait();
                    continue;
                }

                if (!WriteHeld(batch))
                {
                    break;
                }
            }
        }
        catch (Exception ex)
        {
            TryClose(ConnectionCloseReason.TransportError, RsmThrow.Create(RsmError.ConnectionAborted, $"the writer of the connection with node {PeerNodeId} failed: {ex.Message}", ex), sendGoodbye: false);
        }
        finally
        {
            if (added)
            {
                _socket.SafeHandle.DangerousRelease();
            }

            DrainQueue();
            ReleaseSocket();
        }
    }

    /// <summary>Tells the senders of frames written whole, and returns their entries for reuse.</summary>
    private void FinishBatch(OutgoingFrame[] batch, int count, bool written)
    {
        for (int i = 0; i < count; i++)
        {
            IFrameCompletion? completion = batch[i].Completion;
            batch[i].Completion = null;
            completion?.OnFrameDone(written);
        }

        lock (_sendGate)
        {
            for (int i = 0; i < count; i++)
            {
                Recycle(batch[i]);
            }
        }
    }

    /// <summary>After the writer stopped: every frame still queued is dropped, and every sender that waits is woken.</summary>
    private void DrainQueue()
    {
        List<OutgoingFrame> dropped = [];
        lock (_sendGate)
        {
            // A sender that holds the writer's place finishes its write first (the socket is shut down, so it ends at
            // once) and retires what it wrote; only then is the rest dropped.
            while (_writerBusy)
            {
                _sendWaiters++;
                Monitor.Wait(_sendGate);
                _sendWaiters--;
            }

            _writerDone = true;
            _writerBusy = true;
            while (_sendQueue.TryDequeue(out OutgoingFrame? frame))
            {
                _queuedBytes -= frame.Size;
                dropped.Add(frame);
            }

            Monitor.PulseAll(_sendGate);
        }

        foreach (OutgoingFrame frame in dropped)
        {
            IFrameCompletion? completion = frame.Completion;
            frame.Completion = null;
            completion?.OnFrameDone(false);
            frame.Release();
        }
    }

    /// <summary>Writes the frames of a batch, blocking; returns the bytes written, or -1 (and the connection closed) when the socket failed.</summary>
    private unsafe long WriteBatch(OutgoingFrame[] batch, int count)
    {
        if (_stream is SslStream)
        {
            long total = 0;
            try
            {
                for (int i = 0; i < count; i++)
                {
                    OutgoingFrame frame = batch[i];
                    _stream.Write(frame.Buffer, 0, frame.BufferLength);
                    if (frame.ExternalLength > 0)
                    {
                        _stream.Write(new ReadOnlySpan<byte>((void*)frame.External, frame.ExternalLength));
                    }

                    long now = Environment.TickCount64;
                    Volatile.Write(ref _lastSent, now);
                    Volatile.Write(ref _progressAt, now);
                    total += frame.Size;
                }

                _stream.Flush();
                return total;
            }
            catch (Exception ex) when (IsTransportFailure(ex))
            {
                _ = WriteFailed(ex.Message, ex);
                return -1;
            }
        }

        // Without TLS the bytes on the socket are the frames themselves: the whole batch leaves in one gathered write.
        // Entry buffers live on the pinned heap, so their addresses hold without pinning them here.
        Libc.IoVector* vectors = stackalloc Libc.IoVector[MaxBatchFrames * 2];
        int used = 0;
        long bytes = 0;
        for (int i = 0; i < count; i++)
        {
            used += batch[i].Vectors(vectors + used);
            bytes += batch[i].Size - batch[i].Sent;
        }

        // The socket stays open while this thread runs (see ReleaseSocket), so its descriptor cannot be reused meanwhile.
        nint fd = _socket.SafeHandle.DangerousGetHandle();
        int index = 0;
        while (index < used)
        {
            nint result = Libc.writev(fd, vectors + index, used - index);
            if (result < 0)
            {
                int errno = Marshal.GetLastPInvokeError();
                if (errno == Libc.EINTR)
                {
                    continue;
                }

                _ = WriteFailed($"writev failed with errno {errno}", null);
                return -1;
            }

            long now = Environment.TickCount64;
            Volatile.Write(ref _lastSent, now);
            Volatile.Write(ref _progressAt, now);
            nuint left = (nuint)result;
            while (index < used && left >= vectors[index].Length)
            {
                left -= vectors[index].Length;
                index++;
            }

            if (index < used)
            {
                vectors[index].Base += (nint)left;
                vectors[index].Length -= left;
            }
        }

        return bytes;
    }
}
