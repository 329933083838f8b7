namespace Rsm.Providers.Tcp.Internal.Wire;

/// <summary>The opcode-specific bits of <see cref="FrameHeader.Flags"/>.</summary>
[Flags]
internal enum FrameFlags : ushort
{
    /// <summary>No flag.</summary>
    None = 0,

    /// <summary>
    /// On a <see cref="Opcode.Put"/>: nobody waits for this put (Explicit mode); its <see cref="Opcode.PutAck"/> carries the
    /// flag back with the import id as its body, and only counts down the import's outstanding puts.
    /// </summary>
    Unawaited = 1,
}
