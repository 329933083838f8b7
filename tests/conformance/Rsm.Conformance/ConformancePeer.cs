using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace Rsm.Conformance;

/// <summary>
/// A peer process the suite drives line by line: it exports, publishes, connects, reads and writes on the suite's
/// behalf, so process death, other uids and cross-process zero copy can be observed. Every request is bounded by a timeout.
/// </summary>
public sealed class ConformancePeer : IDisposable
{
    private static readonly TimeSpan s_replyLimit = TimeSpan.FromSeconds(30);
    private readonly Process _process;
    private readonly StringBuilder _errors = new();

    private ConformancePeer(Process process)
    {
        _process = process;
        ProcessId = process.Id;
    }

    /// <summary>The peer's process id; it stays readable after the peer has ended and been disposed.</summary>
    public int ProcessId { get; }

    /// <summary>Whether the peer has exited.</summary>
    public bool HasExited => _process.HasExited;

    /// <summary>Starts a peer program under <paramref name="identity"/>.</summary>
    /// <param name="program">The program (an executable, or a .dll run with <c>dotnet</c>).</param>
    /// <param name="arguments">Its arguments (the controller settings as <c>key=value</c>).</param>
    /// <param name="identity">Who the peer runs as; another uid or group list goes through <c>setpriv</c>, a umask through <c>sh</c>,
    /// a <c>/proc</c> of its own through <c>unshare</c> and <c>mount</c>.</param>
    /// <returns>The running peer, answering <c>ready</c>.</returns>
    public static ConformancePeer Start(string program, IEnumerable<string> arguments, ConformancePeerIdentity identity)
    {
        ArgumentNullException.ThrowIfNull(program);
        ArgumentNullException.ThrowIfNull(arguments);
        ArgumentNullException.ThrowIfNull(identity);
        var command = new List<string>();
        if (identity.NetworkNamespace is { } space)
        {
            command.AddRange(["ip", "netns", "exec", space]);
        }

        if (identity.ProcMountOptions is { } procOptions)
        {
            // The mount is private to the new namespace and goes away with the peer; setpriv runs after it, as the mount needs uid 0.
            command.AddRange(["unshare", "--mount", "--propagation", "private", "--", "/bin/sh", "-c", "mount -t proc -o \"$0\" proc /proc && exec \"$@\"", procOptions]);
        }

        if (identity.ChangesCredentials)
        {
            program = ReadableCopy(program);
            command.Add("setpriv");
            if (identity.Uid is { } uid)
            {
                command.Add(string.Create(CultureInfo.InvariantCulture, $"--reuid={uid}"));
            }

            if (identity.Gid is { } gid)
            {
                command.Add(string.Create(CultureInfo.InvariantCulture, $"--regid={gid}"));
            }

            if (identity.Groups is { } groups)
            {
                command.Add(groups.Count == 0 ? "--clear-groups" : "--groups=" + string.Join(',', groups));
            }

            command.Add("--");
        }

        if (identity.Umask is { } umask)
        {
            command.AddRange(["/bin/sh", "-c", $"umask {Convert.ToString(umask, 8)}; exec \"$@\"", "sh"]);
        }

        if (program.EndsWith(".dll", StringComparison.OrdinalIgnoreCase))
        {
            command.Add(Environment.ProcessPath is { } host && Path.GetFileNameWithoutExtension(host) == "dotnet" ? host : "dotnet");
        }

        command.Add(program);
        command.AddRange(arguments);

        var start = new ProcessStartInfo(command[0])
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string argument in command.Skip(1))
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["DOTNET_NOLOGO"] = "1";
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        Process process;
        try
        {
            process = Process.Start(start) ?? throw new InvalidOperationException($"the peer '{command[0]}' did not start");
        }
        catch (Win32Exception ex)
        {
            throw new InvalidOperationException($"the peer '{command[0]}' could not be started: {ex.Message}", ex);
        }

        var peer = new ConformancePeer(process);
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                lock (peer._errors)
                {
                    peer._errors.AppendLine(e.Data);
                }
            }
        };
        process.BeginErrorReadLine();
        string ready = peer.ReadLine();
        if (ready != "ready")
        {
            peer.Dispose();
            throw new InvalidOperationException($"the peer did not start: '{ready}' {peer.Errors}");
        }

        return peer;
    }

    /// <summary>What the peer wrote to its standard error so far.</summary>
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

    /// <summary>Sends one request and returns the peer's answer after <c>ok</c>; an <c>err N</c> answer throws <see cref="RsmException"/> with error N.</summary>
    /// <param name="request">The request line (see <see cref="ConformancePeerHost"/>).</param>
    /// <returns>The rest of the <c>ok</c> line.</returns>
    public string Call(string request)
    {
        ArgumentNullException.ThrowIfNull(request);
        _process.StandardInput.WriteLine(request);
        _process.StandardInput.Flush();
        string reply = ReadLine();
        if (reply.StartsWith("ok", StringComparison.Ordinal))
        {
            return reply.Length > 2 ? reply[3..] : string.Empty;
        }

        if (reply.StartsWith("err ", StringComparison.Ordinal))
        {
            var error = (RsmError)int.Parse(reply[4..].Split(' ')[0], CultureInfo.InvariantCulture);
            throw new RsmException(error, $"the peer answered {reply} to '{request}'");
        }

        throw new InvalidOperationException($"the peer answered '{reply}' to '{request}'. {Errors}");
    }

    /// <summary>The outcome of a request: <see cref="RsmError.Success"/> or the peer's error.</summary>
    /// <param name="request">The request line.</param>
    /// <returns>The outcome.</returns>
    public RsmError Outcome(string request)
    {
        try
        {
            _ = Call(request);
            return RsmError.Success;
        }
        catch (RsmException ex)
        {
            return ex.Error;
        }
    }

    /// <summary>Kills the peer with SIGKILL and waits (bounded) until it is gone.</summary>
    public void Kill()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }

        if (!_process.WaitForExit(s_replyLimit))
        {
            throw new TimeoutException($"peer {ProcessId} did not exit within {s_replyLimit}");
        }
    }

    /// <summary>Asks the peer to exit normally and waits (bounded).</summary>
    public void Exit()
    {
        _process.StandardInput.WriteLine("exit");
        _process.StandardInput.Flush();
        if (!_process.WaitForExit(s_replyLimit))
        {
            Kill();
        }
    }

    /// <summary>Asks the peer to end at once without closing anything (<c>die</c>), as a crashing process would, and waits (bounded).</summary>
    public void ExitWithoutCleanup()
    {
        _process.StandardInput.WriteLine("die");
        _process.StandardInput.Flush();
        if (!_process.WaitForExit(s_replyLimit))
        {
            Kill();
        }
    }

    /// <summary>Kills the peer if it still runs.</summary>
    public void Dispose()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                _ = _process.WaitForExit(s_replyLimit);
            }
        }
        catch (InvalidOperationException)
        {
        }

        _process.Dispose();
    }

    private static readonly Lock s_copyGate = new();
    private static string? s_copyDirectory;

    /// <summary>
    /// A peer under another uid may not be able to read the test's build output (for example under /root): it runs a
    /// world-readable copy of the program's directory in the temporary directory, removed when the test process exits.
    /// </summary>
    private static string ReadableCopy(string program)
    {
        lock (s_copyGate)
        {
            if (s_copyDirectory is null)
            {
                string source = Path.GetDirectoryName(Path.GetFullPath(program))!;
                string target = Directory.CreateTempSubdirectory("rsm-peer-").FullName;
                foreach (string file in Directory.EnumerateFiles(source, "*", SearchOption.AllDirectories))
                {
                    string destination = Path.Combine(target, Path.GetRelativePath(source, file));
                    Directory.CreateDirectory(Path.GetDirectoryName(destination)!);
                    File.Copy(file, destination);
                }

                foreach (string directory in Directory.EnumerateDirectories(target, "*", SearchOption.AllDirectories).Append(target))
                {
                    if (!OperatingSystem.IsWindows())
                    {
                        File.SetUnixFileMode(directory, (UnixFileMode)0x1ED);
                    }
                }

                AppDomain.CurrentDomain.ProcessExit += (_, _) => Directory.Delete(target, recursive: true);
                s_copyDirectory = target;
            }

            return Path.Combine(s_copyDirectory, Path.GetFileName(program));
        }
    }

    private string ReadLine()
    {
        Task<string?> line = _process.StandardOutput.ReadLineAsync();
        if (!line.Wait(s_replyLimit))
        {
            throw new TimeoutException($"peer {ProcessId} did not answer within {s_replyLimit}. {Errors}");
        }

        return line.Result ?? throw new InvalidOperationException($"peer {ProcessId} ended its output. {Errors}");
    }
}
