using System.Buffers;
using System.Buffers.Binary;
using System.Collections.Concurrent;
using Rsm.Engine;
using Rsm.Providers.Tcp.Internal.Wire;

namespace Rsm.Providers.Tcp.Internal;

/// <summary>
/// The exporter's side of one authenticated connection from an importing node: admission, then the data requests of every
/// import that node holds. Requests are handled in arrival order on the connection's reader. The node's lock is held only
/// to find and check the import (and for copies that must not race a destroy), never while a reply is queued or written;
/// replies go through the connection's send queue, so a peer that does not read holds up only its own reader, until it
/// is dropped.
/// </summary>
internal sealed class ExporterSession : IFrameHandler
{
    private readonly TcpNode _node;
    private readonly ConcurrentDictionary<uint, TcpImporterLink> _imports = new();
    private IFrameChannel? _channel;
    private int _nextImport;

    // The put whose payload the reader is receiving into a segment's pages.
    private Claim _claimed;

    public ExporterSession(TcpNode node) => _node = node;

    public IFrameChannel Channel => _channel ?? throw new InvalidOperationException("the session is not attached");

    private object Gate => _node.Node.Gate;

    public void Attach(IFrameChannel channel) => _channel = channel;

    public void OnFrame(IFrameChannel channel, in FrameHeader header, in ReadOnlySequence<byte> body)
    {
        Opcode opcode = header.Opcode;
        if (opcode == Opcode.AbortSeen)
        {
            if (body.Length >= Messages.ImportIdSize && _imports.TryGetValue(Messages.ReadImportId(body), out TcpImporterLink? link))
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

        try
        {
            Handle(header, body);
        }
        catch (RsmException ex)
        {
            ReplyFailure(header, body, ex.Error);
        }
    }

    /// <summary>
    /// A large put goes straight from the wire into the segment's pages when its accesses are bytes and the backing has
    /// pages of the session's own; anything else is buffered and handled as usual, which also reports its errors.
    /// </summary>
    public PayloadClaim ClaimPayload(in FrameHeader header, in ReadOnlySequence<byte> arrived)
    {
        if (header.Opcode != Opcode.Put || arrived.Length < Messages.PutFixedSize)
        {
            return default;
        }

        Span<byte> head = stackalloc byte[Messages.PutFixedSize];
        arrived.Slice(0, Messages.PutFixedSize).CopyTo(head);
        Messages.ReadPut(head, out uint importId, out long offset, out int accessSize);
        int length = (int)header.Length - Messages.PutFixedSize;
        if (accessSize != 1)
        {
            return default;
        }

        nint? pages;
        TcpImporterLink link;
        try
        {
            lock (Gate)
            {
                link = Locate(importId, offset, length, accessSize, RsmPermissions.Write);
                pages = link.BeginWireAccess();
            }
        }
        catch (RsmException)
        {
            return default;
        }

        if (pages is not nint address)
        {
            return default;
        }

        _claimed = new Claim(link, importId);
        return new PayloadClaim(PinnedMemory.Create(address + (nint)offset, length), Messages.PutFixedSize);
    }

    public void PayloadReceived(in FrameHeader header, bool complete)
    {
        Claim claim = _claimed;
        _claimed = default;
        claim.Link?.EndWireAccess();
        if (complete)
        {
            Acknowledge(header, claim.ImportId, 0);
        }
    }

    public void OnClosed(IFrameChannel channel, Exception? reason)
    {
        // Nobody waits for an acknowledgement that cannot come any more; then, under the lock, everything the importing
        // node held is released (its imports leave their exports).
        foreach (TcpImporterLink link in _imports.Values)
        {
            link.OnAbortSeen();
        }

        lock (Gate)
        {
            foreach (TcpImporterLink link in _imports.Values)
            {
                link.Release();
            }

            _imports.Clear();
        }
    }

    public void Forget(uint importId) => _imports.TryRemove(importId, out _);

    private void ReplyFailure(in FrameHeader header, in ReadOnlySequence<byte> body, RsmError error)
    {
        if (header.Opcode == Opcode.Put && body.Length >= Messages.ImportIdSize)
        {
            Acknowledge(header, Messages.ReadImportId(body), (int)error);
        }
        else
        {
            _ = Channel.Post(Reply(header.Opcode), header.RequestId, (int)error, default);
        }
    }

    /// <summary>Answers a put; an unawaited put's answer names its import, so the importer charges it to the right close barrier.</summary>
    private void Acknowledge(in FrameHeader header, uint importId, int status)
    {
        var flags = (FrameFlags)header.Flags & FrameFlags.Unawaited;
        Span<byte> id = stackalloc byte[Messages.ImportIdSize];
        BinaryPrimitives.WriteUInt32LittleEndian(id, importId);
        _ = Channel.Post(Opcode.PutAck, header.RequestId, status, flags == FrameFlags.Unawaited ? id : default, flags);
    }

    private static Opcode Reply(Opcode request) => request switch
    {
        Opcode.Connect => Opcode.ConnectReply,
        Opcode.Get => Opcode.GetReply,
        Opcode.Put => Opcode.PutAck,
        Opcode.Signal => Opcode.SignalAck,
        _ => Opcode.AtomicReply,
    };

    private unsafe void Handle(in FrameHeader header, in ReadOnlySequence<byte> body)
    {
        uint requestId = header.RequestId;
        switch (header.Opcode)
        {
            case Opcode.Connect:
                Admit(requestId, Messages.Contiguous(body));
                return;
            case Opcode.Disconnect when body.Length >= Messages.ImportIdSize:
                lock (Gate)
                {
                    if (_imports.TryRemove(Messages.ReadImportId(body), out TcpImporterLink? gone))
                    {
                        gone.Release();
                    }
                }

                return;
            case Opcode.Signal when body.Length >= Messages.ImportIdSize:
            {
                // The event goes to whichever segment is published under the id now; none drops it (RSMAPI 4.3).
                ExportSegment? target;
                lock (Gate)
                {
                    target = _node.Node.FindPublished(Messages.ReadImportId(body));
                }

                target?.Events.Post();

                // The importer's post returns once the event is pending here, as a local post does.
                _ = Channel.Post(Opcode.SignalAck, requestId, 0, default);
                return;
            }

            case Opcode.Get when body.Length >= Messages.GetSize:
            {
                Messages.ReadGet(Messages.Contiguous(body.Slice(0, Messages.GetSize)), out uint importId, out long offset, out int length, out int accessSize);
                if (length > _node.MaxBody)
                {
                    throw RsmThrow.Create(RsmError.BadLength, $"a get of {length} bytes exceeds the frame limit");
                }

                TcpImporterLink link;
                nint? pages = null;
                byte[]? copy = null;
                lock (Gate)
                {
                    link = Locate(importId, offset, length, accessSize, RsmPermissions.Read);
                    if (accessSize == 1 && length >= TcpFrameConnection.DirectWriteThreshold)
                    {
                        pages = link.BeginWireAccess();
                    }

                    if (pages is null)
                    {
                        // Copied out under the lock (at the access width, and safe from a destroy), sent without it.
                        copy = ArrayPool<byte>.Shared.Rent(Math.Max(1, length));
                        fixed (byte* destination = copy)
                        {
                            CopyElements((byte*)link.Export.Backing.Address + offset, destination, length, accessSize);
                        }
                    }
                }

                if (pages is nint address)
                {
                    // Written from the segment's pages themselves, which stay mapped until the writer is done with them.
                    _ = Channel.SendReferenced(Opcode.GetReply, requestId, default, address + (nint)offset, length, link);
                    return;
                }

                try
                {
                    _ = Channel.Send(Opcode.GetReply, requestId, 0, default, copy.AsSpan(0, length));
                }
                finally
                {
                    ArrayPool<byte>.Shared.Return(copy!);
                }

                return;
            }

            case Opcode.Put when body.Length >= Messages.PutFixedSize:
            {
                Span<byte> head = stackalloc byte[Messages.PutFixedSize];
                body.Slice(0, Messages.PutFixedSize).CopyTo(head);
                Messages.ReadPut(head, out uint importId, out long offset, out int accessSize);
                ReadOnlySequence<byte> data = body.Slice(Messages.PutFixedSize);
                nint? pages = null;
                TcpImporterLink link;
                lock (Gate)
                {
                    link = Locate(importId, offset, (int)data.Length, accessSize, RsmPermissions.Write);
                    if (accessSize == 1 && data.Length >= TcpFrameConnection.DirectReadThreshold)
                    {
                        pages = link.BeginWireAccess();
                    }

                    if (pages is null)
                    {
                        CopyToSegment(data, (byte*)link.Export.Backing.Address + offset, accessSize);
                    }
                }

                if (pages is nint address)
                {
                    try
                    {
                        data.CopyTo(new Span<byte>((byte*)address + offset, (int)data.Length));
                    }
                    finally
                    {
                        link.EndWireAccess();
                    }
                }

                Acknowledge(header, importId, 0);
                return;
            }

            case Opcode.Atomic when body.Length >= Messages.AtomicSize:
            {
                Messages.ReadAtomic(Messages.Contiguous(body), out uint importId, out AtomicOperation operation, out int size, out long offset, out ulong value, out ulong comparand);
                ulong previous;
                lock (Gate)
                {
                    byte* word = (byte*)Locate(importId, offset, size, size, RsmPermissions.ReadWrite).Export.Backing.Address + offset;
                    previous = RunAtomic(word, operation, size, value, comparand);
                }

                Span<byte> reply = stackalloc byte[Messages.AtomicReplySize];
                BinaryPrimitives.WriteUInt64LittleEndian(reply, previous);
                _ = Channel.Post(Opcode.AtomicReply, requestId, 0, reply);
                return;
            }

            default:
                Channel.Close($"a {header.Opcode} frame with a {body.Length}-byte body is malformed");
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
        lock (Gate)
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

        _ = Channel.Post(Opcode.ConnectReply, requestId, 0, reply);
    }

    /// <summary>The import an access is made through, checked again here (the importer is not trusted). Called with the node's lock held.</summary>
    private TcpImporterLink Locate(uint importId, long offset, int length, int accessSize, RsmPermissions access)
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

        return link;
    }

    /// <summary>Copies a put's data, possibly split across buffers, into the segment at its natural access width.</summary>
    private static unsafe void CopyToSegment(in ReadOnlySequence<byte> data, byte* target, int accessSize)
    {
        // An element that straddles two buffers is assembled first, then stored whole.
        Span<byte> straddling = stackalloc byte[sizeof(ulong)];
        int pending = 0;
        foreach (ReadOnlyMemory<byte> segment in data)
        {
            ReadOnlySpan<byte> span = segment.Span;
            if (pending > 0)
            {
                int take = Math.Min(accessSize - pending, span.Length);
                span[..take].CopyTo(straddling[pending..]);
                pending += take;
                span = span[take..];
                if (pending < accessSize)
                {
                    continue;
                }

                fixed (byte* element = straddling)
                {
                    CopyElements(element, target, accessSize, accessSize);
                }

                target += accessSize;
                pending = 0;
            }

            int whole = span.Length & ~(accessSize - 1);
            fixed (byte* source = span)
            {
                CopyElements(source, target, whole, accessSize);
            }

            target += whole;
            pending = span.Length - whole;
            span[whole..].CopyTo(straddling);
        }
    }

    private static unsafe void CopyElements(byte* from, byte* to, int n, int accessSize)
    {
        // Natural-width accesses, never byte swapped (RSMAPI 3.4 step 11).
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

    private readonly record struct Claim(TcpImporterLink? Link, uint ImportId);
}
