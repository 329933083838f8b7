using System.Globalization;

namespace Rsm.HostedNode;

/// <summary>What this node does: the <c>HostedNode</c> section of the configuration.</summary>
internal sealed class HostedNodeOptions
{
    public const string SectionName = "HostedNode";

    /// <summary><c>Exporter</c>, <c>Importer</c>, or <c>Both</c> (one process that exports and imports, as on Loopback).</summary>
    public NodeRole Role { get; set; } = NodeRole.Exporter;

    /// <summary>The name of the controller of <c>Rsm:Controllers</c> to work on.</summary>
    public string Controller { get; set; } = "shm0";

    /// <summary>The segment id the exporter publishes under and the importer connects to: decimal, or hexadecimal with <c>0x</c>.</summary>
    public string SegmentId { get; set; } = "0x00400100";

    /// <summary>The exporter's segment size in bytes, rounded up to whole pages.</summary>
    public int SegmentSize { get; set; } = 4096;

    /// <summary>The exporter's access list: node id to octal permission (<c>"2": "0444"</c>). With <see cref="NodeRole.Both"/> the list is the process's own node, read-only.</summary>
    public Dictionary<string, string> Access { get; set; } = [];

    /// <summary>The node the importer connects to.</summary>
    public uint ExporterNode { get; set; } = 1;

    /// <summary>How often the exporter rewrites its segment and the importer reads it.</summary>
    public TimeSpan Interval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>How long the importer waits before it tries to connect again.</summary>
    public TimeSpan RetryInterval { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>How many bytes the importer reads from the start of the segment each time.</summary>
    public int ReadLength { get; set; } = 128;

    /// <summary>How often the health checks run (their status is logged when it changes).</summary>
    public TimeSpan HealthInterval { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Whether each measurement of the <c>Rsm</c> meter is also written to the console.</summary>
    public bool ConsoleMetrics { get; set; }

    /// <summary>The parsed <see cref="SegmentId"/>.</summary>
    public uint ParsedSegmentId =>
        TryParseSegmentId(SegmentId, out uint id)
            ? id
            : throw new InvalidOperationException($"{SectionName}:SegmentId: '{SegmentId}' is not a segment id (decimal, or hexadecimal with 0x)");

    public static bool TryParseSegmentId(string? text, out uint id)
    {
        id = 0;
        if (string.IsNullOrWhiteSpace(text))
        {
            return false;
        }

        text = text.Trim();
        return text.StartsWith("0x", StringComparison.OrdinalIgnoreCase)
            ? uint.TryParse(text.AsSpan(2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out id)
            : uint.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out id);
    }

    /// <summary>What is wrong with these options, each naming its configuration key; empty when they are valid.</summary>
    public IEnumerable<string> Problems()
    {
        if (string.IsNullOrWhiteSpace(Controller))
        {
            yield return $"{SectionName}:Controller is empty; name a controller of Rsm:Controllers";
        }

        if (!TryParseSegmentId(SegmentId, out _))
        {
            yield return $"{SectionName}:SegmentId: '{SegmentId}' is not a segment id (decimal, or hexadecimal with 0x)";
        }

        if (SegmentSize <= 0)
        {
            yield return $"{SectionName}:SegmentSize: {SegmentSize} must be positive";
        }

        if (ReadLength <= 0)
        {
            yield return $"{SectionName}:ReadLength: {ReadLength} must be positive";
        }

        if (Interval <= TimeSpan.Zero)
        {
            yield return $"{SectionName}:Interval: {Interval} must be positive";
        }

        if (HealthInterval <= TimeSpan.Zero)
        {
            yield return $"{SectionName}:HealthInterval: {HealthInterval} must be positive";
        }

        if (RetryInterval <= TimeSpan.Zero)
        {
            yield return $"{SectionName}:RetryInterval: {RetryInterval} must be positive";
        }

        foreach ((string node, string mode) in Access)
        {
            if (!uint.TryParse(node, NumberStyles.None, CultureInfo.InvariantCulture, out _))
            {
                yield return $"{SectionName}:Access:{node}: '{node}' is not a node id";
            }

            string? problem = null;
            try
            {
                _ = RsmAccessEntry.FromOctal(0, mode);
            }
            catch (FormatException ex)
            {
                problem = ex.Message;
            }

            if (problem is not null)
            {
                yield return $"{SectionName}:Access:{node}: {problem}";
            }
        }
    }

    /// <summary>The access list the exporter publishes with.</summary>
    public RsmAccessEntry[] AccessList() =>
        [.. Access.Select(a => RsmAccessEntry.FromOctal(uint.Parse(a.Key, NumberStyles.None, CultureInfo.InvariantCulture), a.Value))];
}

/// <summary>The roles a hosted node plays.</summary>
internal enum NodeRole
{
    Exporter,
    Importer,
    Both,
}
