namespace Rsm;

/// <summary>
/// An outcome that RSMAPI names as an error. <see cref="Error"/> carries the exact <see cref="RsmError"/>;
/// the message reads <c>RSMERR_BAD_LENGTH (20): what was wrong</c>.
/// </summary>
public sealed class RsmException : IOException
{
    /// <summary>Creates an exception for <paramref name="error"/> with a detail text.</summary>
    /// <param name="error">The RSMAPI error code.</param>
    /// <param name="detail">What was wrong, with the values involved.</param>
    /// <param name="innerException">The operating-system or transport failure behind it, if any.</param>
    public RsmException(RsmError error, string detail, Exception? innerException = null)
        : base(FormatMessage(error, detail), innerException)
    {
        Error = error;
        HResult = unchecked((int)0x80A50000) | (int)error;
    }

    /// <summary>The RSMAPI error code.</summary>
    public RsmError Error { get; }

    /// <summary>Formats the message used for <paramref name="error"/>.</summary>
    /// <param name="error">The error code.</param>
    /// <param name="detail">The detail text.</param>
    /// <returns><c>RSMERR_NAME (value): detail</c>.</returns>
    public static string FormatMessage(RsmError error, string detail) =>
        $"{RsmErrorNames.GetConstantName(error)} ({(int)error}): {detail}";
}
