using System.Buffers;
using System.Buffers.Binary;
using System.Collections.Concurrent;
using Rsm.Engine;
using Rsm.Providers.Tcp.Internal.Wire;

namespace Rsm.Providers.Tcp.Internal;

/// <summary>
/// The exporter's side of one authenticated connection from an importing node: it decodes the requests of every import
/// that node holds and hands them to the engine's export service, which admits, checks and copies under the node's lock;
/// replies are queued after that, never under the lock. Requests are handled in arrival order on the connection's reader;
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

    private RsmExportService Exports => _node.Node.Exports;

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
    /// pages the engine can map for it; anything else is buffered and handled as usual, which also reports its errors.
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
        if (accessSize != 1 || !_imports.TryGetValue(importId, out TcpImporterLink? link))
        {
            return default;
        }

        nint address;
        try
        {
            if (!Exports.TryBeginDirectAccess(link, offset, length, RsmPermissions.Write, out address))
            {
                return default;
            }
        }
        catch (RsmException)
        {
            return default;
        }

        _claimed = new Claim(link, importId);
        return new PayloadClaim(PinnedMemory.Create(address, length), Messages.PutFixedSize);
    }

    public void PayloadReceived(in FrameHeader header, bool complete)
    {
        Claim claim = _claimed;
        _claimed = default;
        if (claim.Link is not null)
        {
            RsmExportService.EndDirectAccess(claim.Link);
        }

        if (complete)
        {
            Acknowledge(header, claim.ImportId, 0);
        }
    }

    public void OnClosed(IFrameChannel channel, Exception? reason)
    {
        // Nobody waits for an acknowledgement that cannot come any more; then everything the importing node held is
        // released (its imports leave their exports).
        foreach (TcpImporterLink link in _imports.Values)
        {
            link.OnAbortSeen();
        }

        foreach (TcpImporterLink link in _imports.Values)
        {
            link.RevokeGrant();
            Exports.Release(link);
        }

        _imports.Clear();
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
                if (_imports.TryRemove(Messages.ReadImportId(body), out TcpImporterLink? gone))
                {
                    gone.RevokeGrant();
                    Exports.Release(gone);
                    gone.OnAbortSeen();
                }

                return;
            case Opcode.Signal when body.Length >= Messages.ImportIdSize:
                // The event goes to whichever segment is published under the id now; none drops it (RSMAPI 4.3). The
                // importer's post returns once the event is pending here, as a local post does.
                Exports.PostSignal(Messages.ReadImportId(body));
                _ = Channel.Post(Opcode.SignalAck, requestId, 0, default);
                return;
            case Opcode.Get when body.Length >= Messages.GetSize:
            {
                Messages.ReadGet(Messages.Contiguous(body.Slice(0, Messages.GetSize)), out uint importId, out long offset, out int length, out int accessSize);
                if (length > _node.MaxBody)
                {
                    throw RsmThrow.Create(RsmError.BadLength, $"a get of {length} bytes exceeds the frame limit");
                }

                TcpImporterLink link = Find(importId);
                if (accessSize == 1 && length >= TcpFrameConnection.DirectWriteThreshold
                    && Exports.TryBeginDirectAccess(link, offset, length, RsmPermissions.Read, out nint address))
                {
                    // Written from the segment's pages themselves, which stay mapped until the writer is done with them.
                    _ = Channel.SendReferenced(Opcode.GetReply, requestId, default, address, length, link);
                    return;
                }

                // Copied out under the lock (at the access width, and safe from a destroy), sent without it.
                byte[] copy = ArrayPool<byte>.Shared.Rent(Math.Max(1, length));
                try
                {
                    Exports.Read(link, offset, copy.AsSpan(0, length), accessSize);
                    _ = Channel.Send(Opcode.GetReply, requestId, 0, default, copy.AsSpan(0, length));
                }
                finally
                {
                    ArrayPool<byte>.Shared.Return(copy);
                }

                return;
            }

            case Opcode.Put when body.Length >= Messages.PutFixedSize:
            {
                Span<byte> head = stackalloc byte[Messages.PutFixedSize];
                body.Slice(0, Messages.PutFixedSize).CopyTo(head);
                Messages.ReadPut(head, out uint importId, out long offset, out int accessSize);
                ReadOnlySequence<byte> data = body.Slice(Messages.PutFixedSize);
                TcpImporterLink link = Find(importId);
                if (accessSize == 1 && data.Length >= TcpFrameConnection.DirectReadThreshold
                    && Exports.TryBeginDirectAccess(link, offset, (int)data.Length, RsmPermissions.Write, out nint address))
                {
                    try
                    {
                        data.CopyTo(new Span<byte>((byte*)address, (int)data.Length));
                    }
                    finally
                    {
                        RsmExportService.EndDirectAccess(link);
                    }
                }
                else
                {
                    Exports.Write(link, offset, data, accessSize);
                }

                Acknowledge(header, importId, 0);
                return;
            }

            case Opcode.Atomic when body.Length >= Messages.AtomicSize:
            {
                Messages.ReadAtomic(Messages.Contiguous(body), out uint importId, out AtomicOperation operation, out int size, out long offset, out ulong value, out ulong comparand);
                ulong previous = Exports.Atomic(Find(importId), operation, offset, value, comparand, size);
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

        // The node id is the one the handshake proved, never one the importer states (items 79, 81); the credentials are
        // the ones its node states for the importing process.
        uint importId = (uint)Interlocked.Increment(ref _nextImport);
        var link = new TcpImporterLink(this, importId, _node.RequestTimeout);
        RsmAdmission admission = Exports.Admit(link, segmentId, Channel.PeerNodeId, permission, new RsmCredentials(uid, gid, groups, 0, 0), _ =>
        {
            _imports[importId] = link;
            return true;
        });
        // An importer that speaks this node's data plane gets a grant of the import's window on it, after admission.
        byte[]? grant = _node.DataPlane is { } plane && Messages.TryReadConnectPlane(body, out string planeName, out byte[] importerAddress)
            && planeName == plane.Name
                ? Grant(plane, link, permission, admission.Length, importerAddress, uid)
                : null;
        byte[] reply = new byte[Messages.ConnectReplySize + (grant is null ? 0 : 2 + grant.Length)];
        Messages.WriteConnectReply(reply, importId, admission.Length, admission.Flags, admission.GrantedMode, admission.OwnerUid, admission.OwnerGid);
        if (grant is not null)
        {
            BinaryPrimitives.WriteUInt16LittleEndian(reply.AsSpan(Messages.ConnectReplySize), (ushort)grant.Length);
            grant.CopyTo(reply, Messages.ConnectReplySize + 2);
        }

        _ = Channel.Post(Opcode.ConnectReply, requestId, 0, reply);
    }

    /// <summary>
    /// Lets the importer reach the import's own mapping of the segment's pages on the plane: reads always, writes and lock
    /// operations when it connected for writing. Null when the pages cannot be granted (memory that is not in shareable
    /// pages, a segment above 2 GiB, a plane that refuses, or an import aborted meanwhile): the importer then uses frames.
    /// </summary>
    private byte[]? Grant(IDataPlane plane, TcpImporterLink link, RsmPermissions permission, nuint length, byte[] importerAddress, uint importerUid)
    {
        if (length > int.MaxValue)
        {
            return null;
        }

        RsmPermissions access = permission & RsmPermissions.ReadWrite;
        nint address;
        try
        {
            if (!Exports.TryBeginDirectAccess(link, 0, (int)length, access == 0 ? RsmPermissions.Read : access, out address))
            {
                return null;
            }
        }
        catch (RsmException)
        {
            return null;
        }

        IDataPlaneGrant granted;
        try
        {
            granted = plane.Grant(address, length, (access & RsmPermissions.Write) != 0, importerAddress, importerUid);
        }
        catch (RsmException)
        {
            RsmExportService.EndDirectAccess(link);
            return null;
        }

        byte[] description = granted.Description.ToArray();
        if (!link.SetGrant(granted))
        {
            granted.Dispose();
            RsmExportService.EndDirectAccess(link);
            return null;
        }

        return description;
    }

    /// <summary>The import a request names; the engine checks it again for every access (the importer is not trusted).</summary>
    private TcpImporterLink Find(uint importId) =>
        _imports.TryGetValue(importId, out TcpImporterLink? link)
            ? link
            : throw RsmThrow.Create(RsmError.ConnectionAborted, $"import {importId} is not connected");

    private readonly record struct Claim(TcpImporterLink? Link, uint ImportId);
}
