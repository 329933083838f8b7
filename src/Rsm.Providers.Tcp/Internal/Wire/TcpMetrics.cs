using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Runtime.CompilerServices;

namespace Rsm.Providers.Tcp.Internal.Wire;

/// <summary>
/// The Tcp provider's instruments (<c>rsm.tcp.*</c>) on the provider's <c>Rsm</c> meter, and the live connections whose
/// send queues <c>rsm.tcp.send.queued_bytes</c> observes. Every measurement carries the local node id
/// (<see cref="NodeIdTag"/>) and whether this side dialed or accepted (<see cref="RoleTag"/>). Nothing here runs per
/// frame: connections report their opening, their end and their handshake, and queued bytes are read when a collector asks.
/// </summary>
internal sealed class TcpMetrics
{
    /// <summary>Attribute: the local node id.</summary>
    public const string NodeIdTag = "rsm.node.id";

    /// <summary>Attribute: <see cref="Dialed"/> or <see cref="Accepted"/>.</summary>
    public const string RoleTag = "rsm.tcp.connection.role";

    /// <summary>Attribute of <c>rsm.tcp.peers.dropped</c>: why this side dropped the peer.</summary>
    public const string DropReasonTag = "rsm.tcp.drop.reason";

    /// <summary>Attribute: the class of a failure.</summary>
    public const string ErrorTypeTag = "error.type";

    /// <summary>The role of the side that dialed.</summary>
    public const string Dialed = "dialed";

    /// <summary>The role of the side that accepted.</summary>
    public const string Accepted = "accepted";

    /// <summary>Drop reason: the handshake did not complete in time.</summary>
    public const string HandshakeTimeoutReason = "HandshakeTimeout";

    /// <summary>Drop reason: a pending handshake made room for a newer connection.</summary>
    public const string HandshakeEvictedReason = "HandshakeEvicted";

    // Handshakes take a few round trips (and TLS); connections live from milliseconds to days.
    private static readonly double[] s_handshakeBuckets = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
    private static readonly double[] s_connectionBuckets = [0.01, 0.05, 0.1, 0.5, 1, 5, 10, 30, 60, 300, 900, 3600, 14400, 86400];

    private static readonly ConditionalWeakTable<Meter, TcpMetrics> s_byMeter = new();

    private readonly ConcurrentDictionary<TcpFrameConnection, byte> _live = new();

    /// <summary>Creates the instruments on <paramref name="meter"/>; the provider uses <see cref="For"/>, which creates them once per meter.</summary>
    public TcpMetrics(Meter meter)
    {
        ArgumentNullException.ThrowIfNull(meter);
        ActiveConnections = meter.CreateUpDownCounter<long>(
            "rsm.tcp.connection.active", unit: "{connection}", description: "Authenticated connections between nodes that are open.");
        ConnectionDuration = meter.CreateHistogram<double>(
            "rsm.tcp.connection.duration",
            unit: "s",
            description: "How long authenticated connections were open, from the end of their handshake to their close; dropped ones with error.type.",
            tags: null,
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = s_connectionBuckets });
        HandshakeDuration = meter.CreateHistogram<double>(
            "rsm.tcp.handshake.duration",
            unit: "s",
            description: "Duration of handshakes (TLS when configured, the cluster-key proof and the admission), failed ones with error.type.",
            tags: null,
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = s_handshakeBuckets });
        PeersDropped = meter.CreateCounter<long>(
            "rsm.tcp.peers.dropped", unit: "{peer}", description: "Connections this side ended because of what the peer did or failed to do, by rsm.tcp.drop.reason.");
        _ = meter.CreateObservableUpDownCounter(
            "rsm.tcp.send.queued_bytes", ObserveQueuedBytes, unit: "By", description: "Bytes queued for sending on open connections and not yet taken by the socket.");
    }

    public UpDownCounter<long> ActiveConnections { get; }

    public Histogram<double> ConnectionDuration { get; }

    public Histogram<double> HandshakeDuration { get; }

    public Counter<long> PeersDropped { get; }

    /// <summary>The Tcp instruments on <paramref name="meter"/>, created the first time.</summary>
    public static TcpMetrics For(Meter meter) => s_byMeter.GetValue(meter, static m => new TcpMetrics(m));

    /// <summary>
    /// The drop reason of a connection that closed with <paramref name="reason"/>, or null when this side did not drop
    /// the peer (an orderly close, a socket failure, a failure of this side's own).
    /// </summary>
    public static string? DropReason(ConnectionCloseReason reason) => reason switch
    {
        ConnectionCloseReason.SendTimeout => nameof(ConnectionCloseReason.SendTimeout),
        ConnectionCloseReason.SendQueueFull => nameof(ConnectionCloseReason.SendQueueFull),
        ConnectionCloseReason.SilenceLimit => nameof(ConnectionCloseReason.SilenceLimit),
        ConnectionCloseReason.IncompleteFrame => nameof(ConnectionCloseReason.IncompleteFrame),
        ConnectionCloseReason.ProtocolViolation => nameof(ConnectionCloseReason.ProtocolViolation),
        ConnectionCloseReason.FrameTooLarge => nameof(ConnectionCloseReason.FrameTooLarge),
        _ => null,
    };

    /// <summary>The drop reason of a handshake that failed with <paramref name="failure"/> on the side of <paramref name="isDialer"/>, or null.</summary>
    public static string? DropReason(HandshakeFailure failure, bool isDialer) => failure switch
    {
        HandshakeFailure.AuthenticationFailed => nameof(HandshakeFailure.AuthenticationFailed),
        HandshakeFailure.ProtocolViolation => nameof(HandshakeFailure.ProtocolViolation),
        HandshakeFailure.Timeout => HandshakeTimeoutReason,
        HandshakeFailure.Evicted => HandshakeEvictedReason,

        // A dialer the acceptor refused was dropped by the acceptor, not by itself.
        HandshakeFailure.Refused when !isDialer => nameof(HandshakeFailure.Refused),
        _ => null,
    };

    /// <summary>
    /// The <c>error.type</c> of a connection that closed with <paramref name="reason"/>: the reason's name when the
    /// connection was dropped or failed (as log event 113 reports it), null for an orderly close (event 112).
    /// </summary>
    public static string? ErrorType(ConnectionCloseReason reason) =>
        reason is ConnectionCloseReason.Local or ConnectionCloseReason.PeerGoodbye or ConnectionCloseReason.PeerClosed or ConnectionCloseReason.None
            ? null
            : reason.ToString();

    /// <summary>Records a handshake that ended after <paramref name="started"/>: a success, or a failure and the drop it may be.</summary>
    public void OnHandshake(uint localNodeId, bool isDialer, long started, HandshakeFailure failure)
    {
        if (HandshakeDuration.Enabled)
        {
            TagList tags = Tags(localNodeId, isDialer);
            if (failure != HandshakeFailure.None)
            {
                tags.Add(ErrorTypeTag, failure.ToString());
            }

            HandshakeDuration.Record(Stopwatch.GetElapsedTime(started).TotalSeconds, tags);
        }

        if (failure != HandshakeFailure.None && DropReason(failure, isDialer) is { } reason)
        {
            OnDropped(localNodeId, isDialer, reason);
        }
    }

    /// <summary>Counts a peer this side dropped for <paramref name="reason"/>.</summary>
    public void OnDropped(uint localNodeId, bool isDialer, string reason)
    {
        if (PeersDropped.Enabled)
        {
            TagList tags = Tags(localNodeId, isDialer);
            tags.Add(DropReasonTag, reason);
            PeersDropped.Add(1, tags);
        }
    }

    /// <summary>Counts <paramref name="connection"/> as open, once its handshake is done; returns whether it was added to the active connections.</summary>
    public bool OnOpened(TcpFrameConnection connection)
    {
        _live[connection] = 0;
        if (!ActiveConnections.Enabled)
        {
            return false;
        }

        ActiveConnections.Add(1, Tags(connection.LocalNodeId, connection.IsDialer));
        return true;
    }

    /// <summary>Counts the end of a connection <see cref="OnOpened"/> counted, open since <paramref name="openedAt"/>.</summary>
    public void OnClosed(TcpFrameConnection connection, bool countedActive, long openedAt, ConnectionCloseReason reason)
    {
        _live.TryRemove(connection, out _);
        TagList tags = Tags(connection.LocalNodeId, connection.IsDialer);

        // Taken away only if it was added: a listener that came in between sees neither.
        if (countedActive)
        {
            ActiveConnections.Add(-1, tags);
        }

        if (ConnectionDuration.Enabled)
        {
            TagList withError = tags;
            if (ErrorType(reason) is { } errorType)
            {
                withError.Add(ErrorTypeTag, errorType);
            }

            ConnectionDuration.Record(Stopwatch.GetElapsedTime(openedAt).TotalSeconds, withError);
        }

        if (DropReason(reason) is { } dropReason)
        {
            OnDropped(connection.LocalNodeId, connection.IsDialer, dropReason);
        }
    }

    private static TagList Tags(uint localNodeId, bool isDialer) => new()
    {
        { NodeIdTag, (long)localNodeId },
        { RoleTag, isDialer ? Dialed : Accepted },
    };

    /// <summary>The bytes waiting in the send queues of the open connections, summed per node and role; read without any lock.</summary>
    private IEnumerable<Measurement<long>> ObserveQueuedBytes()
    {
        var sums = new Dictionary<(uint Node, bool Dialer), long>();
        foreach (TcpFrameConnection connection in _live.Keys)
        {
            (uint, bool) key = (connection.LocalNodeId, connection.IsDialer);
            sums[key] = sums.GetValueOrDefault(key) + connection.QueuedBytesSnapshot;
        }

        var measurements = new List<Measurement<long>>(sums.Count);
        foreach (((uint node, bool dialer), long bytes) in sums)
        {
            measurements.Add(new Measurement<long>(bytes, Tags(node, dialer)));
        }

        return measurements;
    }
}
