using System.Diagnostics.CodeAnalysis;

namespace Rsm.Engine;

/// <summary>
/// The one place that builds <see cref="RsmException"/> instances. Throw sites call it so that hot paths
/// stay small and every message has the same form.
/// </summary>
public static class RsmThrow
{
    /// <summary>Throws an <see cref="RsmException"/> for <paramref name="error"/>.</summary>
    /// <param name="error">The RSMAPI error code.</param>
    /// <param name="detail">What was wrong, with the values.</param>
    [DoesNotReturn]
    public static void Error(RsmError error, string detail) => throw new RsmException(error, detail);

    /// <summary>Throws an <see cref="RsmException"/> wrapping an operating-system or transport failure.</summary>
    /// <param name="error">The RSMAPI error code.</param>
    /// <param name="detail">What was wrong.</param>
    /// <param name="inner">The underlying failure.</param>
    [DoesNotReturn]
    public static void Error(RsmError error, string detail, Exception inner) => throw new RsmException(error, detail, inner);

    /// <summary>Creates (without throwing) an exception for <paramref name="error"/>.</summary>
    /// <param name="error">The RSMAPI error code.</param>
    /// <param name="detail">What was wrong.</param>
    /// <returns>The exception.</returns>
    public static RsmException Create(RsmError error, string detail) => new(error, detail);

    /// <summary>Creates (without throwing) an exception for <paramref name="error"/> wrapping an underlying failure.</summary>
    /// <param name="error">The RSMAPI error code.</param>
    /// <param name="detail">What was wrong.</param>
    /// <param name="inner">The underlying failure.</param>
    /// <returns>The exception.</returns>
    public static RsmException Create(RsmError error, string detail, Exception inner) => new(error, detail, inner);
}
