namespace Rsm.Conformance;

/// <summary>How a check moves bytes between an importer's memory and a segment.</summary>
internal enum ConformanceTransferForm
{
    /// <summary>get and put (a plain memory copy).</summary>
    Bytes,

    /// <summary>get8 and put8.</summary>
    Sized8,

    /// <summary>get16 and put16, with put8/get8 for an odd last byte.</summary>
    Sized16,

    /// <summary>get32 and put32, with put8/get8 for the last bytes that do not fill an element.</summary>
    Sized32,

    /// <summary>get64 and put64, with put8/get8 for the last bytes that do not fill an element.</summary>
    Sized64,

    /// <summary>getv and putv with up to three elements, one of them through a local memory handle where there is one.</summary>
    Vector,
}
