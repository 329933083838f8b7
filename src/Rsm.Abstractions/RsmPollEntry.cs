namespace Rsm;

/// <summary>One entry of <c>RsmPoll.Wait</c> (<c>struct pollfd</c>): an RSM poll handle or a plain operating-system descriptor.</summary>
public struct RsmPollEntry
{
    /// <summary>The RSM poll handle, or <see langword="null"/> for a plain descriptor.</summary>
    public RsmPollHandle? Handle { get; init; }

    /// <summary>The plain descriptor (used when <see cref="Handle"/> is null).</summary>
    public int Descriptor { get; init; }

    /// <summary>The events asked for.</summary>
    public RsmPollEvents Events { get; init; }

    /// <summary>The events found, set by the wait.</summary>
    public RsmPollEvents ReturnedEvents { get; set; }

    /// <summary>An entry for an RSM poll handle.</summary>
    /// <param name="handle">The handle.</param>
    /// <returns>The entry.</returns>
    public static RsmPollEntry ForHandle(RsmPollHandle handle)
    {
        ArgumentNullException.ThrowIfNull(handle);
        return new RsmPollEntry { Handle = handle, Descriptor = handle.Descriptor, Events = handle.Events };
    }

    /// <summary>An entry for a plain descriptor (Linux).</summary>
    /// <param name="descriptor">The descriptor.</param>
    /// <param name="events">The events to wait for.</param>
    /// <returns>The entry.</returns>
    public static RsmPollEntry ForDescriptor(int descriptor, RsmPollEvents events) => new() { Descriptor = descriptor, Events = events };
}
