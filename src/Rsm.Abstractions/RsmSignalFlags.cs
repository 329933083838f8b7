namespace Rsm;

/// <summary>Flags of <c>rsm_intr_signal_post</c>.</summary>
[Flags]
public enum RsmSignalFlags : uint
{
    /// <summary>No flag.</summary>
    None = 0,

    /// <summary><c>RSM_SIGPOST_NO_ACCUMULATE</c> (0x02): accepted and ignored; events always count.</summary>
    NoAccumulate = 0x02,
}
