namespace Rsm.Engine;

/// <summary>How well a transport serves its controller, from best to worst the reverse of the enum order (as in health-check libraries).</summary>
public enum RsmHealthStatus
{
    /// <summary>The transport cannot serve: its listener or its transport failed.</summary>
    Unhealthy = 0,

    /// <summary>The transport serves, but part of what it reaches does not answer (a node of its directory is unreachable or silent).</summary>
    Degraded = 1,

    /// <summary>The transport serves.</summary>
    Healthy = 2,
}

/// <summary>
/// A transport's report on its own health (<see cref="RsmTransport.CheckHealth"/>): a status, a sentence a person can
/// act on, and facts as key/value pairs (for example the listen endpoint, each directory node's state).
/// </summary>
public sealed class RsmTransportHealth
{
    private static readonly IReadOnlyDictionary<string, object> s_noData = new Dictionary<string, object>();

    /// <summary>Creates a report.</summary>
    /// <param name="status">The status.</param>
    /// <param name="description">What is wrong, or what is right.</param>
    /// <param name="data">Facts behind the status, or null for none.</param>
    /// <param name="failure">The exception behind an Unhealthy or Degraded status, or null.</param>
    public RsmTransportHealth(RsmHealthStatus status, string description, IReadOnlyDictionary<string, object>? data = null, Exception? failure = null)
    {
        ArgumentNullException.ThrowIfNull(description);
        if (!Enum.IsDefined(status))
        {
            throw new ArgumentOutOfRangeException(nameof(status), status, "not a health status");
        }

        Status = status;
        Description = description;
        Data = data ?? s_noData;
        Failure = failure;
    }

    /// <summary>A transport with nothing to report beyond serving.</summary>
    public static RsmTransportHealth Serving { get; } = new(RsmHealthStatus.Healthy, "serving");

    /// <summary>The status.</summary>
    public RsmHealthStatus Status { get; }

    /// <summary>What is wrong, or what is right.</summary>
    public string Description { get; }

    /// <summary>Facts behind the status.</summary>
    public IReadOnlyDictionary<string, object> Data { get; }

    /// <summary>The exception behind the status, or null.</summary>
    public Exception? Failure { get; }
}
