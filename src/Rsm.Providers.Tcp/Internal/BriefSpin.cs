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
