using System.Buffers;

namespace Rsm.Providers.Tcp.Internal.Wire;

/// <summary>
/// Offers memory that a large payload is received into straight from the stream, instead of being buffered by the
/// reader and copied afterwards. Both methods run on the connection's reader loop.
/// </summary>
internal interface IPayloadSink
{
    /// <summary>
    /// Called when the header of a frame of at least <see cref="TcpFrameConnection.DirectReadThreshold"/> payload bytes has
    /// arrived but not all of its payload.
    /// </summary>
    /// <param name="header">The frame's header.</param>
    /// <param name="arrived">The part of the payload that has arrived so far.</param>
    /// <returns>
    /// Where the payload goes (<see cref="PayloadClaim"/>), valid until <see cref="PayloadReceived"/>; or the default claim
    /// to have the frame buffered and handed to the frame callback as usual.
    /// </returns>
    PayloadClaim ClaimPayload(in FrameHeader header, in ReadOnlySequence<byte> arrived);

    /// <summary>
    /// Called once for every claim: with <paramref name="complete"/> true when the whole payload is in the claimed memory
    /// (the frame callback does not see such a frame), false when the connection failed first (it is closed by then).
    /// </summary>
    void PayloadReceived(in FrameHeader header, bool complete);
}

/// <summary>
/// Where a claimed payload goes: its first <see cref="Skip"/> bytes, which the claimant read from the part that had
/// arrived, are dropped, and the rest, exactly <c>Target.Length</c> bytes, is received into <see cref="Target"/>.
/// </summary>
internal readonly record struct PayloadClaim(Memory<byte> Target, int Skip)
{
    /// <summary>Whether the payload was claimed.</summary>
    public bool IsClaimed => !Target.IsEmpty;
}
