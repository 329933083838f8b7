using System.Buffers.Binary;
using Rsm.Engine;
using Rsm.Providers.Tcp.Internal.Wire;

namespace Rsm.Providers.Tcp.Internal;

/// <summary>
/// The exporter's side of one import held by another node: aborts, grants and events travel as control frames, which
/// are queued and never waited for (a peer that cannot take them is dropped by its connection). It is also the
/// completion of the get replies written from the segment's pages.
/// </summary>
internal sealed class TcpImporterLink(ExporterSession session, ExportSegment export, uint importId, uint importerNode, RsmPermissions permission, uint granted, TimeSpan timeout) : IImporterLink, TcpFrameConnection.IFrameCompletion
{
    private readonly TaskCompletionSource _abortSeen = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private long _deadline;
    private ISegmentView? _wire;
    private int _wireUsers;
    private int _released;

    public ExportSegment Export { get; } = export;

    public RsmPermissions Permission { get; } = permission;

    public uint ImporterNodeId { get; } = importerNode;

    public uint GrantedMode { get; private set; } = granted;

    public bool IsAborted { get; private set; }

    public void ForceDisconnect()
    {
        IsAborted = true;
        _deadline = Environment.TickCount64 + (long)timeout.TotalMilliseconds;
        if (!Send(Opcode.Abort, stackalloc byte[Messages.ImportIdSize]))
        {
            _abortSeen.TrySetResult();
        }
    }

    public void AwaitAbortSeen()
    {
        _ = _abortSeen.Task.Wait(TimeSpan.FromMilliseconds(Math.Max(0, _deadline - Environment.TickCount64)));
        session.Forget(importId);
    }

    public void DeliverSignal() => _ = Send(Opcode.Signal, stackalloc byte[Messages.ImportIdSize]);

    public void UpdateGrantedMode(uint mode)
    {
        GrantedMode = mode;
        Span<byte> body = stackalloc byte[Messages.GrantSize];
        Messages.WriteUInt32Pair(body, importId, mode);
        _ = session.Channel.Post(Opcode.Grant, 0, 0, body);
    }

    public void OnAbortSeen() => _abortSeen.TrySetResult();

    /// <summary>The import ended (disconnect, or its node went away): it leaves its export. Called with the node's lock held.</summary>
    public void Release()
    {
        IsAborted = true;
        Export.RemoveImporter(this);
        _abortSeen.TrySetResult();
        Interlocked.Exchange(ref _released, 1);
        if (Volatile.Read(ref _wireUsers) == 0)
        {
            Interlocked.Exchange(ref _wire, null)?.Dispose();
        }
    }

    /// <summary>
    /// With the node's lock held: the address of the segment's pages in a mapping of the session's own, which no rebind
    /// moves and which stays until the last user is gone, for one access made without the lock; null when the backing
    /// cannot give one (the access is then copied under the lock). Pair with <see cref="EndWireAccess"/>.
    /// </summary>
    public nint? BeginWireAccess()
    {
        if (Export.Backing is not SharedPageBinding backing)
        {
            return null;
        }

        _wire ??= backing.MapView(0, backing.Length, RsmPermissions.ReadWrite, 0, fixedAddress: false);
        Interlocked.Increment(ref _wireUsers);
        return _wire.Address;
    }

    /// <summary>Ends an access begun by <see cref="BeginWireAccess"/>; the last one after the import ended unmaps the pages.</summary>
    public void EndWireAccess()
    {
        if (Interlocked.Decrement(ref _wireUsers) == 0 && Volatile.Read(ref _released) != 0)
        {
            Interlocked.Exchange(ref _wire, null)?.Dispose();
        }
    }

    /// <summary>A get reply written from the pages is done with them.</summary>
    void TcpFrameConnection.IFrameCompletion.OnFrameDone(bool written) => EndWireAccess();

    private bool Send(Opcode opcode, Span<byte> body)
    {
        BinaryPrimitives.WriteUInt32LittleEndian(body, importId);
        return session.Channel.Post(opcode, 0, 0, body);
    }
}
