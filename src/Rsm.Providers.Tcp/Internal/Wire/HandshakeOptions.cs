using Microsoft.Extensions.Logging;

namespace Rsm.Providers.Tcp.Internal.Wire;

/// <summary>
/// What a <see cref="TcpFrameConnection"/> needs to authenticate its peer and to run: the local identity, the cluster key,
/// the TLS settings if any, the limits, and the keep-alive schedule.
/// </summary>
internal sealed record HandshakeOptions
{
    /// <summary>The default of <see cref="MaxFrameSize"/>: 1 MiB of data plus room for a message's fixed fields.</summary>
    public const int DefaultMaxFrameSize = (1 << 20) + 64;

    /// <summary>The node id this side proves.</summary>
    public required uint LocalNodeId { get; init; }

    /// <summary>The key shared by every node of the cluster, at least <see cref="ClusterKey.MinimumLength"/> bytes.</summary>
    public required byte[] ClusterKey { get; init; }

    /// <summary>The node id the dialer wants to reach; the connection fails unless the acceptor proves this id. Ignored when accepting.</summary>
    public uint ExpectedPeerNodeId { get; init; }

    /// <summary>How long dialing and the whole handshake may take. Default 5 seconds.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>The largest payload (bytes after the header) a frame may carry in either direction. Default <see cref="DefaultMaxFrameSize"/>.</summary>
    public int MaxFrameSize { get; init; } = DefaultMaxFrameSize;

    /// <summary>After this long without sending anything the connection sends a Ping. <see cref="TimeSpan.Zero"/> (the default) sends none.</summary>
    public TimeSpan KeepAliveInterval { get; init; } = TimeSpan.Zero;

    /// <summary>After this long without receiving anything the connection is closed. <see cref="TimeSpan.Zero"/> (the default) waits forever.</summary>
    public TimeSpan SilenceLimit { get; init; } = TimeSpan.Zero;

    /// <summary>The bytes the send queue holds at most before a data frame waits for room (see <see cref="TcpProviderOptions.SendQueueLimit"/>). Default 8 MiB.</summary>
    public int SendQueueLimit { get; init; } = 8 << 20;

    /// <summary>The longest queued frames may wait without the peer taking any byte before the connection is closed. <see cref="TimeSpan.Zero"/> waits forever. Default 10 seconds.</summary>
    public TimeSpan SendTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// TLS under the frames: when set, each connection opens a mutually authenticated TLS session before the cluster-key
    /// handshake, and the node id a peer proves must be the one its certificate is mapped to. Null (the default): no TLS.
    /// </summary>
    public TlsSettings? Tls { get; init; }

    /// <summary>
    /// Judges a dialer once it has proved the cluster key (accepting only): <see cref="AdmissionRefusal.None"/> admits it,
    /// anything else refuses it with an <see cref="Opcode.Refused"/> frame. It receives the connection, not yet started,
    /// with <see cref="TcpFrameConnection.PeerNodeId"/> set; an admission that holds something for the connection
    /// releases it when <see cref="TcpFrameConnection.Completion"/> completes (also when the handshake fails after
    /// admission). It runs on the handshake's thread and must not block. Null (the default) admits every dialer.
    /// </summary>
    public Func<TcpFrameConnection, AdmissionRefusal>? Admit { get; init; }

    /// <summary>The highest node id the acceptor admits, for the text of a refusal. Default 64.</summary>
    public uint MaxNodeId { get; init; } = 64;

    /// <summary>Where handshake failures and closed connections are logged; none by default.</summary>
    public ILogger? Logger { get; init; }

    /// <summary>Where handshakes, open connections, their ends and dropped peers are counted (<c>rsm.tcp.*</c>); none by default.</summary>
    public TcpMetrics? Metrics { get; init; }

    /// <summary>Checks the values before any socket work.</summary>
    /// <exception cref="ArgumentException">A value is out of range.</exception>
    public void Validate()
    {
        ArgumentNullException.ThrowIfNull(ClusterKey);
        if (ClusterKey.Length < Wire.ClusterKey.MinimumLength)
        {
            throw new ArgumentException($"The cluster key has {ClusterKey.Length} bytes; at least {Wire.ClusterKey.MinimumLength} are required.", nameof(ClusterKey));
        }

        if (Timeout <= TimeSpan.Zero && Timeout != System.Threading.Timeout.InfiniteTimeSpan)
        {
            throw new ArgumentOutOfRangeException(nameof(Timeout), Timeout, "The handshake timeout must be positive or infinite.");
        }

        if (MaxFrameSize < Handshake.MaxMessageSize)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxFrameSize), MaxFrameSize, $"The maximum frame size must be at least {Handshake.MaxMessageSize} bytes.");
        }

        if (KeepAliveInterval < TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(KeepAliveInterval), KeepAliveInterval, "The keep-alive interval must not be negative.");
        }

        if (SilenceLimit < TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(SilenceLimit), SilenceLimit, "The silence limit must not be negative.");
        }
    }
}
