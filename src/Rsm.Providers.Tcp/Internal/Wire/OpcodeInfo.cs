namespace Rsm.Providers.Tcp.Internal.Wire;

/// <summary>Facts about <see cref="Opcode"/> values that the reader needs per frame, without reflection.</summary>
internal static class OpcodeInfo
{
    /// <summary>Whether <paramref name="opcode"/> is a member of <see cref="Opcode"/>.</summary>
    public static bool IsDefined(Opcode opcode)
    {
        ReadOnlySpan<byte> known = Known;
        return (uint)opcode < (uint)known.Length && known[(int)opcode] != 0;
    }

    /// <summary>Whether <paramref name="opcode"/> belongs to the handshake, which is only valid before the connection is established.</summary>
    public static bool IsHandshake(Opcode opcode) => opcode is Opcode.Hello or Opcode.HelloReply or Opcode.Proof or Opcode.Admitted or Opcode.Refused;

    // Indexed by the opcode value: 1-7 connection frames, 16-32 segment frames. Kept in step with Opcode by a unit test.
    private static ReadOnlySpan<byte> Known =>
    [
        0, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0,
        1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
        1,
    ];
}
