namespace Rsm.Conformance.Tests;

/// <summary>The outcome of an RSM call run with a bound: whether it returned in time, how long it took, and its error.</summary>
internal readonly record struct BoundedOutcome(bool Returned, TimeSpan Took, RsmError? Error, Exception? Other)
{
    public override string ToString() => !Returned
        ? $"did not return within {Took.TotalSeconds:F1} s"
        : Other is not null
            ? $"threw {Other.GetType().Name} after {Took.TotalSeconds:F3} s: {Other.Message} at {string.Join(" <- ", (Other.StackTrace ?? string.Empty).Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).Take(6))}"
            : $"{Error} ({(int)Error!}) after {Took.TotalSeconds:F3} s";
}

/// <summary>
/// Runs a call that might block on a thread of its own and waits for it at most a given time, so that a hang fails the
/// test instead of blocking the run. A call that does not return is left behind on its (background) thread.
/// </summary>
internal static class Bounded
{
    /// <summary>Runs <paramref name="action"/>; its outcome (<see cref="RsmError.Success"/> or the RSM error it raised) and duration.</summary>
    public static BoundedOutcome Run(Action action, TimeSpan limit, string name)
    {
        long started = Environment.TickCount64;
        RsmError? error = null;
        Exception? other = null;
        var thread = new Thread(() =>
        {
            try
            {
                action();
                error = RsmError.Success;
            }
            catch (RsmException ex)
            {
                error = ex.Error;
            }
            catch (Exception ex)
            {
                other = ex;
            }
        })
        { IsBackground = true, Name = name };
        thread.Start();
        bool returned = thread.Join(limit);
        var took = TimeSpan.FromMilliseconds(Environment.TickCount64 - started);
        return returned ? new BoundedOutcome(true, took, error, other) : new BoundedOutcome(false, took, null, null);
    }

    /// <summary>Like <see cref="Run"/>, and fails the test unless the call returned in time without an error.</summary>
    public static TimeSpan Succeeds(Action action, TimeSpan limit, string name)
    {
        BoundedOutcome outcome = Run(action, limit, name);
        Assert.IsTrue(outcome.Returned && outcome.Other is null && outcome.Error == RsmError.Success, $"{name}: {outcome}");
        return outcome.Took;
    }
}
