using System.Buffers;
using Rsm.Providers.Tcp.Internal.Wire;

namespace Rsm.Providers.Tcp.Internal;

/// <summary>An authenticated connection to one peer node, as the segment layer uses it: send frames, get them back by callback.</summary>
internal interface IFrameChannel
{
    /// <summary>The peer's node id, proven by the handshake.</summary>
    uint PeerNodeId { get; }

    /// <summary>
    /// Sends one data frame whose body is <paramref name="head"/> followed by <paramref name="data"/>. Waits for room in
    /// the connection's send queue, and for large data until it is written (see <see cref="TcpFrameConnection.TrySend"/>);
    /// both waits end at the latest when a peer that takes nothing is dropped.
    /// </summary>
    /// <param name="opcode">What the frame carries.</param>
    /// <param name="requestId">The request id, or the one a reply answers.</param>
    /// <param name="status">An <see cref="RsmError"/> value for a reply, 0 otherwise.</param>
    /// <param name="head">The fixed fields of the body.</param>
    /// <param name="data">The bulk of the body; large data is written from where it lies.</param>
    /// <param name="flags">Opcode-specific bits (<see cref="FrameFlags"/>).</param>
    /// <param name="cork">A small frame may wait for company until <see cref="Flush"/> (see <see cref="TcpFrameConnection.TrySend"/>).</param>
    /// <returns>False when the connection is closed.</returns>
    bool Send(Opcode opcode, uint requestId, int status, ReadOnlySpan<byte> head, ReadOnlySpan<byte> data = default, FrameFlags flags = FrameFlags.None, bool cork = false);

    /// <summary>Sends the frames that wait for company; false when the connection is closed.</summary>
    bool Flush();

    /// <summary>Sends one data frame whose bulk stays where it lies until <paramref name="completion"/> hears it is done (see <see cref="TcpFrameConnection.TrySendReferenced"/>).</summary>
    /// <param name="opcode">What the frame carries.</param>
    /// <param name="requestId">The request id the reply answers.</param>
    /// <param name="head">The fixed fields of the body.</param>
    /// <param name="data">Where the bulk lies.</param>
    /// <param name="length">The bulk's length.</param>
    /// <param name="completion">Told once when the bulk is no longer used, also when the call returns false.</param>
    /// <returns>False when the connection is closed.</returns>
    bool SendReferenced(Opcode opcode, uint requestId, ReadOnlySpan<byte> head, nint data, int length, TcpFrameConnection.IFrameCompletion completion);

    /// <summary>Queues one small control frame without ever waiting (see <see cref="TcpFrameConnection.TryPost"/>).</summary>
    /// <param name="opcode">What the frame carries.</param>
    /// <param name="requestId">The request id, or the one a reply answers.</param>
    /// <param name="status">An <see cref="RsmError"/> value for a reply, 0 otherwise.</param>
    /// <param name="body">The body.</param>
    /// <param name="flags">Opcode-specific bits.</param>
    /// <returns>False when the connection is closed.</returns>
    bool Post(Opcode opcode, uint requestId, int status, ReadOnlySpan<byte> body, FrameFlags flags = FrameFlags.None);

    /// <summary>Closes the connection; the closed callback runs once.</summary>
    void Close(string reason);
}

/// <summary>What a channel delivers.</summary>
internal interface IFrameHandler
{
    /// <summary>One frame; <paramref name="body"/> is valid only during the call. Runs on the connection's reader.</summary>
    void OnFrame(IFrameChannel channel, in FrameHeader header, in ReadOnlySequence<byte> body);

    /// <summary>
    /// A large payload is arriving, <paramref name="arrived"/> of it so far: where to receive it directly (see
    /// <see cref="IPayloadSink.ClaimPayload"/>), or the default claim to get it through <see cref="OnFrame"/>. Runs on the
    /// connection's reader.
    /// </summary>
    PayloadClaim ClaimPayload(in FrameHeader header, in ReadOnlySequence<byte> arrived);

    /// <summary>The payload of a claimed frame arrived whole (<paramref name="complete"/>), or the connection failed first.</summary>
    void PayloadReceived(in FrameHeader header, bool complete);

    /// <summary>The connection closed (peer gone, silent, malformed frame, or closed here).</summary>
    void OnClosed(IFrameChannel channel, Exception? reason);
}
