using System.Buffers;
using System.Buffers.Binary;
using System.Collections.Concurrent;
using Rsm.Providers.Tcp.Internal.Wire;

namespace Rsm.Providers.Tcp.Internal;

/// <summary>
/// This node's connection to one exporting node, shared by every import of its segments: request ids, the replies
/// waited for, and the aborts, grants and events the exporter pushes.
/// </summary>
internal sealed class ImporterChannel(TimeSpan requestTimeout) : IFrameHandler
{
    private readonly ConcurrentDictionary<uint, PendingRequest> _pending = new();
    private readonly ConcurrentDictionary<uint, TcpExportLink> _links = new();
    private readonly ConcurrentDictionary<uint, bool> _abortedEarly = new();
    private IFrameChannel? _channel;
    private PendingRequest? _claimed;
    private int _nextRequest;
    private volatile bool _closed;

    public TimeSpan RequestTimeout { get; } = requestTimeout;

    public bool IsClosed => _closed;

    public IFrameChannel Channel => _channel ?? throw new InvalidOperationException("the channel is not attached");

    public void Attach(IFrameChannel channel) => _channel = channel;

    public uint NextRequestId() => (uint)Interlocked.Increment(ref _nextRequest);

    /// <summary>Sends a request and registers what completes it; false when the connection is closed.</summary>
    public bool Send(Opcode opcode, uint requestId, PendingRequest pending, ReadOnlySpan<byte> head, ReadOnlySpan<byte> data = default)
    {
        _pending[requestId] = pending;
        if (_closed || !Channel.Send(opcode, requestId, 0, head, data))
        {
            _pending.TryRemove(requestId, out _);
            return false;
        }

        return true;
    }

    /// <summary>
    /// Sends a put nobody waits for: its acknowledgement names the import and only counts down the link's outstanding
    /// puts. Small ones wait in the queue to share a write with those that follow (until 64 KiB gather, another frame
    /// goes to the node, a barrier flushes, or the keep-alive tick).
    /// </summary>
    public bool SendUnawaited(Opcode opcode, ReadOnlySpan<byte> head, ReadOnlySpan<byte> data) =>
        !_closed && Channel.Send(opcode, 0, 0, head, data, FrameFlags.Unawaited, cork: true);

    /// <summary>Sends the puts that wait in the queue; false when the connection is closed.</summary>
    public bool Flush() => !_closed && Channel.Flush();

    /// <summary>Forgets a request that timed out.</summary>
    /// <returns>False when its reply is being handled already: the request completes soon, and a get's destination is in use until then.</returns>
    public bool Forget(uint requestId) => _pending.TryRemove(requestId, out _);

    public void AddLink(uint importId, TcpExportLink link)
    {
        _links[importId] = link;

        // An abort that arrived between the connect reply and this call still reaches the import.
        if (_abortedEarly.TryRemove(importId, out _) && _links.TryRemove(importId, out _))
        {
            link.OnAborted();
        }
    }

    public void RemoveLink(uint importId) => _links.TryRemove(importId, out _);

    public unsafe void OnFrame(IFrameChannel channel, in FrameHeader header, in ReadOnlySequence<byte> body)
    {
        Opcode opcode = header.Opcode;
        int status = header.Status;
        uint requestId = header.RequestId;
        switch (opcode)
        {
            case Opcode.PutAck when ((FrameFlags)header.Flags).HasFlag(FrameFlags.Unawaited):
                if (body.Length >= Messages.ImportIdSize && _links.TryGetValue(Messages.ReadImportId(body), out TcpExportLink? putter))
                {
                    putter.OnPipelinedAck(status);
                    if (status == (int)RsmError.ConnectionAborted)
                    {
                        // The exporter no longer knows the import: it was aborted there, whether or not its abort
                        // notice has arrived yet (F3 holds from this answer on).
                        putter.OnAborted();
                    }
                }

                return;
            case Opcode.ConnectReply:
            case Opcode.GetReply:
            case Opcode.PutAck:
            case Opcode.AtomicReply:
            case Opcode.SignalAck:
                if (!_pending.TryRemove(requestId, out PendingRequest? pending))
                {
                    return;
                }

                if (status == 0 && opcode == Opcode.GetReply)
                {
                    if (body.Length != pending.Expected)
                    {
                        channel.Close($"a get reply carried {body.Length} bytes instead of {pending.Expected}");
                        pending.Complete((int)RsmError.ConnectionAborted);
                        return;
                    }

                    body.CopyTo(new Span<byte>((void*)pending.Destination, pending.Expected));
                }
                else if (status == 0 && opcode == Opcode.AtomicReply && body.Length >= Messages.AtomicReplySize)
                {
                    pending.Value = BinaryPrimitives.ReadUInt64LittleEndian(Messages.Contiguous(body));
                }
                else if (status == 0 && opcode == Opcode.ConnectReply)
                {
                    pending.Body = body.ToArray();
                }

                pending.Complete(status);
                return;
            case Opcode.Abort when body.Length >= Messages.ImportIdSize:
            {
                uint importId = Messages.ReadImportId(body);
                if (_links.TryRemove(importId, out TcpExportLink? link))
                {
                    link.OnAborted();
                }
                else
                {
                    _abortedEarly[importId] = true;
                }

                // Acknowledge even an unknown import: the exporter waits for every importer it aborted.
                Span<byte> id = stackalloc byte[Messages.ImportIdSize];
                BinaryPrimitives.WriteUInt32LittleEndian(id, importId);
                _ = channel.Post(Opcode.AbortSeen, requestId, 0, id);
                return;
            }

            case Opcode.Grant when body.Length >= Messages.GrantSize:
                if (_links.TryGetValue(Messages.ReadImportId(body), out TcpExportLink? granted))
                {
                    granted.OnGrant(BinaryPrimitives.ReadUInt32LittleEndian(Messages.Contiguous(body.Slice(4, 4))));
                }

                return;
            case Opcode.Signal when body.Length >= Messages.ImportIdSize:
                if (_links.TryGetValue(Messages.ReadImportId(body), out TcpExportLink? signalled))
                {
                    signalled.OnSignal();
                }

                return;
            default:
                channel.Close($"opcode {opcode} is not expected from an exporting node");
                return;
        }
    }

    /// <summary>A large get reply goes straight into the waiting caller's destination.</summary>
    public PayloadClaim ClaimPayload(in FrameHeader header, in ReadOnlySequence<byte> arrived)
    {
        if (header.Opcode != Opcode.GetReply || header.Status != 0
            || !_pending.TryGetValue(header.RequestId, out PendingRequest? pending) || pending.Expected != header.Length
            || !_pending.TryRemove(header.RequestId, out pending))
        {
            return default;
        }

        Volatile.Write(ref _claimed, pending);
        return new PayloadClaim(PinnedMemory.Create(pending.Destination, pending.Expected), 0);
    }

    public void PayloadReceived(in FrameHeader header, bool complete) =>
        Interlocked.Exchange(ref _claimed, null)?.Complete(complete ? 0 : (int)RsmError.ConnectionAborted);

    public void OnClosed(IFrameChannel channel, Exception? reason)
    {
        // A lost exporter aborts every import on it (40), before the requests still waiting fail: a waiter that sees
        // the failure finds its import already aborted.
        _closed = true;
        foreach (uint id in _links.Keys)
        {
            if (_links.TryRemove(id, out TcpExportLink? link))
            {
                link.OnAborted();
            }
        }

        Interlocked.Exchange(ref _claimed, null)?.Complete((int)RsmError.ConnectionAborted);
        foreach (uint id in _pending.Keys)
        {
            if (_pending.TryRemove(id, out PendingRequest? pending))
            {
                pending.Complete((int)RsmError.ConnectionAborted);
            }
        }
    }
}
