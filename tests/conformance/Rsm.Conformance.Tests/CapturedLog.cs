using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.Extensions.Logging;

namespace Rsm.Conformance.Tests;

/// <summary>A logger factory that keeps every message its loggers write, with the time it was written.</summary>
internal sealed class CapturedLog : ILoggerFactory
{
    private readonly ConcurrentQueue<Entry> _entries = new();

    public IReadOnlyList<Entry> Entries => [.. _entries];

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void AddProvider(ILoggerProvider provider)
    {
    }

    public void Dispose()
    {
    }

    /// <summary>The messages that contain <paramref name="text"/>.</summary>
    public IReadOnlyList<Entry> Containing(string text, StringComparison comparison = StringComparison.Ordinal) =>
        [.. _entries.Where(e => e.Message.Contains(text, comparison) || (e.Exception?.Message.Contains(text, comparison) ?? false))];

    /// <summary>One message; <see cref="Timestamp"/> is a <see cref="Stopwatch"/> timestamp.</summary>
    internal readonly record struct Entry(long Timestamp, string Category, LogLevel Level, string Message, Exception? Exception)
    {
        public override string ToString() => $"{Level,-11} {Category}: {Message}{(Exception is null ? string.Empty : $" ({Exception.GetType().Name}: {Exception.Message})")}";
    }

    private sealed class Logger(CapturedLog log, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            log._entries.Enqueue(new Entry(Stopwatch.GetTimestamp(), category, logLevel, formatter(state, exception), exception));
    }
}
