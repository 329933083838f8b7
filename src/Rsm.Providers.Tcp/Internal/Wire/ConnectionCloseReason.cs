namespace Rsm.Providers.Tcp.Internal.Wire;

/// <summary>Why a <see cref="TcpFrameConnection"/> closed.</summary>
internal enum ConnectionCloseReason
{
    /// <summary>The connection is open.</summary>
    None,

    /// <summary>This side closed it (<see cref="TcpFrameConnection.Close()"/>, <see cref="TcpFrameConnection.Close(string)"/> or dispose).</summary>
    Local,

    /// <summary>The peer said goodbye with a Close frame.</summary>
    PeerGoodbye,

    /// <summary>The peer's end of the stream arrived between frames, without a goodbye.</summary>
    PeerClosed,

    /// <summary>The peer sent a malformed frame (bad magic, version, opcode, reserved field), a handshake frame after the handshake, or a truncated frame.</summary>
    ProtocolViolation,

    /// <summary>The peer announced a payload larger than the maximum frame size.</summary>
    FrameTooLarge,

    /// <summary>Nothing arrived from the peer for the silence limit.</summary>
    SilenceLimit,

    /// <summary>The socket failed while reading or writing.</summary>
    TransportError,

    /// <summary>The frame callback threw.</summary>
    HandlerFailed,

    /// <summary>The peer took none of the bytes queued for it for the send timeout.</summary>
    SendTimeout,

    /// <summary>The control frames queued for the peer overflowed the send queue's limit and reserve.</summary>
    SendQueueFull,

    /// <summary>The peer began a frame and did not complete it within the silence limit.</summary>
    IncompleteFrame,
}
