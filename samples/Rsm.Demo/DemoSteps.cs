namespace Rsm.Demo;

/// <summary>Runs the demo's numbered steps: prints each one with its outcome and stops at the first unexpected one.</summary>
internal sealed class DemoSteps(TextWriter output)
{
    private int _number;

    /// <summary>Runs a step that must succeed; <paramref name="action"/> returns the value and the outcome to print.</summary>
    public T Run<T>(string title, Func<(T Value, string Outcome)> action)
    {
        int number = Begin(title);
        try
        {
            (T value, string outcome) = action();
            Succeed(outcome);
            return value;
        }
        catch (Exception ex) when (ex is not DemoFailedException)
        {
            throw Fail(number, $"{ex.GetType().Name}: {ex.Message}");
        }
    }

    /// <summary>Runs a step that must succeed and produces no value.</summary>
    public void Run(string title, Func<string> action) => Run(title, () => (0, action()));

    /// <summary>Runs a step that must fail with <paramref name="expected"/>, printed as <paramref name="constant"/> (the C name without <c>RSMERR_</c>).</summary>
    public void ExpectError(string title, RsmError expected, string constant, Action action)
    {
        int number = Begin(title);
        try
        {
            action();
        }
        catch (RsmException ex) when (ex.Error == expected)
        {
            Succeed($"failed as expected with {constant} ({(int)ex.Error})");
            return;
        }
        catch (Exception ex)
        {
            throw Fail(number, $"expected {expected} ({(int)expected}), got {ex.GetType().Name}: {ex.Message}");
        }

        throw Fail(number, $"expected {expected} ({(int)expected}), but the call succeeded");
    }

    /// <summary>Fails the current step unless <paramref name="condition"/> holds.</summary>
    public static void Check(bool condition, string what)
    {
        if (!condition)
        {
            throw new InvalidOperationException(what);
        }
    }

    private int Begin(string title)
    {
        int number = ++_number;
        output.WriteLine($"{number,2}. {title}");
        return number;
    }

    private void Succeed(string outcome) => output.WriteLine($"    ok: {outcome}");

    private DemoFailedException Fail(int number, string reason)
    {
        output.WriteLine($"    FAILED: {reason}");
        return new DemoFailedException($"step {number} failed: {reason}");
    }
}

/// <summary>A step did not have its expected outcome.</summary>
internal sealed class DemoFailedException(string message) : Exception(message);
