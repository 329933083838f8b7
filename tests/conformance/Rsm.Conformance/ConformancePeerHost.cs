using System.Globalization;

namespace Rsm.Conformance;

/// <summary>
/// The main loop of a peer program. A provider's peer is a console program whose <c>Main</c> calls
/// <see cref="Run"/> with a way to open its controller; the suite starts it through
/// <see cref="RsmConformanceHarness.StartPeer"/>.
/// </summary>
/// <remarks>
/// Requests, one per line; numbers are decimal except segment ids, data (hex) and permissions (octal). Handles are
/// <c>eN</c> for exports and <c>iN</c> for imports. Answers: <c>ok [value]</c>, <c>err N message</c> for an
/// <see cref="RsmException"/>, <c>fail message</c> otherwise.
/// <list type="bullet">
/// <item><c>export PAGES [FLAGS]</c>, <c>publish E ID [NODE:PERM ...]</c>, <c>republish E [NODE:PERM ...]</c>, <c>unpublish E</c>, <c>destroy E</c></item>
/// <item><c>connect NODE ID PERM</c>, <c>map I PERM</c>, <c>unmap I</c>, <c>disconnect I</c>, <c>get I OFFSET COUNT</c>, <c>put I OFFSET HEX</c></item>
/// <item><c>read H OFFSET COUNT</c> and <c>write H OFFSET HEX</c>: an export's own memory, or an import's mapping, without get or put</item>
/// <item><c>add I OFFSET COUNT</c>: COUNT lock-operation increments (FetchAdd64) of the word at OFFSET</item>
/// <item><c>barrier I open|order|close</c>: a step of the barrier initialised at connect</item>
/// <item><c>post H</c>, <c>wait H MILLISECONDS</c>, <c>pid</c>, <c>die</c> (exit without cleanup), <c>exit</c></item>
/// </list>
/// </remarks>
public static class ConformancePeerHost
{
    /// <summary>Serves requests from <paramref name="input"/> until it ends or says <c>exit</c>.</summary>
    /// <param name="args">The controller settings as <c>key=value</c>.</param>
    /// <param name="openController">Opens the peer's controller from those settings.</param>
    /// <param name="input">The requests.</param>
    /// <param name="output">The answers.</param>
    /// <returns>The exit code: 0.</returns>
    public static int Run(string[] args, Func<IReadOnlyDictionary<string, string?>, IRsmController> openController, TextReader input, TextWriter output)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(openController);
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(output);
        var settings = new Dictionary<string, string?>();
        foreach (string arg in args)
        {
            int eq = arg.IndexOf('=', StringComparison.Ordinal);
            if (eq > 0)
            {
                settings[arg[..eq]] = arg[(eq + 1)..];
            }
        }

        using IRsmController controller = openController(settings);
        var session = new Session(controller);
        try
        {
            output.WriteLine("ready");
            output.Flush();
            while (input.ReadLine() is { } line && line != "exit")
            {
                output.WriteLine(session.Answer(line));
                output.Flush();
            }
        }
        finally
        {
            session.Dispose();
        }

        return 0;
    }

    private sealed class Session(IRsmController controller) : IDisposable
    {
        private readonly Dictionary<string, (IExportSegment Segment, RsmPageMemory Memory)> _exports = [];
        private readonly Dictionary<string, IImportSegment> _imports = [];
        private readonly Dictionary<string, RsmBarrier> _barriers = [];

        public string Answer(string line)
        {
            string[] w = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            try
            {
                return "ok" + Execute(w) switch
                {
                    null or "" => string.Empty,
                    string value => " " + value,
                };
            }
            catch (RsmException ex)
            {
                return string.Create(CultureInfo.InvariantCulture, $"err {(int)ex.Error} {ex.Message.ReplaceLineEndings(" ")}");
            }
            catch (Exception ex) when (ex is FormatException or KeyNotFoundException or IndexOutOfRangeException or ArgumentException or InvalidOperationException)
            {
                return "fail " + ex.Message.ReplaceLineEndings(" ");
            }
        }

        public void Dispose()
        {
            foreach (IImportSegment import in _imports.Values)
            {
                import.Dispose();
            }

            foreach ((IExportSegment segment, RsmPageMemory memory) in _exports.Values)
            {
                segment.Dispose();
                memory.Dispose();
            }
        }

        private string? Execute(string[] w)
        {
            switch (w[0])
            {
                case "die":
                    // Ends the process at once, without closing anything: the kernel releases what it held.
                    Environment.Exit(3);
                    return null;
                case "pid":
                    return Environment.ProcessId.ToString(CultureInfo.InvariantCulture);
                case "export":
                {
                    RsmPageMemory memory = RsmPageMemory.Allocate((nuint)Number(w[1]) * RsmPageMemory.PageSize);
                    try
                    {
                        var flags = (ExportFlags)(w.Length > 2 ? Number(w[2]) : 0);
                        IExportSegment segment = controller.CreateExportSegment(memory.Address, memory.Length, flags);
                        string handle = "e" + (_exports.Count + 1).ToString(CultureInfo.InvariantCulture);
                        _exports.Add(handle, (segment, memory));
                        return handle;
                    }
                    catch
                    {
                        memory.Dispose();
                        throw;
                    }
                }

                case "publish":
                    return _exports[w[1]].Segment.Publish(Hex(w[2]), AccessList(w.Skip(3))).ToString("x", CultureInfo.InvariantCulture);

                case "republish":
                    _exports[w[1]].Segment.Republish(AccessList(w.Skip(2)));
                    return null;
                case "unpublish":
                    _exports[w[1]].Segment.Unpublish();
                    return null;
                case "destroy":
                    _exports[w[1]].Segment.Destroy();
                    return null;
                case "connect":
                {
                    IImportSegment import = controller.Connect(uint.Parse(w[1], CultureInfo.InvariantCulture), Hex(w[2]), (RsmPermissions)Convert.ToUInt32(w[3], 8));
                    string handle = "i" + (_imports.Count + 1).ToString(CultureInfo.InvariantCulture);
                    _imports.Add(handle, import);
                    _barriers.Add(handle, import.InitBarrier());
                    return handle;
                }

                case "map":
                    _ = _imports[w[1]].Map((RsmPermissions)Convert.ToUInt32(w[2], 8), 0, _imports[w[1]].Length);
                    return null;
                case "unmap":
                    _imports[w[1]].Unmap();
                    return null;
                case "disconnect":
                    _imports[w[1]].Disconnect();
                    return null;
                case "get":
                {
                    byte[] data = new byte[Number(w[3])];
                    _imports[w[1]].Get(Number(w[2]), data);
                    return Convert.ToHexString(data);
                }

                case "put":
                    _imports[w[1]].Put(Number(w[2]), Convert.FromHexString(w[3]));
                    return null;
                case "add":
                {
                    IImportSegment import = _imports[w[1]];
                    for (int n = Number(w[3]); n > 0; n--)
                    {
                        _ = import.FetchAdd64(Number(w[2]), 1);
                    }

                    return null;
                }

                case "read":
                    return Convert.ToHexString(Memory(w[1]).Slice(Number(w[2]), Number(w[3])));
                case "write":
                    Convert.FromHexString(w[3]).CopyTo(Memory(w[1])[Number(w[2])..]);
                    return null;
                case "barrier":
                {
                    RsmBarrier barrier = _barriers[w[1]];
                    Action step = w[2] switch
                    {
                        "open" => barrier.Open,
                        "order" => barrier.Order,
                        "close" => barrier.Close,
                        _ => throw new InvalidOperationException($"unknown barrier step '{w[2]}'"),
                    };
                    step();
                    return null;
                }

                case "post":
                    Segment(w[1]).SignalPost();
                    return null;
                case "wait":
                    Segment(w[1]).SignalWait(Number(w[2]));
                    return null;
                default:
                    throw new InvalidOperationException($"unknown request '{w[0]}'");
            }
        }

        private static RsmAccessEntry[] AccessList(IEnumerable<string> entries) => [.. entries.Select(static entry =>
        {
            string[] parts = entry.Split(':');
            return new RsmAccessEntry(uint.Parse(parts[0], CultureInfo.InvariantCulture), Convert.ToUInt32(parts[1], 8));
        })];

        private static int Number(string text) => int.Parse(text, CultureInfo.InvariantCulture);

        private static uint Hex(string text) => uint.Parse(text, NumberStyles.HexNumber, CultureInfo.InvariantCulture);

        private IRsmSegment Segment(string handle) => handle[0] == 'e' ? _exports[handle].Segment : _imports[handle];

        private Span<byte> Memory(string handle)
        {
            if (handle[0] == 'e')
            {
                return _exports[handle].Memory.GetSpan();
            }

            IRsmMapping mapping = _imports[handle].Mapping ?? throw new InvalidOperationException($"import {handle} is not mapped");
            return mapping.GetSpan();
        }
    }
}
