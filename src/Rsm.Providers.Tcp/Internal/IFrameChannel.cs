using System.Buffers;
using Rsm.Providers.Tcp.Internal.Wire;

namespace Rsm.Providers.Tcp.Internal;

/// <summary>An authenticated connection to one peer node, as the segment layer uses it: send frames, get them back by callback.</summary>
internal interface IFrameChannel
{
    /// <summary>The peer's node id, proven by the handshake.</summary>
    uint PeerNodeId { get; }

    /// <summary>Sends one frame whose body is <paramref name="head"/> followed by <paramref name="data"/>.</summary>
    /// <param name="opcode">What the frame carries.</param>
    /// <param name="requestId">The request id, or the one a reply answers.</param>
    /// <param name="status">An <see cref="RsmError"/> value for a reply, 0 otherwise.</param>
    /// <param name="head">The fixed fields of the body.</param>
    /// <param name="data">The bulk of the body; large data is written from where it lies.</param>
    /// <param name="flags">Opcode-specific bits (<see cref="FrameFlags"/>).</param>
    /// <param name="deferFlush">The frame may wait in the writer for more to send together (see <see cref="TcpFrameConnection.TrySend"/>).</param>
    /// <returns>False when the connection is closed.</returns>
    bool Send(Opcode opcode, uint requestId, int status, ReadOnlySpan<byte> head, ReadOnlySpan<byte> data = default, FrameFlags flags = FrameFlags.None, bool deferFlush = false);

    /// <summary>Writes the frames that wait in the writer; false when the connection is closed.</summary>
    bool Flush();

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
