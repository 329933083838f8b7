namespace Rsm.Providers.Tcp.Internal.Wire;

/// <summary>Why a handshake failed: the <c>error.type</c> of <c>rsm.tcp.handshake.duration</c>.</summary>
internal enum HandshakeFailure
{
    /// <summary>It did not fail.</summary>
    None,

    /// <summary>It did not complete within its deadline.</summary>
    Timeout,

    /// <summary>The peer did not prove the cluster key, or its certificate was refused or names another node.</summary>
    AuthenticationFailed,

    /// <summary>The acceptor refused the dialer after it proved the key (see <see cref="AdmissionRefusal"/>).</summary>
    Refused,

    /// <summary>The peer sent a malformed frame, or another frame than the handshake expects.</summary>
    ProtocolViolation,

    /// <summary>The peer closed the connection before the handshake ended.</summary>
    PeerClosed,

    /// <summary>The acceptor proved another node id than the dialer expected.</summary>
    UnexpectedNode,

    /// <summary>The TLS handshake failed for another reason than this side refusing the peer's certificate.</summary>
    TlsFailed,

    /// <summary>The socket failed.</summary>
    TransportError,

    /// <summary>The pending handshake was dropped to make room for a newer connection (too many pending at once).</summary>
    Evicted,

    /// <summary>Whoever started the handshake cancelled it (a node or listener that stops).</summary>
    Cancelled,
}
