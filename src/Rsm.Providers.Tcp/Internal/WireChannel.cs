using System.Buffers;
using Rsm.Providers.Tcp.Internal.Wire;

namespace Rsm.Providers.Tcp.Internal;

/// <summary>The segment layer's view of an authenticated frame connection.</summary>
internal sealed class WireChannel(TcpFrameConnection connection, IFrameHandler handler) : IFrameChannel
{
    public uint PeerNodeId => connection.PeerNodeId;

    public void Start() => connection.Start(OnFrameAsync, reason => handler.OnClosed(this, reason));

    public bool Send(Opcode opcode, uint requestId, int status, ReadOnlySpan<byte> head, ReadOnlySpan<byte> data = default) =>
        connection.TrySend(new FrameHeader(opcode, requestId, (uint)(head.Length + data.Length), status), head, data);

    public void Close(string reason) => connection.Close(reason);

    private ValueTask OnFrameAsync(FrameHeader header, ReadOnlySequence<byte> payload)
    {
        if (payload.IsSingleSegment)
        {
            handler.OnFrame(this, header.Opcode, header.RequestId, header.Status, payload.FirstSpan);
            return ValueTask.CompletedTask;
        }

        // A payload split across buffers is gathered once; the frame limit bounds the copy.
        byte[] copy = ArrayPool<byte>.Shared.Rent((int)payload.Length);
        try
        {
            payload.CopyTo(copy);
            handler.OnFrame(this, header.Opcode, header.RequestId, header.Status, copy.AsSpan(0, (int)payload.Length));
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(copy);
        }

        return ValueTask.CompletedTask;
    }
}
