using Microsoft.Extensions.Options;

namespace Rsm.Engine;

/// <summary>The limits every engine-based provider configures, their validation and the attributes they give.</summary>
/// <param name="NodeId">The local node id.</param>
/// <param name="MaxExportSegmentSize">The largest export segment.</param>
/// <param name="TotalExportSegmentSize">The node's exported-bytes quota.</param>
/// <param name="MaxExportSegments">The export segments the node holds at once.</param>
/// <param name="MaxImportSegments">The import segments the node holds at once.</param>
/// <param name="MaxNodes">The largest node id an access list may name.</param>
/// <param name="SegmentIdRangeFile">The segment-id range file.</param>
public readonly record struct EngineLimits(
    uint NodeId,
    ulong MaxExportSegmentSize,
    ulong TotalExportSegmentSize,
    ulong MaxExportSegments,
    ulong MaxImportSegments,
    uint MaxNodes,
    string SegmentIdRangeFile)
{
    /// <summary>Lists what is wrong with the limits, each message naming its configuration path.</summary>
    /// <param name="path">The configuration path of the provider's options, for example <c>Rsm:Controllers:shm0</c>.</param>
    /// <returns>The failures; empty when the limits are valid.</returns>
    public List<string> Check(string path)
    {
        ulong page = (ulong)Environment.SystemPageSize;
        var failures = new List<string>();
        if (NodeId > MaxNodes)
        {
            failures.Add($"{path}:NodeId: {NodeId} exceeds MaxNodes ({MaxNodes}).");
        }

        if (MaxExportSegmentSize == 0 || MaxExportSegmentSize % page != 0)
        {
            failures.Add($"{path}:MaxExportSegmentSize: {MaxExportSegmentSize} must be a non-zero multiple of the page size {page}.");
        }

        if (TotalExportSegmentSize == 0)
        {
            failures.Add($"{path}:TotalExportSegmentSize: must not be zero.");
        }

        if (MaxExportSegments == 0)
        {
            failures.Add($"{path}:MaxExportSegments: must not be zero.");
        }

        if (string.IsNullOrWhiteSpace(SegmentIdRangeFile))
        {
            failures.Add($"{path}:SegmentIdRangeFile: must name a file.");
        }

        return failures;
    }

    /// <summary>Throws <see cref="OptionsValidationException"/> for <typeparamref name="TOptions"/> when <paramref name="failures"/> is not empty.</summary>
    /// <typeparam name="TOptions">The options type the failures belong to.</typeparam>
    /// <param name="path">The configuration path.</param>
    /// <param name="failures">The failures found.</param>
    /// <exception cref="OptionsValidationException">There is at least one.</exception>
    public static void ThrowIfAny<TOptions>(string path, List<string> failures)
    {
        if (failures.Count > 0)
        {
            throw new OptionsValidationException(path, typeof(TOptions), failures);
        }
    }

    /// <summary>The controller attributes these limits give on this machine.</summary>
    /// <param name="capabilities">What the transport can do.</param>
    /// <returns>The attributes a controller reports (DECISIONS D1).</returns>
    public RsmControllerAttributes ToAttributes(RsmCapabilities capabilities) => new()
    {
        DirectAccessSizes = 0x0F,
        AtomicSizes = 0x0C,
        PageSize = (nuint)Environment.SystemPageSize,
        MaxExportSegmentSize = (nuint)MaxExportSegmentSize,
        TotalExportSegmentSize = (nuint)TotalExportSegmentSize,
        MaxExportSegments = MaxExportSegments,
        MaxImportMapSize = (nuint)MaxExportSegmentSize,
        TotalImportMapSize = (nuint)TotalExportSegmentSize,
        MaxImportSegments = MaxImportSegments,
        MaxNodes = MaxNodes,
        Capabilities = capabilities,
    };
}
