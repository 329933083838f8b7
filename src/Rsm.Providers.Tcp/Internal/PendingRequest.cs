namespace Rsm.Providers.Tcp.Internal;

/// <summary>
/// One request an importer waits for: the reply's status, the value of an atomic, the body of a connect reply, and for
/// a get the caller's destination (pinned by the caller until the request completes).
/// </summary>
internal sealed class PendingRequest
{
    private readonly TaskCompletionSource _done = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Where a get's data goes, or 0.</summary>
    public nint Destination { get; init; }

    /// <summary>How many bytes a get expects.</summary>
    public int Expected { get; init; }

    public int Status { get; private set; }

    public ulong Value { get; set; }

    public byte[]? Body { get; set; }

    public void Complete(int status)
    {
        Status = status;
        _done.TrySetResult();
    }

    /// <summary>Waits for the reply, spinning briefly first (see <see cref="BriefSpin"/>); false on timeout.</summary>
    public bool Wait(TimeSpan timeout) => BriefSpin.For(_done.Task) || _done.Task.Wait(timeout);
}
