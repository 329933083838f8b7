namespace Rsm.Providers.Tcp.Internal.Wire;

/// <summary>
/// Lets at most <see cref="PerInterval"/> messages of one kind through per <see cref="Interval"/> and counts the rest.
/// Once an interval in which messages were held back has ended, the count is reported once (through the callback given
/// at construction, outside any lock): at the next message, or by a timer if none comes, or at <see cref="Dispose"/>.
/// </summary>
internal sealed class LogRateLimiter : IDisposable
{
    /// <summary>The default length of an interval: 10 seconds.</summary>
    public static readonly TimeSpan DefaultInterval = TimeSpan.FromSeconds(10);

    /// <summary>The default number of messages let through per interval.</summary>
    public const int DefaultPerInterval = 5;

    private readonly Lock _lock = new();
    private readonly Action<long, TimeSpan> _reportSuppressed;
    private readonly long _intervalMs;
    private Timer? _timer;
    private bool _timerArmed;
    private long _windowStart;
    private int _logged;
    private long _suppressed;
    private long _suppressedTotal;
    private bool _disposed;

    /// <param name="interval">How long an interval lasts.</param>
    /// <param name="perInterval">How many messages each interval lets through.</param>
    /// <param name="reportSuppressed">Receives the number of messages held back and the interval, once per interval that held any back.</param>
    public LogRateLimiter(TimeSpan interval, int perInterval, Action<long, TimeSpan> reportSuppressed)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(interval, TimeSpan.FromMilliseconds(1));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(perInterval);
        ArgumentNullException.ThrowIfNull(reportSuppressed);
        Interval = interval;
        PerInterval = perInterval;
        _intervalMs = (long)Math.Ceiling(interval.TotalMilliseconds);
        _reportSuppressed = reportSuppressed;
        _windowStart = Environment.TickCount64;
    }

    /// <summary>How long an interval lasts.</summary>
    public TimeSpan Interval { get; }

    /// <summary>How many messages each interval lets through.</summary>
    public int PerInterval { get; }

    /// <summary>All messages held back so far, reported or not.</summary>
    public long SuppressedTotal
    {
        get
        {
            lock (_lock)
            {
                return _suppressedTotal;
            }
        }
    }

    /// <summary>Whether the caller may log its message now; if not, it is counted.</summary>
    /// <returns>True when the message should be logged.</returns>
    public bool TryAcquire()
    {
        long report = 0;
        bool allowed;
        lock (_lock)
        {
            long now = Environment.TickCount64;
            if (now - _windowStart >= _intervalMs)
            {
                report = _suppressed;
                _suppressed = 0;
                _logged = 0;
                _windowStart = now;
            }

            allowed = _logged < PerInterval;
            if (allowed)
            {
                _logged++;
            }
            else
            {
                _suppressed++;
                _suppressedTotal++;
                ArmTimer(_windowStart + _intervalMs - now);
            }
        }

        if (report > 0)
        {
            _reportSuppressed(report, Interval);
        }

        return allowed;
    }

    /// <summary>Reports what is held back still, and stops the timer. Idempotent.</summary>
    public void Dispose()
    {
        long report;
        lock (_lock)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            report = _suppressed;
            _suppressed = 0;
            _timer?.Dispose();
            _timer = null;
        }

        if (report > 0)
        {
            _reportSuppressed(report, Interval);
        }
    }

    private void ArmTimer(long dueMs)
    {
        if (_disposed || _timerArmed)
        {
            return;
        }

        _timerArmed = true;
        _timer ??= new Timer(static state => ((LogRateLimiter)state!).OnTimer(), this, Timeout.Infinite, Timeout.Infinite);
        _ = _timer.Change(Math.Max(1, dueMs), Timeout.Infinite);
    }

    private void OnTimer()
    {
        long report = 0;
        lock (_lock)
        {
            _timerArmed = false;
            if (_disposed || _suppressed == 0)
            {
                return;
            }

            long now = Environment.TickCount64;
            long left = _windowStart + _intervalMs - now;
            if (left > 0)
            {
                ArmTimer(left);
                return;
            }

            report = _suppressed;
            _suppressed = 0;
            _logged = 0;
            _windowStart = now;
        }

        _reportSuppressed(report, Interval);
    }
}
