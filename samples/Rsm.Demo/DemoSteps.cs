namespace Rsm.Demo;

/// <summary>
/// Runs the demo's numbered steps: prints each one with its outcome and stops at the first unexpected one. Every line
/// starts with <paramref name="prefix"/>, which names the process when two processes share the numbering.
/// </summary>
internal sealed class DemoSteps(TextWriter output, string prefix = "")
{
    private int _number;

    /// <summary>The number of the step begun last.</summary>
    public int Current => _number;

    /// <summary>Claims the next number for a step that the other process performs and prints.</summary>
    public int Skip() => ++_number;

    /// <summary>Continues the numbering of the other process: <paramref name="number"/> is the step begun last.</summary>
    public void ContinueAfter(int number) => _number = number;

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

    /// <summary>Runs another part of the step begun last (here or in the other process) and prints its outcome.</summary>
    public void Also(Func<string> action)
    {
        try
        {
            Succeed(action());
        }
        catch (Exception ex) when (ex is not DemoFailedException)
        {
            throw Fail(_number, $"{ex.GetType().Name}: {ex.Message}");
        }
    }

    /// <summary>Prints a line that belongs to no step's outcome, indented like one.</summary>
    public void Note(string text) => output.WriteLine($"{prefix}    {text}");

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
        output.WriteLine($"{prefix}{number,2}. {title}");
        return number;
    }

    private void Succeed(string outcome) => output.WriteLine($"{prefix}    ok: {outcome}");

    private DemoFailedException Fail(int number, string reason)
    {
        output.WriteLine($"{prefix}    FAILED: {reason}");
        return new DemoFailedException($"step {number} failed: {reason}");
    }
}

/// <summary>A step did not have its expected outcome.</summary>
internal sealed class DemoFailedException(string message) : Exception(message);
