using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Microsoft.Diagnostics.NETCore.Client;

namespace Rsm.Tool.Tests;

/// <summary>
/// The Rsm.HostedNode sample running as a child process (<c>dotnet Rsm.HostedNode.dll</c> from this test's output
/// folder) with settings given on its command line; its output is kept for the waits. Disposing kills it and waits for its end.
/// </summary>
internal sealed class HostedNodeProcess : IAsyncDisposable
{
    /// <summary>Every wait for a child is bounded by this; generous, as the machine may be slow and shared.</summary>
    public static readonly TimeSpan WaitLimit = TimeSpan.FromSeconds(90);

    /// <summary>The segment id the sample's configuration publishes.</summary>
    public const string SegmentId = "0x00400100";

    /// <summary>The cluster key of the sample's configuration.</summary>
    public const string ClusterKey = "Vx0nQ7vJdE4mS1c9yKp2hA6tL3uR8fWbZqGjN5oXeCI=";

    private readonly Process _process;
    private readonly List<string> _lines = [];

    private HostedNodeProcess(Process process)
    {
        _process = process;
    }

    public int Id => _process.Id;

    public bool HasExited => _process.HasExited;

    /// <summary>What the process printed so far, both streams, one line each.</summary>
    public string Output
    {
        get
        {
            lock (_lines)
            {
                return string.Join(Environment.NewLine, _lines);
            }
        }
    }

    /// <summary>Starts the sample with <paramref name="settings"/> as <c>--key=value</c> arguments.</summary>
    /// <param name="settings">Configuration keys and values layered over the sample's appsettings.json.</param>
    /// <param name="suspended">Start the runtime paused until a diagnostics tool resumes it (DOTNET_DefaultDiagnosticPortSuspend=1).</param>
    public static HostedNodeProcess Start(IReadOnlyDictionary<string, string> settings, bool suspended = false)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = AppContext.BaseDirectory,
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "Rsm.HostedNode.dll"));
        foreach ((string key, string value) in settings)
        {
            start.ArgumentList.Add($"--{key}={value}");
        }

        start.Environment["DOTNET_DefaultDiagnosticPortSuspend"] = suspended ? "1" : "0";
        start.Environment["DOTNET_ENVIRONMENT"] = "Production";
        var process = new Process { StartInfo = start };
        var node = new HostedNodeProcess(process);
        process.OutputDataReceived += (_, e) => node.Add(e.Data);
        process.ErrorDataReceived += (_, e) => node.Add(e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return node;
    }

    /// <summary>The settings of an exporter on controller <paramref name="controller"/> of the sample's configuration.</summary>
    public static Dictionary<string, string> Exporter(string controller) => new()
    {
        ["HostedNode:Role"] = "Exporter",
        ["HostedNode:Controller"] = controller,
        ["HostedNode:Interval"] = "00:00:00.500",
    };

    /// <summary>A rendezvous prefix no other test or program uses.</summary>
    public static string UniquePrefix() => $"rsm-tool-test-{Guid.NewGuid():N}";

    /// <summary>Two free loopback ports, both found before either is released, so that they differ.</summary>
    public static (int First, int Second) FreePorts()
    {
        using var first = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        using var second = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        first.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        second.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return (((IPEndPoint)first.LocalEndPoint!).Port, ((IPEndPoint)second.LocalEndPoint!).Port);
    }

    /// <summary>Waits until <paramref name="count"/> lines that contain <paramref name="text"/> were printed.</summary>
    /// <exception cref="AssertFailedException">The process exited first, or the wait limit passed.</exception>
    public async Task WaitForLineAsync(string text, int count = 1)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < WaitLimit)
        {
            if (CountLines(text) >= count)
            {
                return;
            }

            if (_process.HasExited)
            {
                Assert.Fail($"the sample exited with {_process.ExitCode} before printing '{text}':{Environment.NewLine}{Output}");
            }

            await Task.Delay(50);
        }

        Assert.Fail($"the sample did not print '{text}' within {WaitLimit.TotalSeconds} s:{Environment.NewLine}{Output}");
    }

    /// <summary>Waits until the runtime of the process has opened its diagnostics port.</summary>
    public async Task WaitForDiagnosticsAsync()
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < WaitLimit)
        {
            if (DiagnosticsClient.GetPublishedProcesses().Contains(Id))
            {
                return;
            }

            if (_process.HasExited)
            {
                Assert.Fail($"the sample exited with {_process.ExitCode} before opening its diagnostics port:{Environment.NewLine}{Output}");
            }

            await Task.Delay(50);
        }

        Assert.Fail($"the sample's diagnostics port did not appear within {WaitLimit.TotalSeconds} s:{Environment.NewLine}{Output}");
    }

    /// <summary>Sends the process a signal by name (<c>STOP</c>, <c>CONT</c>, <c>TERM</c>) through <c>kill</c>.</summary>
    public async Task SignalAsync(string signal)
    {
        var start = new ProcessStartInfo("kill") { UseShellExecute = false, RedirectStandardError = true };
        start.ArgumentList.Add($"-{signal}");
        start.ArgumentList.Add(Id.ToString(CultureInfo.InvariantCulture));
        using Process kill = Process.Start(start)!;
        using var limit = new CancellationTokenSource(WaitLimit);
        string error = await kill.StandardError.ReadToEndAsync(limit.Token);
        await kill.WaitForExitAsync(limit.Token);
        Assert.AreEqual(0, kill.ExitCode, $"kill -{signal} {Id}: {error}");
    }

    /// <summary>Waits until the process has exited by itself and returns its exit code.</summary>
    public async Task<int> WaitForExitAsync()
    {
        using var limit = new CancellationTokenSource(WaitLimit);
        await _process.WaitForExitAsync(limit.Token);
        return _process.ExitCode;
    }

    /// <summary>How many printed lines contain <paramref name="text"/>.</summary>
    public int CountLines(string text)
    {
        lock (_lines)
        {
            return _lines.Count(l => l.Contains(text, StringComparison.Ordinal));
        }
    }

    /// <summary>Kills the process (SIGKILL: no unpublish, no goodbye) and waits until it has exited.</summary>
    public async Task KillAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }

        using var limit = new CancellationTokenSource(WaitLimit);
        await _process.WaitForExitAsync(limit.Token);
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await KillAsync();
        }
        catch (InvalidOperationException)
        {
            // Never started.
        }

        _process.Dispose();
    }

    /// <summary>This process's real user id, as the kernel reports it.</summary>
    public static uint CurrentUid()
    {
        string line = File.ReadLines("/proc/self/status").First(l => l.StartsWith("Uid:", StringComparison.Ordinal));
        return uint.Parse(line[4..].Split(['\t', ' '], StringSplitOptions.RemoveEmptyEntries)[0], CultureInfo.InvariantCulture);
    }

    private void Add(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_lines)
        {
            _lines.Add(line);
        }
    }
}
