namespace Rsm.Providers.Tcp.Internal.Wire;

/// <summary>What <see cref="FrameHeader.Validate"/> found wrong with a header.</summary>
internal enum FrameProblem
{
    /// <summary>The header is acceptable.</summary>
    None,

    /// <summary>The first four bytes are not "RSMT".</summary>
    BadMagic,

    /// <summary>The version is not <see cref="FrameHeader.CurrentVersion"/>.</summary>
    BadVersion,

    /// <summary>The opcode is not a member of <see cref="Opcode"/>.</summary>
    UnknownOpcode,

    /// <summary>The reserved field is not 0.</summary>
    BadReserved,

    /// <summary>The payload length exceeds the connection's maximum frame size.</summary>
    TooLarge,
}
