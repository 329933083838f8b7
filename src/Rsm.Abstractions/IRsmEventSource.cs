using System.Runtime.InteropServices;

namespace Rsm;

/// <summary>
/// The events of one segment as a poll handle reports them: a count that posts add to and waits take from, and, where
/// the platform has one, a descriptor that is readable while the count is above zero (DECISIONS F8). The engine's event
/// counter implements it; a provider that implements the contracts itself supplies its own to <see cref="RsmPollHandle"/>.
/// </summary>
public interface IRsmEventSource
{
    /// <summary>The descriptor that becomes readable while events are pending, or -1 where there is none.</summary>
    int Descriptor { get; }

    /// <summary>The owner of <see cref="Descriptor"/>, which a wait references so that the descriptor stays open while it is polled; <see langword="null"/> when there is none.</summary>
    SafeHandle? DescriptorHandle { get; }

    /// <summary>Takes one pending event, without waiting.</summary>
    /// <returns><see langword="true"/> when an event was taken; <see langword="false"/> when none was pending.</returns>
    bool TryConsume();
}
