using System.ComponentModel;
using System.Diagnostics;
using System.Reflection;
using System.Text;

namespace Rsm.Demo;

/// <summary>
/// The exporter's handle on its importer: this program started again as a child process in the importer role. The
/// child's step lines are relayed to <c>output</c> as they arrive; every wait for the child is bounded by
/// <see cref="ImporterProtocol.ReplyTimeout"/>, and a child that misses it is killed.
/// </summary>
internal sealed class ImporterProcess : IDisposable
{
    private static readonly UTF8Encoding s_utf8 = new(encoderShouldEmitUTF8Identifier: false);

    private readonly Process _process;
    private readonly DemoSteps _steps;
    private readonly TextWriter _output;
    private readonly Queue<string?> _lines = new();
    private bool _endOfOutput;
    private bool _finished;

    private ImporterProcess(Process process, DemoSteps steps, TextWriter output)
    {
        _process = process;
        _steps = steps;
        _output = output;
        Id = process.Id;
    }

    public int Id { get; }

    private string Name => $"the importer process (pid {Id})";

    private static string TimeoutText => $"{ImporterProtocol.ReplyTimeout.TotalSeconds:0} s";

    /// <summary>
    /// Starts this program again with <paramref name="demoArguments"/> (so it reads the same configuration) followed by
    /// the importer role, the exporter's node and the segment id.
    /// </summary>
    public static ImporterProcess Start(IReadOnlyList<string> demoArguments, uint nodeId, uint segmentId, DemoSteps steps, TextWriter output)
    {
        ProcessStartInfo start = StartInfoForThisProgram();
        foreach (string argument in demoArguments)
        {
            start.ArgumentList.Add(argument);
        }

        start.ArgumentList.Add(ImporterProtocol.RoleSwitch);
        start.ArgumentList.Add(ImporterProtocol.ImporterRole);
        start.ArgumentList.Add(ImporterProtocol.NodeSwitch);
        start.ArgumentList.Add(nodeId.ToString(System.Globalization.CultureInfo.InvariantCulture));
        start.ArgumentList.Add(ImporterProtocol.SegmentSwitch);
        start.ArgumentList.Add(ImporterProtocol.FormatSegmentId(segmentId));
        start.UseShellExecute = false;
        start.RedirectStandardInput = true;
        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        start.StandardInputEncoding = s_utf8;
        start.StandardOutputEncoding = s_utf8;
        start.StandardErrorEncoding = s_utf8;

        Process? process;
        try
        {
            process = Process.Start(start);
        }
        catch (Exception ex) when (ex is Win32Exception or InvalidOperationException or IOException)
        {
            throw new DemoFailedException($"could not start the importer process '{start.FileName}': {ex.Message}");
        }

        if (process is null)
        {
            throw new DemoFailedException($"could not start the importer process '{start.FileName}'");
        }

        var importer = new ImporterProcess(process, steps, output);
        string prefix = ImporterProtocol.LinePrefix(ImporterProtocol.ImporterRole, importer.Id);
        process.OutputDataReceived += (_, e) => importer.Enqueue(e.Data);
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                output.WriteLine($"{prefix}stderr: {e.Data}");
            }
        };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        steps.Note($"started the importer process, pid {importer.Id}: {Describe(start)}");
        return importer;
    }

    /// <summary>Waits until the importer has opened its controller.</summary>
    public void AwaitReady() => AwaitReply(ImporterProtocol.Ready, "its start", Stopwatch.StartNew());

    /// <summary>Has the importer perform <paramref name="command"/> as (part of) step <paramref name="step"/> and waits for it.</summary>
    public void Perform(string command, int step, string? argument = null)
    {
        string line = argument is null ? $"{command} {step}" : $"{command} {step} {argument}";
        Stopwatch clock = Stopwatch.StartNew();
        Send(line);
        AwaitReply(ImporterProtocol.Done, $"'{line}'", clock);
    }

    /// <summary>Asks the importer to exit, relays its last lines and requires exit code 0.</summary>
    public void Exit()
    {
        Stopwatch clock = Stopwatch.StartNew();
        Send(ImporterProtocol.Exit);
        while (true)
        {
            string? line = Take(clock, "'exit'");
            if (line is null)
            {
                break;
            }

            if (line.StartsWith(ImporterProtocol.ReplyMarker, StringComparison.Ordinal))
            {
                throw new DemoFailedException($"{Name} answered 'exit' with '{line[ImporterProtocol.ReplyMarker.Length..]}'");
            }

            _output.WriteLine(line);
        }

        if (!_process.WaitForExit(Remaining(clock)))
        {
            Kill();
            throw new DemoFailedException($"{Name} closed its output but did not exit within {TimeoutText}, so it was killed");
        }

        _finished = true;
        int code = _process.ExitCode;
        if (code != 0)
        {
            throw new DemoFailedException($"{Name} exited with code {code}");
        }

        _steps.Note($"the importer process exited with code {code}");
    }

    /// <summary>Stops a child that is still running: closes its commands, then kills it if it does not exit promptly.</summary>
    public void Dispose()
    {
        try
        {
            if (!_finished && !_process.HasExited)
            {
                try
                {
                    _process.StandardInput.Close();
                }
                catch (IOException)
                {
                    // It is exiting anyway.
                }

                if (!_process.WaitForExit(TimeSpan.FromSeconds(5)))
                {
                    Kill();
                }
                else
                {
                    _steps.Note($"the importer process (pid {Id}) exited with code {_process.ExitCode}");
                }
            }
        }
        finally
        {
            _process.Dispose();
        }
    }

    private static ProcessStartInfo StartInfoForThisProgram()
    {
        string processPath = Environment.ProcessPath
            ?? throw new DemoFailedException("the path of this program is unknown, so the importer process cannot be started");
        var start = new ProcessStartInfo(processPath);

        // Run as 'dotnet Rsm.Demo.dll', the process is the dotnet host: the child needs the assembly path as well.
        if (string.Equals(Path.GetFileNameWithoutExtension(processPath), "dotnet", StringComparison.OrdinalIgnoreCase))
        {
            string? assembly = Assembly.GetEntryAssembly()?.Location;
            if (string.IsNullOrEmpty(assembly))
            {
                throw new DemoFailedException("the demo runs under the dotnet host but its assembly path is unknown, so the importer process cannot be started");
            }

            start.ArgumentList.Add(assembly);
        }

        return start;
    }

    private static string Describe(ProcessStartInfo start) =>
        string.Join(' ', [Path.GetFileName(start.FileName), .. start.ArgumentList.Select(a => a.Contains(' ', StringComparison.Ordinal) ? $"\"{a}\"" : a)]);

    private static TimeSpan Remaining(Stopwatch clock)
    {
        TimeSpan left = ImporterProtocol.ReplyTimeout - clock.Elapsed;
        return left > TimeSpan.Zero ? left : TimeSpan.Zero;
    }

    private void Enqueue(string? line)
    {
        lock (_lines)
        {
            _lines.Enqueue(line);
            Monitor.PulseAll(_lines);
        }
    }

    private void Send(string line)
    {
        try
        {
            _process.StandardInput.WriteLine(line);
            _process.StandardInput.Flush();
        }
        catch (Exception ex) when (ex is IOException or ObjectDisposedException or InvalidOperationException)
        {
            throw new DemoFailedException($"could not send '{line}' to {Name}{ExitDescription()}: {ex.Message}");
        }
    }

    /// <summary>Relays the importer's lines until its reply; fails on a failure reply, the end of its output or the timeout.</summary>
    private void AwaitReply(string expected, string what, Stopwatch clock)
    {
        while (true)
        {
            string line = Take(clock, what)
                ?? throw new DemoFailedException($"{Name} closed its output before it answered {what}{ExitDescription()}");
            if (!line.StartsWith(ImporterProtocol.ReplyMarker, StringComparison.Ordinal))
            {
                _output.WriteLine(line);
                continue;
            }

            string reply = line[ImporterProtocol.ReplyMarker.Length..];
            if (reply == expected)
            {
                return;
            }

            if (reply.StartsWith(ImporterProtocol.Failed, StringComparison.Ordinal))
            {
                throw new DemoFailedException($"{Name} failed {what}: {reply[ImporterProtocol.Failed.Length..].Trim()}");
            }

            throw new DemoFailedException($"{Name} answered {what} with '{reply}' instead of '{expected}'");
        }
    }

    /// <summary>The importer's next output line, or null at the end of its output; kills it when the timeout passes first.</summary>
    private string? Take(Stopwatch clock, string what)
    {
        lock (_lines)
        {
            while (_lines.Count == 0 && !_endOfOutput)
            {
                TimeSpan left = Remaining(clock);
                if (left == TimeSpan.Zero)
                {
                    break;
                }

                _ = Monitor.Wait(_lines, left);
            }

            if (_lines.Count > 0)
            {
                string? line = _lines.Dequeue();
                _endOfOutput = line is null;
                return line;
            }

            if (_endOfOutput)
            {
                return null;
            }
        }

        Kill();
        throw new DemoFailedException($"{Name} did not answer {what} within {TimeoutText}, so it was killed");
    }

    /// <summary>Waits (bounded) for the importer to exit after its output ended, and says how it ended.</summary>
    private string ExitDescription()
    {
        if (_process.WaitForExit(ImporterProtocol.ReplyTimeout))
        {
            _finished = true;
            return $" (it exited with code {_process.ExitCode})";
        }

        Kill();
        return $" (it did not exit within {TimeoutText} and was killed)";
    }

    private void Kill()
    {
        try
        {
            if (_process.HasExited)
            {
                _finished = true;
                return;
            }

            _process.Kill(entireProcessTree: true);
            _ = _process.WaitForExit(TimeSpan.FromSeconds(5));
            _finished = true;
            _steps.Note($"killed the importer process (pid {Id})");
        }
        catch (Exception ex) when (ex is InvalidOperationException or Win32Exception or NotSupportedException)
        {
            _steps.Note($"could not kill the importer process (pid {Id}): {ex.Message}");
        }
    }
}
