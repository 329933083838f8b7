namespace Rsm;

public partial interface IImportSegment
{
    /// <summary>Atomically replaces the 32-bit word at <paramref name="offset"/> with <paramref name="value"/> if it equals <paramref name="comparand"/>
    /// (DECISIONS L1).</summary>
    /// <param name="offset">Byte offset, a multiple of 4.</param>
    /// <param name="value">The new value.</param>
    /// <param name="comparand">The expected value.</param>
    /// <returns>The value found.</returns>
    /// <exception cref="RsmException">BadSegmentHandle (5); BadMemoryAlignment (17); LocksNotEnabled (29) segment created without
    /// <see cref="ExportFlags.LockOperations"/>; LocksNotSupported (28); PermissionDenied (27) without ReadWrite, or through a mapping made without ReadWrite; BadOffset (18); ConnectionAborted (40).</exception>
    uint CompareExchange32(long offset, uint value, uint comparand);

    /// <summary>64-bit <see cref="CompareExchange32"/>.</summary>
    /// <param name="offset">Byte offset, a multiple of 8.</param>
    /// <param name="value">The new value.</param>
    /// <param name="comparand">The expected value.</param>
    /// <returns>The value found.</returns>
    /// <exception cref="RsmException">As <see cref="CompareExchange32"/>.</exception>
    ulong CompareExchange64(long offset, ulong value, ulong comparand);

    /// <summary>Atomically stores <paramref name="value"/> and returns the previous 32-bit value.</summary>
    /// <param name="offset">Byte offset, a multiple of 4.</param>
    /// <param name="value">The new value.</param>
    /// <returns>The previous value.</returns>
    /// <exception cref="RsmException">As <see cref="CompareExchange32"/>.</exception>
    uint Exchange32(long offset, uint value);

    /// <summary>Atomically stores <paramref name="value"/> and returns the previous 64-bit value.</summary>
    /// <param name="offset">Byte offset, a multiple of 8.</param>
    /// <param name="value">The new value.</param>
    /// <returns>The previous value.</returns>
    /// <exception cref="RsmException">As <see cref="CompareExchange32"/>.</exception>
    ulong Exchange64(long offset, ulong value);

    /// <summary>Atomically adds <paramref name="addend"/> to the 32-bit word and returns its previous value.</summary>
    /// <param name="offset">Byte offset, a multiple of 4.</param>
    /// <param name="addend">The value to add (wrapping).</param>
    /// <returns>The previous value.</returns>
    /// <exception cref="RsmException">As <see cref="CompareExchange32"/>.</exception>
    uint FetchAdd32(long offset, uint addend);

    /// <summary>Atomically adds <paramref name="addend"/> to the 64-bit word and returns its previous value.</summary>
    /// <param name="offset">Byte offset, a multiple of 8.</param>
    /// <param name="addend">The value to add (wrapping).</param>
    /// <returns>The previous value.</returns>
    /// <exception cref="RsmException">As <see cref="CompareExchange32"/>.</exception>
    ulong FetchAdd64(long offset, ulong addend);
}
