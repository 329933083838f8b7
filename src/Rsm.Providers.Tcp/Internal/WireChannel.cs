using System.Buffers;
using Rsm.Providers.Tcp.Internal.Wire;

namespace Rsm.Providers.Tcp.Internal;

/// <summary>The segment layer's view of an authenticated frame connection.</summary>
internal sealed class WireChannel(TcpFrameConnection connection, IFrameHandler handler) : IFrameChannel, IPayloadSink
{
    public uint PeerNodeId => connection.PeerNodeId;

    public void Start() => connection.Start(OnFrameAsync, reason => handler.OnClosed(this, reason), this);

    public bool Send(Opcode opcode, uint requestId, int status, ReadOnlySpan<byte> head, ReadOnlySpan<byte> data = default, FrameFlags flags = FrameFlags.None, bool cork = false) =>
        connection.TrySend(new FrameHeader(opcode, requestId, (uint)(head.Length + data.Length), status, (ushort)flags), head, data, cork);

    public bool Flush() => connection.Flush();

    public bool SendReferenced(Opcode opcode, uint requestId, ReadOnlySpan<byte> head, nint data, int length, TcpFrameConnection.IFrameCompletion completion) =>
        connection.TrySendReferenced(new FrameHeader(opcode, requestId, (uint)(head.Length + length)), head, data, length, completion);

    public bool Post(Opcode opcode, uint requestId, int status, ReadOnlySpan<byte> body, FrameFlags flags = FrameFlags.None) =>
        connection.TryPost(new FrameHeader(opcode, requestId, (uint)body.Length, status, (ushort)flags), body);

    public void Close(string reason) => connection.Close(reason);

    public PayloadClaim ClaimPayload(in FrameHeader header, in ReadOnlySequence<byte> arrived) => handler.ClaimPayload(header, arrived);

    public void PayloadReceived(in FrameHeader header, bool complete) => handler.PayloadReceived(header, complete);

    private ValueTask OnFrameAsync(FrameHeader header, ReadOnlySequence<byte> payload)
    {
        handler.OnFrame(this, header, payload);
        return ValueTask.CompletedTask;
    }
}
