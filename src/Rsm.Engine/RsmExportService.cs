using Rsm.Interop;
using System.Buffers;

namespace Rsm.Engine;

/// <summary>
/// The exporter's side of every import, whatever reaches it: admission from the importer's proven node id and
/// credentials to the granted mode, then the reads, writes, lock operations and signals of admitted imports. It owns the
/// node's lock: each call takes it for the check and the copy, never across a wait for a peer, so a transport calls it
/// from its receive path and sends the answer afterwards. One instance serves a node (<see cref="RsmNode.Exports"/>).
/// </summary>
public sealed class RsmExportService
{
    private readonly RsmNode _node;

    internal RsmExportService(RsmNode node) => _node = node;

    /// <summary>
    /// Admits <paramref name="import"/> to the segment published as <paramref name="segmentId"/>, in the order of
    /// RSMAPI 3.3 on the exporter's side: permission bits, published, published to the importer's node (or the mode last
    /// pushed to a node with a live connection, RSMAPI 5.4), known credentials, the owner/group/other check of 5.3.
    /// </summary>
    /// <param name="import">The transport's end of the importer; admitted once.</param>
    /// <param name="segmentId">The segment id the importer connects to.</param>
    /// <param name="importerNodeId">The importer's node id as the transport proved it, never as the importer states it.</param>
    /// <param name="permission">The permission requested.</param>
    /// <param name="importer">The importer's credentials; <see langword="null"/> when the transport could not establish them, which refuses the connect (DECISIONS F5).</param>
    /// <param name="deliver">
    /// Called with the node's lock held once every check passed, before the import joins the segment: hands the admission
    /// to the importer (it must not wait for the importer); returning <see langword="false"/> abandons it. Null to hand it
    /// over after the call returns.
    /// </param>
    /// <returns>What the importer needs to know of the segment.</returns>
    /// <exception cref="RsmException">PermissionDenied (27) for bits outside 0600, unknown credentials or a refused class;
    /// SegmentNotPublished (7); SegmentNotPublishedToNode (8).</exception>
    /// <exception cref="InvalidOperationException"><paramref name="import"/> was admitted before.</exception>
    public RsmAdmission Admit(RsmRemoteImport import, uint segmentId, uint importerNodeId, RsmPermissions permission, RsmCredentials? importer, Func<RsmAdmission, bool>? deliver = null)
    {
        ArgumentNullException.ThrowIfNull(import);
        lock (_node.Gate)
        {
            if (import.IsAdmitted || import.IsAborted)
            {
                throw new InvalidOperationException("the import was admitted before");
            }

            uint granted = Judge(segmentId, importerNodeId, permission, importer, out ExportSegment export);
            var admission = new RsmAdmission(export, granted);
            if (deliver is not null && !deliver(admission))
            {
                return admission;
            }

            import.Admitted(export, importerNodeId, permission, granted);
            export.AddImporter(import);
            return admission;
        }
    }

    /// <summary>Ends an admitted import (the importer disconnected, or its connection is gone): it leaves its segment at once.</summary>
    /// <param name="import">The import; one that was never admitted, or ended already, is ignored.</param>
    public void Release(RsmRemoteImport import)
    {
        ArgumentNullException.ThrowIfNull(import);
        lock (_node.Gate)
        {
            import.Ended();
        }
    }

    /// <summary>Reads the segment's current bytes for an import, element by element at the natural access width (RSMAPI 3.4).</summary>
    /// <param name="import">An admitted import with read permission.</param>
    /// <param name="offset">The segment offset.</param>
    /// <param name="destination">Where the bytes go; its length is the access length.</param>
    /// <param name="accessSize">1, 2, 4 or 8; offset and length are multiples of it.</param>
    /// <exception cref="RsmException">ConnectionAborted (40); PermissionDenied (27); BadOffset (9) for an access outside the segment or misaligned.</exception>
    public unsafe void Read(RsmRemoteImport import, long offset, Span<byte> destination, int accessSize)
    {
        lock (_node.Gate)
        {
            byte* source = Locate(import, offset, destination.Length, accessSize, RsmPermissions.Read);
            fixed (byte* target = destination)
            {
                NaturalCopy.Copy(source, target, destination.Length, accessSize);
            }
        }
    }

    /// <summary>Writes bytes into the segment for an import at the natural access width.</summary>
    /// <param name="import">An admitted import with write permission.</param>
    /// <param name="offset">The segment offset.</param>
    /// <param name="source">The bytes.</param>
    /// <param name="accessSize">1, 2, 4 or 8; offset and length are multiples of it.</param>
    /// <exception cref="RsmException">As <see cref="Read"/>.</exception>
    public unsafe void Write(RsmRemoteImport import, long offset, ReadOnlySpan<byte> source, int accessSize)
    {
        lock (_node.Gate)
        {
            byte* target = Locate(import, offset, source.Length, accessSize, RsmPermissions.Write);
            fixed (byte* from = source)
            {
                NaturalCopy.Copy(from, target, source.Length, accessSize);
            }
        }
    }

    /// <summary>Writes bytes that arrived in several buffers; an element that straddles two is stored whole.</summary>
    /// <param name="import">An admitted import with write permission.</param>
    /// <param name="offset">The segment offset.</param>
    /// <param name="source">The bytes.</param>
    /// <param name="accessSize">1, 2, 4 or 8; offset and length are multiples of it.</param>
    /// <exception cref="RsmException">As <see cref="Read"/>; BadLength (20) for more than 2 GiB in one call.</exception>
    public unsafe void Write(RsmRemoteImport import, long offset, in ReadOnlySequence<byte> source, int accessSize)
    {
        if (source.IsSingleSegment)
        {
            Write(import, offset, source.FirstSpan, accessSize);
            return;
        }

        if (source.Length > int.MaxValue)
        {
            throw RsmThrow.Create(RsmError.BadLength, $"a write of {source.Length} bytes in one request");
        }

        lock (_node.Gate)
        {
            byte* target = Locate(import, offset, (int)source.Length, accessSize, RsmPermissions.Write);
            NaturalCopy.Copy(source, target, accessSize);
        }
    }

    /// <summary>Runs a lock operation on a 4- or 8-byte word of the segment for an import (DECISIONS L1).</summary>
    /// <param name="import">An admitted import with read and write permission.</param>
    /// <param name="operation">The operation.</param>
    /// <param name="offset">The word's offset, a multiple of <paramref name="size"/>.</param>
    /// <param name="value">The new value or the addend.</param>
    /// <param name="comparand">The comparand of a compare-and-swap.</param>
    /// <param name="size">4 or 8.</param>
    /// <returns>The word's previous value.</returns>
    /// <exception cref="RsmException">As <see cref="Read"/>; BadOffset (9) also for a size other than 4 or 8.</exception>
    public unsafe ulong Atomic(RsmRemoteImport import, AtomicOperation operation, long offset, ulong value, ulong comparand, int size)
    {
        if (size is not (4 or 8))
        {
            throw RsmThrow.Create(RsmError.BadOffset, $"a lock operation on a {size}-byte word");
        }

        lock (_node.Gate)
        {
            return NaturalCopy.RunAtomic(Locate(import, offset, size, size, RsmPermissions.ReadWrite), operation, size, value, comparand);
        }
    }

    /// <summary>Posts one event to whichever segment is published under <paramref name="segmentId"/> now; none drops it (RSMAPI 4.3).</summary>
    /// <param name="segmentId">The segment id the importer connected to.</param>
    public void PostSignal(uint segmentId)
    {
        ExportSegment? target;
        lock (_node.Gate)
        {
            target = _node.FindPublished(segmentId);
        }

        target?.Events.Post();
    }

    /// <summary>
    /// Begins an access made without the node's lock, straight on the segment's pages (for example a transport receiving
    /// a put from the wire into them, or sending a get from them): the import is checked as by <see cref="Read"/> or
    /// <see cref="Write(RsmRemoteImport, long, ReadOnlySpan{byte}, int)"/>, and the pages are mapped in a view of the import's own that no rebind moves and that stays
    /// until <see cref="EndDirectAccess"/>. Byte accesses only: wider elements go through the copies above.
    /// </summary>
    /// <param name="import">An admitted import.</param>
    /// <param name="offset">The segment offset.</param>
    /// <param name="length">The access length.</param>
    /// <param name="access">Read or Write.</param>
    /// <param name="address">The address of the segment byte at <paramref name="offset"/> in that view.</param>
    /// <returns><see langword="false"/> when the segment's memory is not in shareable pages; then copy instead.</returns>
    /// <exception cref="RsmException">As <see cref="Read"/>.</exception>
    public unsafe bool TryBeginDirectAccess(RsmRemoteImport import, long offset, int length, RsmPermissions access, out nint address)
    {
        lock (_node.Gate)
        {
            _ = Locate(import, offset, length, 1, access);
            if (import.BeginDirectAccess() is nint pages)
            {
                address = pages + (nint)offset;
                return true;
            }
        }

        address = 0;
        return false;
    }

    /// <summary>Ends an access begun by <see cref="TryBeginDirectAccess"/>; after the import ended, the last one unmaps the view.</summary>
    /// <param name="import">The import.</param>
    public static void EndDirectAccess(RsmRemoteImport import)
    {
        ArgumentNullException.ThrowIfNull(import);
        import.EndDirectAccess();
    }

    /// <summary>The owner/group/other decision for a connect, with the node's lock held; the local connect uses it too.</summary>
    internal uint Judge(uint segmentId, uint importerNodeId, RsmPermissions permission, RsmCredentials? importer, out ExportSegment export)
    {
        if (((uint)permission & ~Octal.Mode0600) != 0)
        {
            // The library reports PERM_DENIED, never BAD_PERMS, for bits outside 0600 (RSMAPI A7).
            throw RsmThrow.Create(RsmError.PermissionDenied, $"permission {Octal.Format((uint)permission)} has bits outside 0600");
        }

        export = _node.FindPublished(segmentId)
            ?? throw RsmThrow.Create(RsmError.SegmentNotPublished, $"no segment is published as 0x{segmentId:x} on node {_node.NodeId}");

        // While the node holds a live connection, the exporter judges it with the mode last pushed to it (RSMAPI 5.4).
        uint granted = export.AcceptConnect(importerNodeId);
        if (importer is null)
        {
            throw RsmThrow.Create(RsmError.PermissionDenied, $"the credentials of the importer on node {importerNodeId} could not be established, so it is refused (DECISIONS F5)");
        }

        if (!AccessCheck.IsAllowed(permission, granted, importer, export.Creator.Uid, export.Creator.Gid))
        {
            throw RsmThrow.Create(RsmError.PermissionDenied, $"{importer} may not connect with {Octal.Format((uint)permission)} to a segment of uid {export.Creator.Uid} gid {export.Creator.Gid} granting {Octal.Format(granted)}");
        }

        return granted;
    }

    /// <summary>The import an access is made through, checked again here: the importer is not trusted. With the node's lock held.</summary>
    private static unsafe byte* Locate(RsmRemoteImport import, long offset, int length, int accessSize, RsmPermissions access)
    {
        ArgumentNullException.ThrowIfNull(import);
        if (!import.IsAdmitted)
        {
            throw RsmThrow.Create(RsmError.ConnectionAborted, "the import is not connected");
        }

        if ((import.Permission & access) != access)
        {
            throw RsmThrow.Create(RsmError.PermissionDenied, $"the import has {import.Permission}, not {access}");
        }

        ExportSegment export = import.Export;
        if (accessSize is not (1 or 2 or 4 or 8) || offset < 0 || length < 0 || (((ulong)offset | (uint)length) & (ulong)(accessSize - 1)) != 0
            || (ulong)offset > export.Length || (ulong)length > export.Length - (ulong)offset)
        {
            throw RsmThrow.Create(RsmError.BadOffset, $"the access {offset}+{length} (width {accessSize}) lies outside the segment");
        }

        return (byte*)export.Backing.Address + offset;
    }
}

/// <summary>What an exporter tells an importer it admitted: the segment's shape and the mode it granted.</summary>
public sealed class RsmAdmission
{
    private readonly ExportSegment _export;

    internal RsmAdmission(ExportSegment export, uint grantedMode)
    {
        _export = export;
        GrantedMode = grantedMode;
    }

    /// <summary>The mode granted to the importer's node (three octal digits within 0666).</summary>
    public uint GrantedMode { get; }

    /// <summary>The exporter's node id.</summary>
    public uint NodeId => _export.Node.NodeId;

    /// <summary>The segment length.</summary>
    public nuint Length => _export.Length;

    /// <summary>The flags the segment was created with.</summary>
    public ExportFlags Flags => _export.Flags;

    /// <summary>The uid of the segment's creator.</summary>
    public uint OwnerUid => _export.Creator.Uid;

    /// <summary>The gid of the segment's creator.</summary>
    public uint OwnerGid => _export.Creator.Gid;

    /// <summary>
    /// The descriptor of the shareable pages that hold the segment (a memfd), for a transport that lets the importer map
    /// them; <see langword="null"/> when the segment's memory is not in such pages. Valid while the node's lock is held
    /// (inside the delivery callback of <see cref="RsmExportService.Admit"/>); duplicate or send it there.
    /// </summary>
    public SafeDescriptorHandle? PagesDescriptor => (_export.Backing as SharedPageBinding)?.Descriptor;

    /// <summary>The descriptor of the segment's event counter (an eventfd), for a transport whose importer posts to it directly; valid as <see cref="PagesDescriptor"/>.</summary>
    public SafeDescriptorHandle? EventsDescriptor => _export.Events.Handle;
}
