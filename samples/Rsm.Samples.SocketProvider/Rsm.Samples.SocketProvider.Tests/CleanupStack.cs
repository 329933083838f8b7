namespace Rsm.Samples.Sockets.Tests;

/// <summary>What a test created, undone in reverse order at its cleanup; a step that finds its object already gone is skipped.</summary>
internal sealed class CleanupStack : IDisposable
{
    private readonly Stack<Action> _steps = new();

    public void Push(Action step) => _steps.Push(step);

    public void Dispose()
    {
        while (_steps.TryPop(out Action? step))
        {
            try
            {
                step();
            }
            catch (RsmException)
            {
                // Destroyed, disconnected or released by the test itself.
            }
        }
    }
}
