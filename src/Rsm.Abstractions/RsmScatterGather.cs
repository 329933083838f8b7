namespace Rsm;

/// <summary>A scatter/gather request (<c>rsm_scat_gath_t</c>) for <see cref="IImportSegment.GetV"/> and <see cref="IImportSegment.PutV"/>.</summary>
public sealed class RsmScatterGather
{
    /// <summary>The maximum number of elements (<c>RSM_MAX_SGIOREQS</c>, 16).</summary>
    public const int MaxRequests = 16;

    /// <summary>The local node id (informational, as in C).</summary>
    public uint LocalNodeId { get; set; }

    /// <summary>The elements.</summary>
    public IList<RsmIoVector> Vectors { get; init; } = new List<RsmIoVector>();

    /// <summary>How many of <see cref="Vectors"/> to run (<c>io_request_count</c>); <see langword="null"/> means all of them.</summary>
    public int? RequestCount { get; set; }

    /// <summary>Elements left undone after the call (<c>io_residual_count</c>); 0 after success.</summary>
    public int ResidualCount { get; set; }

    /// <summary>Flags; the call leaves the value as the caller set it.</summary>
    public RsmScatterGatherFlags Flags { get; set; }
}
