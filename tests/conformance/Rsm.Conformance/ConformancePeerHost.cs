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
/// <item><c>add I OFFSET COUNT [WIDTH [ADDEND]]</c>: COUNT lock-operation additions (FetchAdd64, or FetchAdd32 for WIDTH 32) of ADDEND (default 1) to the word at OFFSET</item>
/// <item><c>casadd I OFFSET COUNT [WIDTH]</c>: COUNT increments of the word at OFFSET, each a CompareExchange64 (or CompareExchange32) loop</item>
/// <item><c>barrier I open|order|close</c>: a step of the barrier initialised at connect; <c>mode I 0|1</c>: set the barrier mode (Explicit 0, Implicit 1)</item>
/// <item><c>fill I FORM OFFSET COUNT SEED</c>: put COUNT bytes of pattern SEED at OFFSET; <c>sha I FORM OFFSET COUNT</c>: get COUNT bytes
/// at OFFSET and answer their SHA-256 (hex).
/// FORM is <c>put</c>, <c>8</c>, <c>16</c>, <c>32</c>, <c>64</c> (sized forms) or <c>v</c> (getv/putv); the patterns are those of the Concurrency area.</item>
/// <item><c>words I OFFSET COUNT WRITER MILLISECONDS</c>: put64 of COUNT words of WRITER's word pattern at OFFSET, again and again for
/// MILLISECONDS (at least once), each put between an open and a close barrier in Explicit mode; answers the number of puts</item>
/// <item><c>post H</c>, <c>wait H MILLISECONDS</c>, <c>posts H COUNT</c>, <c>waits H COUNT MILLISECONDS</c> (COUNT waits, each bounded),
/// <c>pid</c>, <c>die</c> (exit without cleanup), <c>exit</c></item>
/// <item><c>procgroups PID</c>: the supplementary groups that <c>/proc/PID/status</c> shows this peer (comma-separated, possibly
/// empty), or <c>hidden</c> when the peer cannot read it; a provider must not rely on that lookup (DECISIONS F5)</item>
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
        private RsmPageMemory? _scratch;
        private RsmLocalMemoryHandle? _scratchHandle;

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

            ReleaseScratch();
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
                case "procgroups":
                    return ProcGroups(Number(w[1]));
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
                    bool narrow = w.Length > 4 && Number(w[4]) == 32;
                    ulong addend = w.Length > 5 ? ulong.Parse(w[5], CultureInfo.InvariantCulture) : 1;
                    for (int n = Number(w[3]); n > 0; n--)
                    {
                        _ = narrow ? import.FetchAdd32(Number(w[2]), (uint)addend) : import.FetchAdd64(Number(w[2]), addend);
                    }

                    return null;
                }

                case "casadd":
                {
                    IImportSegment import = _imports[w[1]];
                    int offset = Number(w[2]);
                    bool narrow = w.Length > 4 && Number(w[4]) == 32;
                    for (int n = Number(w[3]); n > 0; n--)
                    {
                        if (narrow)
                        {
                            uint seen = import.CompareExchange32(offset, 0, 0);
                            while (import.CompareExchange32(offset, seen + 1, seen) is var old && old != seen)
                            {
                                seen = old;
                            }
                        }
                        else
                        {
                            ulong seen = import.CompareExchange64(offset, 0, 0);
                            while (import.CompareExchange64(offset, seen + 1, seen) is var old && old != seen)
                            {
                                seen = old;
                            }
                        }
                    }

                    return null;
                }

                case "mode":
                    _imports[w[1]].SetMode((RsmBarrierMode)Number(w[2]));
                    return null;
                case "fill":
                {
                    int count = Number(w[4]);
                    RsmPageMemory scratch = Scratch(count);
                    ConformanceTransfer.FillPattern(scratch.GetSpan()[..count], Number(w[3]), uint.Parse(w[5], CultureInfo.InvariantCulture));
                    ConformanceTransfer.Put(_imports[w[1]], ConformanceTransfer.Parse(w[2]), Number(w[3]), scratch, count, _scratchHandle);
                    return null;
                }

                case "sha":
                {
                    int count = Number(w[4]);
                    RsmPageMemory scratch = Scratch(count);
                    ConformanceTransfer.Get(_imports[w[1]], ConformanceTransfer.Parse(w[2]), Number(w[3]), scratch, count, _scratchHandle);
                    return Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(scratch.GetSpan()[..count]));
                }

                case "words":
                {
                    IImportSegment import = _imports[w[1]];
                    RsmBarrier barrier = _barriers[w[1]];
                    int offset = Number(w[2]);
                    int count = Number(w[3]);
                    Span<ulong> words = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, ulong>(Scratch(count * 8).GetSpan()[..(count * 8)]);
                    ConformanceTransfer.FillWords(words, offset / 8, Number(w[4]));
                    bool explicitMode = import.GetMode() == RsmBarrierMode.Explicit;
                    long deadline = Environment.TickCount64 + Number(w[5]);
                    int puts = 0;
                    do
                    {
                        if (explicitMode)
                        {
                            barrier.Open();
                        }

                        import.Put64(offset, words);
                        if (explicitMode)
                        {
                            barrier.Close();
                        }

                        puts++;
                    }
                    while (Environment.TickCount64 < deadline);
                    return puts.ToString(CultureInfo.InvariantCulture);
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
                case "posts":
                {
                    IRsmSegment segment = Segment(w[1]);
                    for (int n = Number(w[2]); n > 0; n--)
                    {
                        segment.SignalPost();
                    }

                    return null;
                }

                case "waits":
                {
                    IRsmSegment segment = Segment(w[1]);
                    for (int n = Number(w[2]); n > 0; n--)
                    {
                        segment.SignalWait(Number(w[3]));
                    }

                    return null;
                }
                default:
                    throw new InvalidOperationException($"unknown request '{w[0]}'");
            }
        }

        /// <summary>Page-aligned memory of at least <paramref name="count"/> bytes, with a local memory handle over it, kept for later requests.</summary>
        private RsmPageMemory Scratch(int count)
        {
            if (_scratch is null || (int)_scratch.Length < count)
            {
                ReleaseScratch();
                _scratch = RsmPageMemory.Allocate((nuint)Math.Max(count, 1));
                _scratchHandle = controller.CreateLocalMemoryHandle(_scratch.Address, _scratch.Length);
            }

            return _scratch;
        }

        private void ReleaseScratch()
        {
            if (_scratchHandle is not null)
            {
                controller.FreeLocalMemoryHandle(_scratchHandle);
                _scratchHandle = null;
            }

            _scratch?.Dispose();
            _scratch = null;
        }

        private static RsmAccessEntry[] AccessList(IEnumerable<string> entries) => [.. entries.Select(static entry =>
        {
            string[] parts = entry.Split(':');
            return new RsmAccessEntry(uint.Parse(parts[0], CultureInfo.InvariantCulture), Convert.ToUInt32(parts[1], 8));
        })];

        private static int Number(string text) => int.Parse(text, CultureInfo.InvariantCulture);

        private static string ProcGroups(int processId)
        {
            try
            {
                string? line = File.ReadLines(string.Create(CultureInfo.InvariantCulture, $"/proc/{processId}/status"))
                    .FirstOrDefault(static l => l.StartsWith("Groups:", StringComparison.Ordinal));
                return line is null ? "hidden" : string.Join(',', line["Groups:".Length..].Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries));
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                return "hidden";
            }
        }

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
