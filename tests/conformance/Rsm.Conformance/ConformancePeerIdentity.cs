namespace Rsm.Conformance;

/// <summary>Who a peer process runs as. Null members keep the test process's value.</summary>
public sealed record ConformancePeerIdentity
{
    /// <summary>The test process's own identity.</summary>
    public static ConformancePeerIdentity Same { get; } = new();

    /// <summary>The peer's uid (switching needs uid 0 and <c>setpriv</c>).</summary>
    public uint? Uid { get; init; }

    /// <summary>The peer's primary gid.</summary>
    public uint? Gid { get; init; }

    /// <summary>The peer's supplementary groups; empty clears them.</summary>
    public IReadOnlyList<uint>? Groups { get; init; }

    /// <summary>The peer's umask, which gives the default mode of the segments it exports.</summary>
    public uint? Umask { get; init; }

    /// <summary>A network namespace (<c>ip netns</c>) the peer runs in, as a node on another host would; needs uid 0.</summary>
    public string? NetworkNamespace { get; init; }

    /// <summary>
    /// Mount options of a <c>/proc</c> of the peer's own (for example <c>hidepid=2</c>): the peer runs in a private mount
    /// namespace (<c>unshare</c>) where <c>/proc</c> is mounted again with them, so it sees other processes as a host that
    /// hides them would show them; needs uid 0.
    /// </summary>
    public string? ProcMountOptions { get; init; }

    /// <summary>Whether the peer runs under another uid, gid or group list than the test process.</summary>
    public bool ChangesCredentials => Uid is not null || Gid is not null || Groups is not null;
}
