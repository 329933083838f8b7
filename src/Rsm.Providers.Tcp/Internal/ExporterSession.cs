using System.Buffers;
using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Threading.Channels;
using Rsm.Engine;
using Rsm.Providers.Tcp.Internal.Wire;

namespace Rsm.Providers.Tcp.Internal;

/// <summary>
/// The exporter's side of one authenticated connection from an importing node: admission, then the data requests of every
/// import that node holds. Requests run in arrival order on one worker, so the connection's reader never waits for the
/// engine lock and acknowledgements of aborts are seen while an unpublish holds it.
/// </summary>
internal sealed class ExporterSession : IFrameHandler
{
    private readonly TcpNode _node;
    private readonly ConcurrentDictionary<uint, TcpImporterLink> _imports = new();
    private readonly Channel<Work> _work = System.Threading.Channels.Channel.CreateUnbounded<Work>(new UnboundedChannelOptions { SingleReader = true });
    private IFrameChannel? _channel;
    private int _nextImport;

    public ExporterSession(TcpNode node)
    {
        _node = node;
        _ = Task.Run(RunAsync);
    }

    public IFrameChannel Channel => _channel ?? throw new InvalidOperationException("the session is not attached");

    public void Attach(IFrameChannel channel) => _channel = channel;

    public void OnFrame(IFrameChannel channel, Opcode opcode, uint requestId, int status, ReadOnlySpan<byte> body)
    {
        if (opcode == Opcode.AbortSeen)
        {
            if (body.Length >= Messages.ImportIdSize && _imports.TryGetValue(BinaryPrimitives.ReadUInt32LittleEndian(body), out TcpImporterLink? link))
            {
                link.OnAbortSeen();
            }

            return;
        }

        if (opcode is not (Opcode.Connect or Opcode.Disconnect or Opcode.Get or Opcode.Put or Opcode.Atomic or Opcode.Signal))
        {
            channel.Close($"opcode {opcode} is not expected from an importing node");
            return;
        }

        byte[] copy = ArrayPool<byte>.Shared.Rent(Math.Max(1, body.Length));
        body.CopyTo(copy);
        _ = _work.Writer.TryWrite(new Work(opcode, requestId, copy, body.Length));
    }

    public void OnClosed(IFrameChannel channel, Exception? reason)
    {
        _work.Writer.TryComplete();

        // Nobody waits for an acknowledgement that cannot come any more; then, under the lock, everything the importing
        // node held is released (its imports leave their exports).
        foreach (TcpImporterLink link in _imports.Values)
        {
            link.OnAbortSeen();
        }

        lock (RsmNode.Gate)
        {
            foreach (TcpImporterLink link in _imports.Values)
            {
                link.Release();
            }

            _imports.Clear();
        }
    }

    public void Forget(uint importId) => _imports.TryRemove(importId, out _);

    private async Task RunAsync()
    {
        await foreach (Work work in _work.Reader.ReadAllAsync().ConfigureAwait(false))
        {
            try
            {
                Handle(work.Opcode, work.RequestId, work.Body.AsSpan(0, work.Length));
            }
            catch (RsmException ex)
            {
                _ = Channel.Send(Reply(work.Opcode), work.RequestId, (int)ex.Error, default);
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(work.Body);
            }
        }
    }

    private static Opcode Reply(Opcode request) => request switch
    {
        Opcode.Connect => Opcode.ConnectReply,
        Opcode.Get => Opcode.GetReply,
        Opcode.Put => Opcode.PutAck,
        _ => Opcode.AtomicReply,
    };

    private unsafe void Handle(Opcode opcode, uint requestId, ReadOnlySpan<byte> body)
    {
        switch (opcode)
        {
            case Opcode.Connect:
                Admit(requestId, body);
                return;
            case Opcode.Disconnect when body.Length >= Messages.ImportIdSize:
                lock (RsmNode.Gate)
                {
                    if (_imports.TryRemove(BinaryPrimitives.ReadUInt32LittleEndian(body), out TcpImporterLink? gone))
                    {
                        gone.Release();
                    }
                }

                return;
            case Opcode.Signal when body.Length >= Messages.ImportIdSize:
            {
                // The event goes to whichever segment is published under the id now; none drops it (RSMAPI 4.3).
                uint segmentId = BinaryPrimitives.ReadUInt32LittleEndian(body);
                ExportSegment? target;
                lock (RsmNode.Gate)
                {
                    target = _node.Node.FindPublished(segmentId);
                }

                target?.Events.Post();

                // The importer's post returns once the event is pending here, as a local post does.
                _ = Channel.Send(Opcode.SignalAck, requestId, 0, default);
                return;
            }

            case Opcode.Get when body.Length >= Messages.GetSize:
            {
                Messages.ReadGet(body, out uint importId, out long offset, out int length, out int accessSize);
                byte[] data = ArrayPool<byte>.Shared.Rent(Math.Max(1, length));
                try
                {
                    lock (RsmNode.Gate)
                    {
                        byte* source = Locate(importId, offset, length, accessSize, RsmPermissions.Read);
                        CopyElements(source, data.AsSpan(0, length), accessSize, toSegment: false);
                    }

                    _ = Channel.Send(Opcode.GetReply, requestId, 0, data.AsSpan(0, length));
                }
                finally
                {
                    ArrayPool<byte>.Shared.Return(data);
                }

                return;
            }

            case Opcode.Put when body.Length >= Messages.PutFixedSize:
            {
                Messages.ReadPut(body, out uint importId, out long offset, out int accessSize);
                ReadOnlySpan<byte> data = body[Messages.PutFixedSize..];
                lock (RsmNode.Gate)
                {
                    byte* target = Locate(importId, offset, data.Length, accessSize, RsmPermissions.Write);
                    fixed (byte* source = data)
                    {
                        CopyElements(target, new Span<byte>(source, data.Length), accessSize, toSegment: true);
                    }
                }

                _ = Channel.Send(Opcode.PutAck, requestId, 0, default);
                return;
            }

            case Opcode.Atomic when body.Length >= Messages.AtomicSize:
            {
                Messages.ReadAtomic(body, out uint importId, out AtomicOperation operation, out int size, out long offset, out ulong value, out ulong comparand);
                ulong previous;
                lock (RsmNode.Gate)
                {
                    byte* word = Locate(importId, offset, size, size, RsmPermissions.ReadWrite);
                    previous = RunAtomic(word, operation, size, value, comparand);
                }

                Span<byte> reply = stackalloc byte[Messages.AtomicReplySize];
                BinaryPrimitives.WriteUInt64LittleEndian(reply, previous);
                _ = Channel.Send(Opcode.AtomicReply, requestId, 0, reply);
                return;
            }

            default:
                Channel.Close($"a {opcode} frame with a {body.Length}-byte body is malformed");
                return;
        }
    }

    private void Admit(uint requestId, ReadOnlySpan<byte> body)
    {
        if (!Messages.TryReadConnect(body, out uint segmentId, out RsmPermissions permission, out uint uid, out uint gid, out uint[] groups))
        {
            Channel.Close("a malformed connect request");
            return;
        }

        if (((uint)permission & ~(uint)RsmPermissions.ReadWrite) != 0)
        {
            throw RsmThrow.Create(RsmError.PermissionDenied, "the requested permission has bits outside 0600");
        }

        Span<byte> reply = stackalloc byte[Messages.ConnectReplySize];
        lock (RsmNode.Gate)
        {
            // The node id is the one the handshake proved, never one the importer states (items 79, 81).
            uint importerNode = Channel.PeerNodeId;
            ExportSegment export = _node.Node.FindPublished(segmentId)
                ?? throw RsmThrow.Create(RsmError.SegmentNotPublished, $"no segment is published as 0x{segmentId:x}");
            uint granted = export.AcceptConnect(importerNode);
            var importer = new RsmCredentials(uid, gid, groups, 0, 0);
            if (!AccessCheck.IsAllowed(permission, granted, importer, export.Creator.Uid, export.Creator.Gid))
            {
                throw RsmThrow.Create(RsmError.PermissionDenied, $"{importer} may not connect with {Octal.Format((uint)permission)}");
            }

            uint importId = (uint)Interlocked.Increment(ref _nextImport);
            var link = new TcpImporterLink(this, export, importId, importerNode, permission, granted, _node.RequestTimeout);
            _imports[importId] = link;
            export.AddImporter(link);
            Messages.WriteConnectReply(reply, importId, export.Length, export.Flags, granted, export.Creator.Uid, export.Creator.Gid);
        }

        _ = Channel.Send(Opcode.ConnectReply, requestId, 0, reply);
    }

    /// <summary>The address of an import's access in its export's current memory, checked again here: the importer is not trusted.</summary>
    private unsafe byte* Locate(uint importId, long offset, int length, int accessSize, RsmPermissions access)
    {
        if (!_imports.TryGetValue(importId, out TcpImporterLink? link) || link.IsAborted)
        {
            throw RsmThrow.Create(RsmError.ConnectionAborted, $"import {importId} is not connected");
        }

        if ((link.Permission & access) != access)
        {
            throw RsmThrow.Create(RsmError.PermissionDenied, $"import {importId} has {link.Permission}, not {access}");
        }

        if (accessSize is not (1 or 2 or 4 or 8) || offset < 0 || length < 0 || (((ulong)offset | (uint)length) & (ulong)(accessSize - 1)) != 0
            || (ulong)offset > link.Export.Length || (ulong)length > link.Export.Length - (ulong)offset)
        {
            throw RsmThrow.Create(RsmError.BadOffset, $"the access {offset}+{length} (width {accessSize}) lies outside the segment");
        }

        return (byte*)link.Export.Backing.Address + offset;
    }

    private static unsafe void CopyElements(byte* segment, Span<byte> buffer, int accessSize, bool toSegment)
    {
        // Natural-width accesses, never byte swapped (RSMAPI 3.4 step 11).
        fixed (byte* local = buffer)
        {
            byte* from = toSegment ? local : segment;
            byte* to = toSegment ? segment : local;
            int n = buffer.Length;
            switch (accessSize)
            {
                case 2:
                    for (int i = 0; i < n; i += 2)
                    {
                        *(ushort*)(to + i) = *(ushort*)(from + i);
                    }

                    break;
                case 4:
                    for (int i = 0; i < n; i += 4)
                    {
                        *(uint*)(to + i) = *(uint*)(from + i);
                    }

                    break;
                case 8:
                    for (int i = 0; i < n; i += 8)
                    {
                        *(ulong*)(to + i) = *(ulong*)(from + i);
                    }

                    break;
                default:
                    Buffer.MemoryCopy(from, to, n, n);
                    break;
            }
        }
    }

    private static unsafe ulong RunAtomic(byte* word, AtomicOperation operation, int size, ulong value, ulong comparand)
    {
        if (size == 4)
        {
            ref uint w = ref *(uint*)word;
            return operation switch
            {
                AtomicOperation.CompareExchange => Interlocked.CompareExchange(ref w, (uint)value, (uint)comparand),
                AtomicOperation.Exchange => Interlocked.Exchange(ref w, (uint)value),
                _ => Interlocked.Add(ref w, (uint)value) - (uint)value,
            };
        }

        ref ulong w8 = ref *(ulong*)word;
        return operation switch
        {
            AtomicOperation.CompareExchange => Interlocked.CompareExchange(ref w8, value, comparand),
            AtomicOperation.Exchange => Interlocked.Exchange(ref w8, value),
            _ => Interlocked.Add(ref w8, value) - value,
        };
    }

    private readonly record struct Work(Opcode Opcode, uint RequestId, byte[] Body, int Length);
}
