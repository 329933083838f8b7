using System.Globalization;

namespace Rsm.Demo;

/// <summary>
/// The line protocol between the exporter and its importer process. The exporter drives: it writes one command per
/// line to the importer's standard input, <c>&lt;command&gt; &lt;step number&gt;</c>. The importer prints its step
/// lines on standard output, which the exporter relays, and ends each command with one reply line that starts with
/// <see cref="ReplyMarker"/>: <see cref="Ready"/> once its controller is open, <see cref="Done"/> after a command,
/// or <see cref="Failed"/> with the reason.
/// </summary>
internal static class ImporterProtocol
{
    public const string RoleSwitch = "--role";
    public const string ImporterRole = "importer";
    public const string NodeSwitch = "--node";
    public const string SegmentSwitch = "--segment";

    public const string ReplyMarker = "@rsm-demo ";
    public const string Ready = "ready";
    public const string Done = "done";
    public const string Failed = "failed";

    public const string Connect = "connect";
    public const string InitBarrier = "init-barrier";
    public const string PutGet = "put-get";
    public const string Map = "map";
    public const string CheckRebound = "check-rebound";
    public const string Post = "post";
    public const string GetAborted = "get-aborted";
    public const string Release = "release";
    public const string Reconnect = "reconnect";
    public const string GetDestroyed = "get-destroyed";
    public const string Disconnect = "disconnect";
    public const string Exit = "exit";

    /// <summary>How long the exporter waits for any one answer, or for the importer to exit, before it kills it.</summary>
    public static readonly TimeSpan ReplyTimeout = TimeSpan.FromSeconds(30);

    /// <summary>The prefix of every line a process of the two-process demo prints.</summary>
    public static string LinePrefix(string role, int processId) => $"[{role} pid {processId}] ";

    public static string FormatSegmentId(uint segmentId) => $"0x{segmentId:x8}";

    /// <summary>Parses a segment id in hex with a leading <c>0x</c>, or in decimal.</summary>
    public static bool TryParseSegmentId(string? text, out uint segmentId)
    {
        segmentId = 0;
        if (string.IsNullOrEmpty(text))
        {
            return false;
        }

        return text.StartsWith("0x", StringComparison.OrdinalIgnoreCase)
            ? uint.TryParse(text.AsSpan(2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out segmentId)
            : uint.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out segmentId);
    }
}
