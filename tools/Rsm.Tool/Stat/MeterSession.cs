using System.Diagnostics;
using System.Diagnostics.Tracing;
using System.Globalization;
using System.Threading.Channels;
using Microsoft.Diagnostics.NETCore.Client;
using Microsoft.Diagnostics.Tracing;

namespace Rsm.Tool.Stat;

/// <summary>
/// An EventPipe session on a process's <c>System.Diagnostics.Metrics</c> event source, restricted to one meter: the
/// process aggregates that meter's measurements and publishes every series once per refresh interval; each published
/// refresh becomes a <see cref="MeterSnapshot"/> on <see cref="Snapshots"/>.
/// </summary>
internal sealed class MeterSession : IDisposable
{
    /// <summary>The event source of <c>System.Diagnostics.Metrics</c> that serves out-of-process listeners.</summary>
    public const string MetricsEventSource = "System.Diagnostics.Metrics";

    // Keywords of that event source: diagnostic messages (1) and the time series values with the instruments (2).
    private const long MessagesKeyword = 0x1;
    private const long TimeSeriesKeyword = 0x2;

    private readonly int _processId;
    private readonly string _meter;
    private readonly string _sessionId = Guid.NewGuid().ToString("N", CultureInfo.InvariantCulture);
    private readonly MeterState _state;
    private readonly Channel<MeterSnapshot> _snapshots = Channel.CreateBounded<MeterSnapshot>(
        new BoundedChannelOptions(16) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true, SingleWriter = true });

    private EventPipeSession? _session;
    private Thread? _reader;
    private int _disposed;

    private MeterSession(int processId, string processName, string meter, double intervalSeconds)
    {
        _processId = processId;
        _meter = meter;
        _state = new MeterState(processId, processName, meter, intervalSeconds);
    }

    /// <summary>The refreshes, in order; completed when the session ends (the process exited, or another tool took the event source over).</summary>
    public ChannelReader<MeterSnapshot> Snapshots => _snapshots.Reader;

    /// <summary>Why the session ended early, when it did for a reason other than the end of the stream; null otherwise.</summary>
    public string? Failure { get; private set; }

    /// <summary>What the meter looks like now, whether or not a refresh has ended since.</summary>
    public MeterSnapshot Current => _state.Snapshot();

    /// <summary>
    /// Connects to the diagnostics port of process <paramref name="processId"/> and starts collecting the meter
    /// <paramref name="meter"/> every <paramref name="intervalSeconds"/> seconds.
    /// </summary>
    /// <param name="processId">The process.</param>
    /// <param name="meter">The meter name.</param>
    /// <param name="intervalSeconds">The refresh interval.</param>
    /// <param name="resume">Whether to resume a runtime that waits at startup for a diagnostics tool, once the session runs.</param>
    /// <exception cref="ToolException">No such process, not a .NET process, or its diagnostics port refused the session.</exception>
    public static MeterSession Start(int processId, string meter, double intervalSeconds, bool resume)
    {
        string name = ProcessName(processId);
        if (!DiagnosticsClient.GetPublishedProcesses().Contains(processId))
        {
            throw new ToolException($"process {processId} ({name}) is not a .NET process, or its diagnostics port is turned off (DOTNET_EnableDiagnostics=0) or not visible to this user");
        }

        var session = new MeterSession(processId, name, meter, intervalSeconds);
        try
        {
            session.Open(intervalSeconds, resume);
            return session;
        }
        catch
        {
            session.Dispose();
            throw;
        }
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        if (_session is not null)
        {
            try
            {
                // Ends the stream, so the reader's Process() returns.
                _session.Stop();
            }
            catch (Exception ex) when (ex is ServerNotAvailableException or ServerErrorException or IOException or TimeoutException or UnauthorizedAccessException)
            {
                // The process is gone already: its stream has ended.
            }

            _reader?.Join(TimeSpan.FromSeconds(5));
            _session.Dispose();
        }

        _snapshots.Writer.TryComplete();
    }

    private static string ProcessName(int processId)
    {
        try
        {
            using var process = Process.GetProcessById(processId);
            return process.ProcessName;
        }
        catch (ArgumentException)
        {
            throw new ToolException($"no process with id {processId}");
        }
        catch (InvalidOperationException)
        {
            throw new ToolException($"no process with id {processId} (it has exited)");
        }
    }

    private static string Text(TraceEvent e, string field) => e.PayloadByName(field) switch
    {
        null => "",
        string s => s,
        object o => Convert.ToString(o, CultureInfo.InvariantCulture) ?? "",
    };

    private static long Number(TraceEvent e, string field) => e.PayloadByName(field) switch
    {
        null => 0,
        object o => Convert.ToInt64(o, CultureInfo.InvariantCulture),
    };

    private static double Real(TraceEvent e, string field) => e.PayloadByName(field) switch
    {
        null => 0,
        object o => Convert.ToDouble(o, CultureInfo.InvariantCulture),
    };

    private void Open(double intervalSeconds, bool resume)
    {
        var arguments = new Dictionary<string, string>
        {
            ["SessionId"] = _sessionId,
            ["Metrics"] = _meter,
            ["RefreshInterval"] = intervalSeconds.ToString(CultureInfo.InvariantCulture),
            ["MaxTimeSeries"] = "1000",
            ["MaxHistograms"] = "100",
        };
        var provider = new EventPipeProvider(MetricsEventSource, EventLevel.Informational, MessagesKeyword | TimeSeriesKeyword, arguments);
        var client = new DiagnosticsClient(_processId);
        try
        {
            _session = client.StartEventPipeSession(provider, requestRundown: false, circularBufferMB: 16);
        }
        catch (UnauthorizedAccessException)
        {
            throw new ToolException($"not permitted to open the diagnostics port of process {_processId}: run rsm as the process's user or as root");
        }
        catch (ServerNotAvailableException ex)
        {
            throw new ToolException($"the diagnostics port of process {_processId} did not answer: {ex.Message}");
        }
        catch (ServerErrorException ex)
        {
            throw new ToolException($"process {_processId} refused the metrics session: {ex.Message}");
        }

        _reader = new Thread(Read) { IsBackground = true, Name = "rsm stat: EventPipe" };
        _reader.Start();

        if (resume)
        {
            try
            {
                // A runtime started with DOTNET_DefaultDiagnosticPortSuspend=1 waits here for a tool; it runs on now, with
                // the session already in place, so that the counters count from the process's start.
                client.ResumeRuntime();
            }
            catch (ServerErrorException)
            {
                // The runtime was not waiting.
            }
        }
    }

    private void Read()
    {
        try
        {
            using var source = new EventPipeEventSource(_session!.EventStream);
            source.Dynamic.All += OnEvent;
            source.Process();
        }
        catch (Exception ex)
        {
            // A stream cut off in the middle of a block: the process exited, or this session was stopped (which is no failure).
            if (Volatile.Read(ref _disposed) == 0)
            {
                Failure ??= $"the metrics stream of process {_processId} ended: {ex.Message}";
            }
        }
        finally
        {
            _snapshots.Writer.TryComplete();
        }
    }

    private void OnEvent(TraceEvent e)
    {
        if (e.ProviderName != MetricsEventSource)
        {
            return;
        }

        // TraceEvent names an event with a Start or Stop opcode after its task ("Collection/Stop").
        string eventName = e.EventName ?? "";
        if (eventName is "MultipleSessionsNotSupportedError" or "MultipleSessionsConfiguredIncorrectlyError")
        {
            string running = Text(e, "runningSessionId");
            if (running != _sessionId)
            {
                Failure = $"process {_processId} already serves another metrics session (dotnet-counters or a similar tool); stop it and try again";
                _snapshots.Writer.TryComplete();
            }

            return;
        }

        if (Text(e, "sessionId") != _sessionId)
        {
            return;
        }

        switch (eventName)
        {
            case "BeginInstrumentReporting" or "InstrumentPublished" when Text(e, "meterName") == _meter:
                _state.AddInstrument(Text(e, "instrumentName"), Text(e, "instrumentType"), Text(e, "unit"), Text(e, "description"));
                break;
            case "EndInstrumentReporting" when Text(e, "meterName") == _meter:
                _state.RemoveInstrument(Text(e, "instrumentName"));
                break;
            case "CounterRateValuePublished" or "UpDownCounterRateValuePublished" when Text(e, "meterName") == _meter:
                _state.SetSum(Text(e, "instrumentName"), Text(e, "unit"), Text(e, "tags"), Text(e, "rate"), Text(e, "value"));
                break;
            case "GaugeValuePublished" when Text(e, "meterName") == _meter:
                _state.SetLast(Text(e, "instrumentName"), Text(e, "unit"), Text(e, "tags"), Text(e, "lastValue"));
                break;
            case "HistogramValuePublished" when Text(e, "meterName") == _meter:
                _state.SetDistribution(Text(e, "instrumentName"), Text(e, "unit"), Text(e, "tags"), Text(e, "quantiles"), Number(e, "count"), Real(e, "sum"));
                break;
            case "CollectionStop" or "Collection/Stop":
                _snapshots.Writer.TryWrite(_state.Snapshot());
                break;
            case "TimeSeriesLimitReached":
                _state.Warn("the process reached its limit of 1000 time series: newer series are not shown");
                break;
            case "HistogramLimitReached":
                _state.Warn("the process reached its limit of 100 histograms: newer histogram series are not shown");
                break;
            case "ObservableInstrumentCallbackError":
                _state.Warn($"an observable instrument's callback failed: {FirstLine(Text(e, "errorMessage"))}");
                break;
            case "Error":
                _state.Warn($"the process reported an error in the metrics session: {FirstLine(Text(e, "errorMessage"))}");
                break;
        }
    }

    private static string FirstLine(string text)
    {
        int end = text.IndexOfAny(['\r', '\n']);
        return end < 0 ? text : text[..end];
    }
}
