using System.Diagnostics;
using Microsoft.Extensions.Logging;

namespace Rsm.Conformance.Tests;

/// <summary>
/// The measurements and checks of one fault test. Every check is recorded and written to the test's output, passed or
/// not, so that one run shows every number; <see cref="Finish"/> then fails the test with all the checks that failed.
/// </summary>
internal sealed class FaultReport(TestContext context, string scenario)
{
    private readonly List<string> _failures = [];
    private readonly long _started = Stopwatch.GetTimestamp();

    /// <summary>Writes <paramref name="line"/> with the seconds since the report began.</summary>
    public void Note(string line) => Note(Stopwatch.GetTimestamp(), line);

    public void Expect(bool condition, string check)
    {
        Note($"{(condition ? "ok:     " : "FAILED: ")}{check}");
        if (!condition)
        {
            _failures.Add(check);
        }
    }

    /// <summary>Fails the test with every failed check; with the exporter's warnings and the close reasons of the log.</summary>
    public void Finish(CapturedLog log)
    {
        foreach (CapturedLog.Entry entry in log.Entries.Where(e => e.Level >= LogLevel.Warning || e.Message.Contains("unpublished", StringComparison.Ordinal) || e.Message.Contains("closed", StringComparison.Ordinal)))
        {
            Note(entry.Timestamp, $"log {entry}");
        }

        if (_failures.Count > 0)
        {
            Assert.Fail($"{scenario}: {_failures.Count} check(s) failed: {string.Join(" | ", _failures)}");
        }
    }

    private void Note(long timestamp, string line) =>
        context.WriteLine($"[{scenario}] {Stopwatch.GetElapsedTime(_started, timestamp).TotalSeconds,7:F3} s {line}");
}
