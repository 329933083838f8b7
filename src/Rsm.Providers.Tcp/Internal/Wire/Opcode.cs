namespace Rsm.Providers.Tcp.Internal.Wire;

/// <summary>
/// What a frame carries. Values 1-15 belong to the connection itself (handshake, keep-alive); 16 and up to the segment
/// protocol built on top. A value missing here is a protocol violation: see <see cref="OpcodeInfo.IsDefined"/>.
/// </summary>
internal enum Opcode : byte
{
    /// <summary>Handshake, dialer to acceptor: the dialer's node id and nonce.</summary>
    Hello = 1,

    /// <summary>Handshake, acceptor to dialer: the acceptor's node id, its nonce and its proof of the cluster key.</summary>
    HelloReply = 2,

    /// <summary>Handshake, dialer to acceptor: the dialer's proof of the cluster key.</summary>
    Proof = 3,

    /// <summary>Keep-alive probe; answered with <see cref="Pong"/> carrying the same request id.</summary>
    Ping = 4,

    /// <summary>Keep-alive answer.</summary>
    Pong = 5,

    /// <summary>Handshake, acceptor to dialer, after a valid <see cref="Proof"/>: the acceptor admits the dialer's node id.</summary>
    Admitted = 6,

    /// <summary>
    /// Handshake, acceptor to dialer, after a valid <see cref="Proof"/>: the acceptor refuses the dialer's node id. Status
    /// PermissionDenied (27); the payload is the <see cref="AdmissionRefusal"/> as a little-endian u32.
    /// </summary>
    Refused = 7,

    /// <summary>Import: connect to a published segment.</summary>
    Connect = 16,

    /// <summary>The answer to <see cref="Connect"/>.</summary>
    ConnectReply = 17,

    /// <summary>Import: disconnect from a segment.</summary>
    Disconnect = 18,

    /// <summary>Read a range of a segment.</summary>
    Get = 19,

    /// <summary>The data of a <see cref="Get"/>, or its failure status.</summary>
    GetReply = 20,

    /// <summary>Write a range of a segment.</summary>
    Put = 21,

    /// <summary>The acknowledgement of a <see cref="Put"/>.</summary>
    PutAck = 22,

    /// <summary>An atomic operation on a segment word.</summary>
    Atomic = 23,

    /// <summary>The answer to <see cref="Atomic"/>.</summary>
    AtomicReply = 24,

    /// <summary>An event posted to the other side of a segment.</summary>
    Signal = 25,

    /// <summary>The exporter forces an import off a segment.</summary>
    Abort = 26,

    /// <summary>The importer has seen an <see cref="Abort"/>.</summary>
    AbortSeen = 27,

    /// <summary>The exporter changes an import's granted mode.</summary>
    Grant = 28,

    /// <summary>Fetch pages of a segment for a local mirror.</summary>
    MapFetch = 29,

    /// <summary>The pages of a <see cref="MapFetch"/>.</summary>
    MapFetchReply = 30,

    /// <summary>Connection-level goodbye: the sender closes the connection in order.</summary>
    Close = 31,

    /// <summary>The exporter has posted the event of an importer's <see cref="Signal"/>.</summary>
    SignalAck = 32,
}
