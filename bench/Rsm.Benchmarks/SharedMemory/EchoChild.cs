using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;

namespace Rsm.Benchmarks.SharedMemory;

/// <summary>
/// The second process of the round-trip benchmarks. The benchmark process starts this assembly again with
/// <see cref="Argument"/>; the child answers every signal it receives with one signal back, until its standard input
/// reaches end of file (the parent closed it, or the parent died) or its peer goes away.
/// Every wait of both sides is bounded, so a broken run fails instead of hanging.
/// </summary>
internal sealed class EchoChild : IDisposable
{
    /// <summary>The first argument that selects the child mode of the benchmark executable.</summary>
    public const string Argument = "--rsm-echo-child";

    /// <summary>How long the parent waits for the child to start and report that it is ready.</summary>
    private static readonly TimeSpan s_startTimeout = TimeSpan.FromSeconds(60);

    /// <summary>How long the parent waits for the child to leave before it kills it.</summary>
    private const int ExitTimeoutMilliseconds = 5000;

    /// <summary>The slice in which a child waits before it checks whether it should stop.</summary>
    private const int SliceMilliseconds = 250;

    /// <summary>The longest a child lives even if nobody tells it to stop.</summary>
    private static readonly TimeSpan s_lifetimeLimit = TimeSpan.FromMinutes(30);

    /// <summary>Set by the launching process, inherited by the benchmark processes BenchmarkDotNet starts.</summary>
    private const string AssemblyVariable = "RSM_BENCH_ASSEMBLY";

    private const string Ready = "ready";

    private readonly Process _process;
    private readonly StringBuilder _errors = new();
    private bool _disposed;

    private EchoChild(Process process) => _process = process;

    /// <summary>Records where this assembly lives, for benchmark processes that run from a generated copy.</summary>
    public static void RecordAssemblyLocation()
    {
        if (string.IsNullOrEmpty(Environment.GetEnvironmentVariable(AssemblyVariable)))
        {
            Environment.SetEnvironmentVariable(AssemblyVariable, typeof(EchoChild).Assembly.Location);
        }
    }

    /// <summary>Starts a child in <paramref name="mode"/> and waits until it reports that it is ready.</summary>
    public static EchoChild Start(string mode, params string[] arguments)
    {
        var info = new ProcessStartInfo(DotnetHost())
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        info.ArgumentList.Add("exec");
        info.ArgumentList.Add(ChildAssembly());
        info.ArgumentList.Add(Argument);
        info.ArgumentList.Add(mode);
        foreach (string argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        var process = Process.Start(info) ?? throw new InvalidOperationException("the echo child did not start");
        var child = new EchoChild(process);
        try
        {
            process.ErrorDataReceived += child.OnError;
            process.BeginErrorReadLine();
            string? line;
            try
            {
                line = process.StandardOutput.ReadLineAsync().WaitAsync(s_startTimeout).GetAwaiter().GetResult();
            }
            catch (TimeoutException)
            {
                line = null;
            }

            if (line != Ready)
            {
                child.Dispose();
                throw new InvalidOperationException($"the echo child ({mode}) did not report ready (waited up to {s_startTimeout}); it said '{line}' and reported: {child.Errors}");
            }

            return child;
        }
        catch
        {
            child.Dispose();
            throw;
        }
    }

    /// <summary>What the child wrote to its standard error (for failure messages).</summary>
    public string Errors
    {
        get
        {
            lock (_errors)
            {
                return _errors.ToString();
            }
        }
    }

    /// <summary>Asks the child to stop by closing its standard input; kills it if it does not leave in time.</summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        try
        {
            _process.StandardInput.Close();
        }
        catch (IOException)
        {
        }

        if (!_process.WaitForExit(ExitTimeoutMilliseconds))
        {
            Console.Error.WriteLine($"// the echo child {_process.Id} did not stop within {ExitTimeoutMilliseconds} ms and was killed");
            _process.Kill(entireProcessTree: true);
            _ = _process.WaitForExit(ExitTimeoutMilliseconds);
        }
        else if (_process.ExitCode != 0)
        {
            Console.Error.WriteLine($"// the echo child {_process.Id} exited with code {_process.ExitCode}: {Errors}");
        }

        _process.Dispose();
    }

    /// <summary>Runs the child side; <paramref name="args"/> starts with <see cref="Argument"/> and the mode.</summary>
    public static int Run(string[] args)
    {
        using var stop = new CancellationTokenSource(s_lifetimeLimit);
        var watcher = new Thread(() => WatchInput(stop)) { IsBackground = true, Name = "stdin watcher" };
        watcher.Start();
        try
        {
            switch (args.Length > 1 ? args[1] : string.Empty)
            {
                case "signal" when args.Length == 6:
                    EchoSignals(args[2], Parse(args[3]), Parse(args[4]), Parse(args[5]), stop.Token);
                    return 0;
                case "eventfd" when args.Length == 4:
                    EchoEventFd((int)Parse(args[2]), (int)Parse(args[3]), stop.Token);
                    return 0;
                default:
                    Console.Error.WriteLine($"usage: {Argument} signal <prefix> <exporter node> <segment id> <own node> | {Argument} eventfd <read fd> <write fd>");
                    return 2;
            }
        }
        catch (Exception ex) when (ex is RsmException or InvalidOperationException)
        {
            Console.Error.WriteLine(ex);
            return 1;
        }
    }

    /// <summary>Connects to the parent's segment and answers every signal with one back.</summary>
    private static void EchoSignals(string prefix, uint exporterNode, uint segmentId, uint ownNode, CancellationToken stop)
    {
        using var node = new SharedMemoryNode(prefix, ownNode);
        IImportSegment import = node.Controller.Connect(exporterNode, segmentId, RsmPermissions.ReadWrite);
        try
        {
            // The first signal tells the parent that this importer is admitted; only then is it ready.
            import.SignalPost();
            Console.Out.WriteLine(Ready);
            Console.Out.Flush();
            while (!stop.IsCancellationRequested)
            {
                try
                {
                    // No token: a cancellable wait would add an eventfd per call to the echo the parent measures.
                    import.SignalWait(SliceMilliseconds, CancellationToken.None);
                }
                catch (RsmException ex) when (ex.Error == RsmError.Timeout)
                {
                    continue;
                }

                import.SignalPost();
            }
        }
        catch (RsmException) when (stop.IsCancellationRequested)
        {
            // The parent destroyed its segment while this child was being told to stop.
        }
        finally
        {
            try
            {
                import.Disconnect();
            }
            catch (RsmException)
            {
            }
        }
    }

    /// <summary>Answers every count on the inherited <paramref name="readFd"/> with one on <paramref name="writeFd"/>.</summary>
    private static void EchoEventFd(int readFd, int writeFd, CancellationToken stop)
    {
        Console.Out.WriteLine(Ready);
        Console.Out.Flush();
        while (!stop.IsCancellationRequested)
        {
            if (Native.TryWait(readFd, SliceMilliseconds))
            {
                Native.Post(writeFd);
            }
        }
    }

    private static void WatchInput(CancellationTokenSource stop)
    {
        try
        {
            using Stream input = Console.OpenStandardInput();
            byte[] buffer = new byte[64];
            while (input.Read(buffer) > 0)
            {
            }
        }
        catch (IOException)
        {
        }
        finally
        {
            try
            {
                stop.Cancel();
            }
            catch (ObjectDisposedException)
            {
                // The child is already on its way out.
            }
        }
    }

    private static uint Parse(string text) => uint.Parse(text, NumberStyles.Integer, CultureInfo.InvariantCulture);

    private static string DotnetHost()
    {
        string? process = Environment.ProcessPath;
        if (process is not null && Path.GetFileNameWithoutExtension(process) == "dotnet")
        {
            return process;
        }

        // <root>/shared/Microsoft.NETCore.App/<version>/ holds the runtime; the host is <root>/dotnet.
        string root = Path.GetFullPath(Path.Combine(RuntimeEnvironment.GetRuntimeDirectory(), "..", "..", ".."));
        string host = Path.Combine(root, "dotnet");
        return File.Exists(host) ? host : "dotnet";
    }

    private static string ChildAssembly()
    {
        string? recorded = Environment.GetEnvironmentVariable(AssemblyVariable);
        if (!string.IsNullOrEmpty(recorded) && File.Exists(recorded))
        {
            return recorded;
        }

        string own = typeof(EchoChild).Assembly.Location;
        if (File.Exists(Path.ChangeExtension(own, ".runtimeconfig.json")))
        {
            return own;
        }

        throw new InvalidOperationException(
            $"cannot find a runnable Rsm.Benchmarks assembly for the echo child: {AssemblyVariable} is not set and {own} has no runtimeconfig.json beside it. Start the benchmarks through bench/run.sh or the Rsm.Benchmarks executable.");
    }

    private void OnError(object sender, DataReceivedEventArgs e)
    {
        if (e.Data is { } line)
        {
            lock (_errors)
            {
                _ = _errors.AppendLine(line);
            }
        }
    }
}
