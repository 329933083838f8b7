using System.Buffers.Binary;
using Rsm.Engine;
using Rsm.Providers.Tcp.Internal.Wire;

namespace Rsm.Providers.Tcp.Internal;

/// <summary>
/// The exporter's side of one import held by another node: aborts, grants and events travel as control frames, which
/// are queued and never waited for (a peer that cannot take them is dropped by its connection). It is also the
/// completion of the get replies written from the segment's pages. The engine judges and serves its accesses.
/// </summary>
internal sealed class TcpImporterLink(ExporterSession session, uint importId, TimeSpan timeout) : RsmRemoteImport, TcpFrameConnection.IFrameCompletion
{
    private readonly TaskCompletionSource _abortSeen = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly object _grantGate = new();
    private IDataPlaneGrant? _grant;
    private bool _revoked;
    private long _deadline;

    public uint ImportId { get; } = importId;

    /// <summary>
    /// Records the import's data-plane grant, which holds a direct access to the segment's pages; false when the import
    /// was revoked first (the caller then disposes the grant and ends the access).
    /// </summary>
    public bool SetGrant(IDataPlaneGrant grant)
    {
        lock (_grantGate)
        {
            if (_revoked)
            {
                return false;
            }

            _grant = grant;
            return true;
        }
    }

    /// <summary>
    /// Revokes the import's data-plane grant at the plane (its key stops working there) and ends the direct access it
    /// held; later grants are refused. Idempotent; it never waits for the importer.
    /// </summary>
    public void RevokeGrant()
    {
        IDataPlaneGrant? grant;
        lock (_grantGate)
        {
            _revoked = true;
            grant = _grant;
            _grant = null;
        }

        if (grant is not null)
        {
            grant.Dispose();
            TimeSpan linger = grant.Linger;
            if (linger > TimeSpan.Zero)
            {
                // The plane may still finish an access that started before the revocation: the mapping stays until then.
                _ = Task.Delay(linger).ContinueWith(static (_, link) => RsmExportService.EndDirectAccess((TcpImporterLink)link!), this, CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Default);
            }
            else
            {
                RsmExportService.EndDirectAccess(this);
            }
        }
    }

    public void OnAbortSeen() => _abortSeen.TrySetResult();

    /// <summary>A get reply written from the pages is done with them.</summary>
    void TcpFrameConnection.IFrameCompletion.OnFrameDone(bool written) => RsmExportService.EndDirectAccess(this);

    protected override void OnForceDisconnect()
    {
        // The plane stops serving the import before the importer is told: revocation does not rely on its politeness.
        RevokeGrant();
        _deadline = Environment.TickCount64 + (long)timeout.TotalMilliseconds;
        if (!Send(Opcode.Abort, stackalloc byte[Messages.ImportIdSize]))
        {
            _abortSeen.TrySetResult();
        }
    }

    protected override void OnAwaitAbortSeen()
    {
        _ = _abortSeen.Task.Wait(TimeSpan.FromMilliseconds(Math.Max(0, _deadline - Environment.TickCount64)));
        session.Forget(ImportId);
    }

    protected override void OnDeliverSignal() => _ = Send(Opcode.Signal, stackalloc byte[Messages.ImportIdSize]);

    protected override void OnGrantedModeChanged(uint mode)
    {
        Span<byte> body = stackalloc byte[Messages.GrantSize];
        Messages.WriteUInt32Pair(body, ImportId, mode);
        _ = session.Channel.Post(Opcode.Grant, 0, 0, body);
    }

    private bool Send(Opcode opcode, Span<byte> body)
    {
        BinaryPrimitives.WriteUInt32LittleEndian(body, ImportId);
        return session.Channel.Post(opcode, 0, 0, body);
    }
}
