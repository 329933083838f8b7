using Rsm.Providers.Tcp.Internal.Wire;

namespace Rsm.Conformance.Tests;

/// <summary>
/// What this process holds, as the Tcp provider and the kernel see it: the provider's live connection threads
/// (<see cref="TcpFrameConnection.ThreadCount"/>), the open sockets (<c>/proc/self/fd</c> links to <c>socket:</c>), the
/// operating system's threads (<c>/proc/self/task</c>) and the runtime's thread pool. A test takes a baseline before it
/// opens anything and checks afterwards that everything it opened is gone again.
/// </summary>
internal readonly record struct ProcessResources(int ConnectionThreads, int Sockets, int OsThreads, int PoolThreads, long[] SocketInodes)
{
    /// <summary>
    /// The operating-system threads the process may hold beyond its baseline for reasons outside the provider: threads
    /// the runtime starts lazily and keeps for the process's lifetime (the socket engine's event thread the first time a
    /// test uses an asynchronous socket, the timer thread, a tiered-compilation worker). Thread-pool workers are counted
    /// apart: the pool injects workers while callers block and retires them only after about 20 s idle, longer than any
    /// wait here, so the allowance grows by the pool threads added since the baseline (<see cref="PoolThreads"/>).
    /// </summary>
    public const int OsThreadSlack = 4;

    /// <summary>The counts now.</summary>
    public static ProcessResources Capture()
    {
        long[] sockets = SocketInodesNow();
        return new(TcpFrameConnection.ThreadCount, sockets.Length, CountOsThreads(), ThreadPool.ThreadCount, sockets);
    }

    /// <summary>
    /// The counts once they stopped moving: the connections of an earlier test may still be ending. Waits until two
    /// captures <paramref name="quiet"/> apart agree on the connection threads and sockets, at most <paramref name="limit"/>.
    /// </summary>
    public static ProcessResources Settled(TimeSpan quiet, TimeSpan limit)
    {
        long deadline = Environment.TickCount64 + (long)limit.TotalMilliseconds;
        ProcessResources last = Capture();
        while (Environment.TickCount64 < deadline)
        {
            Thread.Sleep(quiet);
            ProcessResources now = Capture();
            if (now.ConnectionThreads == last.ConnectionThreads && now.Sockets == last.Sockets)
            {
                return now;
            }

            last = now;
        }

        return last;
    }

    /// <summary>
    /// Waits up to <paramref name="limit"/> until the connection threads and sockets are back at this baseline exactly
    /// and the operating-system threads at most at the baseline plus the allowance (see <see cref="OsThreadSlack"/>).
    /// </summary>
    /// <returns>Whether they got there, the last counts, and how long it took.</returns>
    public (bool Returned, ProcessResources Final, TimeSpan Took) AwaitReturn(TimeSpan limit)
    {
        long started = Environment.TickCount64;
        long deadline = started + (long)limit.TotalMilliseconds;
        ProcessResources now = Capture();
        while (!IsMetBy(now) && Environment.TickCount64 < deadline)
        {
            Thread.Sleep(50);
            now = Capture();
        }

        return (IsMetBy(now), now, TimeSpan.FromMilliseconds(Environment.TickCount64 - started));
    }

    /// <summary>The operating-system threads allowed when <paramref name="now"/> was taken.</summary>
    public int AllowedOsThreads(ProcessResources now) => OsThreads + OsThreadSlack + Math.Max(0, now.PoolThreads - PoolThreads);

    public override string ToString() =>
        $"connection threads {ConnectionThreads}, sockets {Sockets}, OS threads {OsThreads}, pool threads {PoolThreads}";

    private bool IsMetBy(ProcessResources now) =>
        now.ConnectionThreads == ConnectionThreads && now.Sockets == Sockets && now.OsThreads <= AllowedOsThreads(now);

    /// <summary>The sockets open in <paramref name="now"/> that were not open here, with what the kernel's TCP table says of each.</summary>
    public string NewSockets(ProcessResources now) => TcpTable.Describe(now.SocketInodes.Except(SocketInodes));

    private static long[] SocketInodesNow()
    {
        var sockets = new List<long>();
        foreach (string fd in Directory.EnumerateFileSystemEntries("/proc/self/fd"))
        {
            try
            {
                // "socket:[12345]"
                if (new FileInfo(fd).LinkTarget is { } target && target.StartsWith("socket:[", StringComparison.Ordinal))
                {
                    sockets.Add(long.Parse(target.AsSpan(8, target.Length - 9), System.Globalization.CultureInfo.InvariantCulture));
                }
            }
            catch (IOException)
            {
                // Closed between the listing and the look: it is not open any more.
            }
        }

        return [.. sockets];
    }

    private static int CountOsThreads() => Directory.EnumerateDirectories("/proc/self/task").Count();
}
