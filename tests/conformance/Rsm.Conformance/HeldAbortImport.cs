using System.Collections.Concurrent;
using Rsm.Engine;

namespace Rsm.Conformance;

/// <summary>
/// A stand-in import segment for tests of a <see cref="RemoteExportLink"/>: its first <see cref="Abort"/> (the one the
/// link's reader thread makes when the exporter aborts the import) is held until <see cref="Release"/> is set, and every
/// later call is counted per thread. With the reader held between setting the link's own "aborted" state and aborting
/// the import, a test can run an access on another thread and check that the access aborted the import itself before
/// it returned (see <c>ExportLink.Read</c>): otherwise the engine would report it as a success.
/// </summary>
/// <example>
/// <code>
/// using var import = new HeldAbortImport();
/// link.Attach(import);
/// Task reader = Task.Run(AbortTheWayTheReaderDoes);   // the link's own handling of the exporter's abort
/// Assert.IsTrue(import.Entered.Wait(TimeSpan.FromSeconds(30)));
/// link.Read(0, buffer, 8);
/// Assert.IsGreaterThanOrEqualTo(1, import.AbortsOn(Environment.CurrentManagedThreadId));
/// import.Release.Set();
/// </code>
/// </example>
public sealed class HeldAbortImport : IAbortableImport, IDisposable
{
    private readonly ConcurrentQueue<int> _threads = new();
    private readonly TimeSpan _holdLimit;
    private int _calls;

    /// <summary>Creates the stand-in.</summary>
    /// <param name="holdLimit">The longest the first abort is held when nobody releases it; 30 s when null.</param>
    public HeldAbortImport(TimeSpan? holdLimit = null)
    {
        _holdLimit = holdLimit ?? TimeSpan.FromSeconds(30);
    }

    /// <summary>Set when the first abort has begun (and is held).</summary>
    public ManualResetEventSlim Entered { get; } = new();

    /// <summary>Set it to let the first abort return.</summary>
    public ManualResetEventSlim Release { get; } = new();

    /// <inheritdoc/>
    public void Abort()
    {
        if (Interlocked.Increment(ref _calls) == 1)
        {
            Entered.Set();
            _ = Release.Wait(_holdLimit);
            return;
        }

        _threads.Enqueue(Environment.CurrentManagedThreadId);
    }

    /// <summary>How many aborts after the first one came from the thread numbered <paramref name="managedThreadId"/>.</summary>
    /// <param name="managedThreadId">A <see cref="Environment.CurrentManagedThreadId"/>.</param>
    /// <returns>The count.</returns>
    public int AbortsOn(int managedThreadId) => _threads.Count(t => t == managedThreadId);

    /// <summary>Releases a held abort and the events.</summary>
    public void Dispose()
    {
        Release.Set();
        Entered.Dispose();
        Release.Dispose();
    }
}
