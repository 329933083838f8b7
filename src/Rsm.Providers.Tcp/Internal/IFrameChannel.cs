using Rsm.Providers.Tcp.Internal.Wire;

namespace Rsm.Providers.Tcp.Internal;

/// <summary>An authenticated connection to one peer node, as the segment layer uses it: send frames, get them back by callback.</summary>
internal interface IFrameChannel
{
    /// <summary>The peer's node id, proven by the handshake.</summary>
    uint PeerNodeId { get; }

    /// <summary>Sends one frame whose body is <paramref name="head"/> followed by <paramref name="data"/>.</summary>
    /// <returns>False when the connection is closed.</returns>
    bool Send(Opcode opcode, uint requestId, int status, ReadOnlySpan<byte> head, ReadOnlySpan<byte> data = default);

    /// <summary>Closes the connection; the closed callback runs once.</summary>
    void Close(string reason);
}

/// <summary>What a channel delivers.</summary>
internal interface IFrameHandler
{
    /// <summary>One frame; <paramref name="body"/> is valid only during the call. Runs on the connection's reader.</summary>
    void OnFrame(IFrameChannel channel, Opcode opcode, uint requestId, int status, ReadOnlySpan<byte> body);

    /// <summary>The connection closed (peer gone, silent, malformed frame, or closed here).</summary>
    void OnClosed(IFrameChannel channel, Exception? reason);
}
