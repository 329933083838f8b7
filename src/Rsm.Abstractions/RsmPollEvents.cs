namespace Rsm;

/// <summary>Poll event bits, with the Linux <c>poll.h</c> values.</summary>
[Flags]
public enum RsmPollEvents : short
{
    /// <summary>No event.</summary>
    None = 0,

    /// <summary><c>POLLIN</c>.</summary>
    In = 0x001,

    /// <summary><c>POLLPRI</c>.</summary>
    Priority = 0x002,

    /// <summary><c>POLLOUT</c>.</summary>
    Out = 0x004,

    /// <summary><c>POLLERR</c>.</summary>
    Error = 0x008,

    /// <summary><c>POLLHUP</c>.</summary>
    HangUp = 0x010,

    /// <summary><c>POLLNVAL</c>.</summary>
    Invalid = 0x020,

    /// <summary><c>POLLRDNORM</c>: an RSM event is pending.</summary>
    ReadNormal = 0x040,
}
