using System.Buffers.Binary;
using System.Security.Cryptography;

namespace Rsm.Providers.Tcp.Internal.Wire;

/// <summary>
/// The mutual authentication that opens every connection: a challenge-response over the cluster key with HMAC-SHA256,
/// in which each side proves its node id and both nonces, so neither a replayed nor a reflected answer is accepted.
/// <code>
/// dialer   -> acceptor  Hello       dialerId u32, dialerNonce [32]                                   36 bytes
/// acceptor -> dialer    HelloReply  acceptorId u32, acceptorNonce [32], acceptorMac [32]            68 bytes
/// dialer   -> acceptor  Proof       dialerMac [32]                                                   32 bytes
///
/// acceptorMac = HMAC-SHA256(key, "rsm-tcp-v1|acceptor|" || dialerId || acceptorId || dialerNonce || acceptorNonce)
/// dialerMac   = HMAC-SHA256(key, "rsm-tcp-v1|dialer|"   || dialerId || acceptorId || dialerNonce || acceptorNonce)
/// </code>
/// Once the Proof verifies, the acceptor judges the proven id (its range, its own id, the node directory, a live
/// connection of the same id) and answers with one more frame:
/// <code>
/// acceptor -> dialer    Admitted    (empty)                                                           0 bytes
///                   or  Refused     refusal u32 (see AdmissionRefusal), status PermissionDenied      4 bytes
/// </code>
/// Ids are little-endian; each message is the payload of one frame with status 0 (Refused excepted), and any other
/// frame, a payload of another length, or a MAC that does not verify ends the handshake.
/// </summary>
internal static class Handshake
{
    /// <summary>Bytes of random challenge each side contributes.</summary>
    public const int NonceSize = 32;

    /// <summary>Bytes of an HMAC-SHA256 proof.</summary>
    public const int MacSize = HMACSHA256.HashSizeInBytes;

    /// <summary>The payload of <see cref="Opcode.Hello"/>.</summary>
    public const int HelloSize = 4 + NonceSize;

    /// <summary>The payload of <see cref="Opcode.HelloReply"/>.</summary>
    public const int HelloReplySize = 4 + NonceSize + MacSize;

    /// <summary>The payload of <see cref="Opcode.Proof"/>.</summary>
    public const int ProofSize = MacSize;

    /// <summary>The payload of <see cref="Opcode.Refused"/>.</summary>
    public const int RefusedSize = 4;

    /// <summary>The largest handshake payload; no connection may have a smaller maximum frame size.</summary>
    public const int MaxMessageSize = HelloReplySize;

    private const int MaterialSize = 4 + 4 + NonceSize + NonceSize;

    private static ReadOnlySpan<byte> AcceptorLabel => "rsm-tcp-v1|acceptor|"u8;

    private static ReadOnlySpan<byte> DialerLabel => "rsm-tcp-v1|dialer|"u8;

    /// <summary>Fills <paramref name="nonce"/> with fresh random bytes.</summary>
    public static void NewNonce(Span<byte> nonce) => RandomNumberGenerator.Fill(nonce);

    /// <summary>Writes the Hello payload.</summary>
    public static void WriteHello(Span<byte> payload, uint dialerId, ReadOnlySpan<byte> dialerNonce)
    {
        BinaryPrimitives.WriteUInt32LittleEndian(payload, dialerId);
        dialerNonce[..NonceSize].CopyTo(payload[4..]);
    }

    /// <summary>Reads a Hello payload of exactly <see cref="HelloSize"/> bytes.</summary>
    public static void ReadHello(ReadOnlySpan<byte> payload, out uint dialerId, Span<byte> dialerNonce)
    {
        dialerId = BinaryPrimitives.ReadUInt32LittleEndian(payload);
        payload.Slice(4, NonceSize).CopyTo(dialerNonce);
    }

    /// <summary>Writes the HelloReply payload.</summary>
    public static void WriteHelloReply(Span<byte> payload, uint acceptorId, ReadOnlySpan<byte> acceptorNonce, ReadOnlySpan<byte> acceptorMac)
    {
        BinaryPrimitives.WriteUInt32LittleEndian(payload, acceptorId);
        acceptorNonce[..NonceSize].CopyTo(payload[4..]);
        acceptorMac[..MacSize].CopyTo(payload[(4 + NonceSize)..]);
    }

    /// <summary>Reads a HelloReply payload of exactly <see cref="HelloReplySize"/> bytes.</summary>
    public static void ReadHelloReply(ReadOnlySpan<byte> payload, out uint acceptorId, Span<byte> acceptorNonce, Span<byte> acceptorMac)
    {
        acceptorId = BinaryPrimitives.ReadUInt32LittleEndian(payload);
        payload.Slice(4, NonceSize).CopyTo(acceptorNonce);
        payload.Slice(4 + NonceSize, MacSize).CopyTo(acceptorMac);
    }

    /// <summary>Writes the Refused payload.</summary>
    public static void WriteRefused(Span<byte> payload, AdmissionRefusal refusal) => BinaryPrimitives.WriteUInt32LittleEndian(payload, (uint)refusal);

    /// <summary>Reads a Refused payload of exactly <see cref="RefusedSize"/> bytes; an unknown code reads as <see cref="AdmissionRefusal.Other"/>.</summary>
    public static AdmissionRefusal ReadRefused(ReadOnlySpan<byte> payload)
    {
        var refusal = (AdmissionRefusal)BinaryPrimitives.ReadUInt32LittleEndian(payload);
        return refusal is > AdmissionRefusal.None and <= AdmissionRefusal.AlreadyConnected ? refusal : AdmissionRefusal.Other;
    }

    /// <summary>Computes the acceptor's proof into <paramref name="mac"/>.</summary>
    public static void ComputeAcceptorMac(ReadOnlySpan<byte> key, uint dialerId, uint acceptorId, ReadOnlySpan<byte> dialerNonce, ReadOnlySpan<byte> acceptorNonce, Span<byte> mac) =>
        ComputeMac(AcceptorLabel, key, dialerId, acceptorId, dialerNonce, acceptorNonce, mac);

    /// <summary>Computes the dialer's proof into <paramref name="mac"/>.</summary>
    public static void ComputeDialerMac(ReadOnlySpan<byte> key, uint dialerId, uint acceptorId, ReadOnlySpan<byte> dialerNonce, ReadOnlySpan<byte> acceptorNonce, Span<byte> mac) =>
        ComputeMac(DialerLabel, key, dialerId, acceptorId, dialerNonce, acceptorNonce, mac);

    /// <summary>Whether <paramref name="received"/> equals the proof the acceptor should have sent, compared in constant time.</summary>
    public static bool VerifyAcceptorMac(ReadOnlySpan<byte> key, uint dialerId, uint acceptorId, ReadOnlySpan<byte> dialerNonce, ReadOnlySpan<byte> acceptorNonce, ReadOnlySpan<byte> received)
    {
        Span<byte> expected = stackalloc byte[MacSize];
        ComputeAcceptorMac(key, dialerId, acceptorId, dialerNonce, acceptorNonce, expected);
        return received.Length == MacSize && CryptographicOperations.FixedTimeEquals(expected, received);
    }

    /// <summary>Whether <paramref name="received"/> equals the proof the dialer should have sent, compared in constant time.</summary>
    public static bool VerifyDialerMac(ReadOnlySpan<byte> key, uint dialerId, uint acceptorId, ReadOnlySpan<byte> dialerNonce, ReadOnlySpan<byte> acceptorNonce, ReadOnlySpan<byte> received)
    {
        Span<byte> expected = stackalloc byte[MacSize];
        ComputeDialerMac(key, dialerId, acceptorId, dialerNonce, acceptorNonce, expected);
        return received.Length == MacSize && CryptographicOperations.FixedTimeEquals(expected, received);
    }

    private static void ComputeMac(ReadOnlySpan<byte> label, ReadOnlySpan<byte> key, uint dialerId, uint acceptorId, ReadOnlySpan<byte> dialerNonce, ReadOnlySpan<byte> acceptorNonce, Span<byte> mac)
    {
        Span<byte> material = stackalloc byte[AcceptorLabel.Length + MaterialSize];
        label.CopyTo(material);
        Span<byte> rest = material[label.Length..];
        BinaryPrimitives.WriteUInt32LittleEndian(rest, dialerId);
        BinaryPrimitives.WriteUInt32LittleEndian(rest[4..], acceptorId);
        dialerNonce[..NonceSize].CopyTo(rest[8..]);
        acceptorNonce[..NonceSize].CopyTo(rest[(8 + NonceSize)..]);
        HMACSHA256.HashData(key, material[..(label.Length + MaterialSize)], mac);
    }
}
