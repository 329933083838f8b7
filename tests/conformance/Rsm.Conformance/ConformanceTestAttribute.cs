using System.Runtime.CompilerServices;

namespace Rsm.Conformance;

/// <summary>
/// A conformance check: a test method whose skip reason shows in the test's display name, so <c>dotnet test</c> prints
/// why a check did not run (the capability it needs, the privilege it needs) on the <c>Skipped</c> line itself, at the
/// default verbosity and in the TRX file.
/// </summary>
/// <param name="callerFilePath">The source file, filled in by the compiler.</param>
/// <param name="callerLineNumber">The source line, filled in by the compiler.</param>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false)]
public sealed class ConformanceTestAttribute([CallerFilePath] string callerFilePath = "", [CallerLineNumber] int callerLineNumber = -1)
    : TestMethodAttribute(callerFilePath, callerLineNumber)
{
    private const string InconclusivePrefix = "Assert.Inconclusive. ";

    /// <inheritdoc/>
    public override async Task<TestResult[]> ExecuteAsync(ITestMethod testMethod)
    {
        ArgumentNullException.ThrowIfNull(testMethod);
        TestResult[] results = await base.ExecuteAsync(testMethod).ConfigureAwait(false);
        foreach (TestResult result in results)
        {
            if (result.Outcome == UnitTestOutcome.Inconclusive && result.TestFailureException is { } skipped)
            {
                string reason = skipped.Message.StartsWith(InconclusivePrefix, StringComparison.Ordinal) ? skipped.Message[InconclusivePrefix.Length..] : skipped.Message;
                result.DisplayName = $"{result.DisplayName ?? testMethod.TestMethodName} (skipped: {reason})";
            }
        }

        return results;
    }
}
