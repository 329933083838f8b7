using Rsm.Engine;

namespace Rsm.Providers.Tcp;

/// <summary>
/// Settings of a Tcp controller, bound from its configuration section (<c>Rsm:Controllers:&lt;name&gt;</c>). Each process
/// that opens a Tcp controller is the node <see cref="RsmProviderOptions.NodeId"/>: it listens on <see cref="Listen"/> and reaches the other
/// nodes at the endpoints of <see cref="Nodes"/>. All nodes of a cluster share one cluster key.
/// </summary>
public class TcpProviderOptions : RsmProviderOptions
{
    /// <summary>The endpoint this node listens on, <c>host:port</c>; port 0 picks a free port. Default <c>127.0.0.1:0</c>.</summary>
    public string Listen { get; set; } = "127.0.0.1:0";

    /// <summary>The node directory: node id (as text) to <c>host:port</c>. Nodes of this process need no entry.</summary>
    public Dictionary<string, string> Nodes { get; set; } = [];

    /// <summary>The cluster key inline, as base64 or hex text of at least 16 bytes. One of this and <see cref="ClusterKeyFile"/> is required.</summary>
    public string? ClusterKey { get; set; }

    /// <summary>A file holding the cluster key (raw bytes, or base64 or hex text).</summary>
    public string? ClusterKeyFile { get; set; }

    /// <summary>
    /// TLS for this node's connections, with certificates mapped to node ids (see <see cref="TcpTlsOptions"/>). Null, the
    /// default, or an absent <c>Tls</c> section: connections are not encrypted and only the cluster key authenticates.
    /// </summary>
    public TcpTlsOptions? Tls { get; set; }

    /// <summary>
    /// Permit, without <see cref="Tls"/>, a <see cref="Listen"/> address or a <see cref="Nodes"/> endpoint that is not a
    /// loopback address. Without TLS only the handshake is authenticated: anyone on the network path can alter, inject or
    /// replay frames (puts, gets, aborts, disconnects) after it. False, the default: such a configuration is refused when
    /// the controller is created. Set it only on a network that nobody else can reach.
    /// </summary>
    public bool AllowUnprotectedFrames { get; set; }

    /// <summary>The largest frame payload (the bytes after the 24-byte header) accepted; a peer announcing more is disconnected before anything is buffered. Default 1 MiB + 64 bytes.</summary>
    public int MaxFrameSize { get; set; } = (1 << 20) + 64;

    /// <summary>How long establishing and authenticating a connection, and any request, may take. Default 5 seconds.</summary>
    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// The longest an accepted connection may take, counted from its accept, to finish its handshake (TLS included),
    /// however slowly its bytes arrive; then it is dropped. At most 128 handshakes are pending at once: a new connection
    /// beyond that makes room by dropping the oldest pending handshake whose dialer has not yet sent its whole Hello (or
    /// else the oldest). Default 5 seconds.
    /// </summary>
    public TimeSpan HandshakeTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// When true, an inbound connection is admitted only from a node id listed in <see cref="Nodes"/>, or from a node this
    /// process runs when the connection is one of this process's own dials. When false (the default), any node id from 0
    /// to <see cref="RsmProviderOptions.MaxNodes"/> other than this node's own is admitted. Either way a node id with a live inbound
    /// connection is refused until that connection ends.
    /// </summary>
    public bool AcceptListedNodesOnly { get; set; }

    /// <summary>After this much idle time a connection sends a keep-alive. Default 2 seconds.</summary>
    public TimeSpan KeepAliveInterval { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>
    /// A peer silent this long counts as lost: every import on it is aborted. It is also the longest a frame may take to
    /// arrive whole once its first byte came (a 1 MiB frame within 10 s needs about 100 KB/s). Default 10 seconds.
    /// </summary>
    public TimeSpan SilenceLimit { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// The bytes a connection's send queue holds at most. A data request or reply that does not fit waits for room, at most
    /// <see cref="SendTimeout"/>; events, aborts and other control frames may go up to 1 MiB beyond it, and a peer whose
    /// queue overflows even that is disconnected. At least 64 KiB and at least <see cref="MaxFrameSize"/> plus the header.
    /// Default 8 MiB.
    /// </summary>
    public int SendQueueLimit { get; set; } = 8 << 20;

    /// <summary>
    /// A peer that takes none of the bytes queued for it for this long is disconnected, with the reason logged, and every
    /// import on the connection is aborted on both sides; nobody else waits for it. This holds even while the peer keeps
    /// sending (keep-alives included). Default 10 seconds.
    /// </summary>
    public TimeSpan SendTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>The cluster key and TLS settings loaded while these options were validated, for the node they start.</summary>
    internal (byte[] Key, Internal.Wire.TlsSettings? Tls) Loaded { get; set; }
}
