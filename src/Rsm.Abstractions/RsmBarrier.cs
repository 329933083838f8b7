namespace Rsm;

/// <summary>
/// A caller-owned barrier (<c>rsmapi_barrier_t</c>). A new instance is "zero-filled": it is uninitialised until
/// <see cref="IImportSegment.InitBarrier(RsmBarrierType, RsmBarrier?)"/>, and its generation snapshot is 0 until it is opened.
/// </summary>
public sealed class RsmBarrier
{
    /// <summary>The import segment the barrier was initialised on, or <see langword="null"/> while it is uninitialised.</summary>
    public IRsmBarrierHost? Host { get; private set; }

    /// <summary>
    /// The host's state for the barrier (the engine keeps the import's generation as of <see cref="Open"/> here, as the C
    /// library keeps it in <c>rsmapi_barrier_t</c>). Applications do not use it.
    /// </summary>
    public ushort Snapshot { get; set; }

    /// <summary>Whether the barrier was initialised on a segment.</summary>
    public bool IsInitialized => Host is not null;

    /// <summary>Opens the span of accesses: the snapshot becomes the connect-time generation. <c>rsm_memseg_import_open_barrier</c>.</summary>
    /// <exception cref="RsmException">BarrierUninitialized (35); BarrierOpenFailed (36) from a transport.</exception>
    public void Open() => GetHost("open").BarrierOpen(this);

    /// <summary>Orders the accesses issued so far before later ones. <c>rsm_memseg_import_order_barrier</c>.</summary>
    /// <exception cref="RsmException">BarrierUninitialized (35); BarrierFailure (38) from a transport.</exception>
    public void Order() => GetHost("order").BarrierOrder(this);

    /// <summary>Closes the span and reports any failure in it. <c>rsm_memseg_import_close_barrier</c>.</summary>
    /// <exception cref="RsmException">BarrierUninitialized (35); ConnectionAborted (40) when the snapshot differs from the live generation;
    /// BarrierFailure (38) when a transfer failed.</exception>
    public void Close() => GetHost("close").BarrierClose(this);

    /// <summary>Closes the span without blocking a thread while a transport drains outstanding writes. <c>rsm_memseg_import_close_barrier</c>.</summary>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>A task that completes when the barrier is closed.</returns>
    /// <exception cref="RsmException">As <see cref="Close"/>.</exception>
    public ValueTask CloseAsync(CancellationToken cancellationToken = default)
    {
        if (cancellationToken.IsCancellationRequested)
        {
            return ValueTask.FromCanceled(cancellationToken);
        }

        try
        {
            Close();
            return ValueTask.CompletedTask;
        }
        catch (RsmException ex)
        {
            return ValueTask.FromException(ex);
        }
    }

    /// <summary>Destroys the barrier: the segment's Implicit-mode barrier is cleared. <c>rsm_memseg_import_destroy_barrier</c>.</summary>
    /// <exception cref="RsmException">BarrierUninitialized (35).</exception>
    public void Destroy() => GetHost("destroy").BarrierDestroy(this);

    /// <summary>
    /// Binds the barrier to the import segment that initialises it, or unbinds it with <see langword="null"/>; the
    /// snapshot is left as it is (RSMAPI 3.7). Called by <see cref="IImportSegment.InitBarrier(RsmBarrierType, RsmBarrier?)"/> implementations.
    /// </summary>
    /// <param name="host">The import segment, or <see langword="null"/>.</param>
    public void Bind(IRsmBarrierHost? host)
    {
        Host = host;
    }

    private IRsmBarrierHost GetHost(string operation) =>
        Host ?? throw new RsmException(RsmError.BarrierUninitialized, $"cannot {operation} a barrier that was never initialised");
}
