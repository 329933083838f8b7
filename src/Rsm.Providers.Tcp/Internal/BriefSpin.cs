using System.Diagnostics;

namespace Rsm.Providers.Tcp.Internal;

/// <summary>
/// A short busy wait before a blocking one: an answer from a peer on a fast network comes within tens of microseconds,
/// while waking a thread that went to sleep costs about as much again. The spin yields the processor to other threads
/// after its first rounds, so the threads that produce the answer are not held up.
/// </summary>
internal static class BriefSpin
{
    /// <summary>How long a waiter spins before it sleeps.</summary>
    public static readonly TimeSpan Limit = TimeSpan.FromMicroseconds(50);

    /// <summary>
    /// From this many bytes on, a transfer's waiter does not spin. Its answer comes only after the peer has received the
    /// bytes still in the socket's buffers when the send returned, which at the 4 GB/s of loopback here takes longer than
    /// <see cref="Limit"/>; spinning then only takes a processor from the threads moving the data (with four importers
    /// on two cores, a quarter of the contended put's time).
    /// </summary>
    public const int NoSpinBytes = 128 * 1024;

    private static readonly long s_limitTicks = (long)(Limit.TotalSeconds * Stopwatch.Frequency);

    /// <summary>Spins until <paramref name="count"/> reads 0 or <see cref="Limit"/> passes.</summary>
    /// <returns>Whether the count reached 0.</returns>
    public static bool UntilZero(ref int count)
    {
        long start = Stopwatch.GetTimestamp();
        var spinner = default(SpinWait);
        while (Volatile.Read(ref count) > 0)
        {
            if (Stopwatch.GetTimestamp() - start > s_limitTicks)
            {
                return false;
            }

            spinner.SpinOnce(sleep1Threshold: -1);
        }

        return true;
    }
}
