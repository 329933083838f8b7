using Rsm.Engine;

namespace Rsm.Providers.Tcp.Internal;

/// <summary>
/// A way for an importing node to reach an exported segment's bytes without frames (remote memory access over a
/// fabric). The node's connections stay the control plane: connect, admission, aborts, grants, signals and liveness;
/// the data plane only moves bytes and runs lock operations. A node without one serves every access with frames.
/// </summary>
internal interface IDataPlane : IDisposable
{
    /// <summary>What the importer states in its connect and the exporter compares with its own: both ends must speak it.</summary>
    string Name { get; }

    /// <summary>This node's address on the plane, sent with a connect so the exporter can reach the importer if it must.</summary>
    ReadOnlySpan<byte> LocalAddress { get; }

    /// <summary>Whether lock operations on 4- and 8-byte words run on the plane.</summary>
    bool SupportsAtomics { get; }

    /// <summary>
    /// The exporter's side, after admission and without any lock: lets the importing node at <paramref name="importerAddress"/>
    /// reach the window <paramref name="address"/>..+<paramref name="length"/> (the import's own mapping of the segment's
    /// pages, which follows rebinds). Reads are always granted, writes and lock operations only when
    /// <paramref name="write"/>. Disposing the grant revokes it at the plane: later accesses with it fail there.
    /// <paramref name="importerUid"/> is the uid the importing node states for the importing process, for a plane that
    /// only joins processes of one uid.
    /// </summary>
    /// <exception cref="RsmException">
    /// InsufficientResources (31) when the plane refuses the registration or cannot join the importing process.
    /// </exception>
    IDataPlaneGrant Grant(nint address, nuint length, bool write, ReadOnlySpan<byte> importerAddress, uint importerUid);

    /// <summary>The importer's side: the window an exporter's grant describes.</summary>
    /// <exception cref="RsmException">ConnectionAborted (40) when the description is malformed or the exporter cannot be reached on the plane.</exception>
    IDataPlaneWindow Open(uint exporterNodeId, ReadOnlySpan<byte> grant, TimeSpan timeout);

    /// <summary>Facts about the plane for the controller's health check.</summary>
    IEnumerable<KeyValuePair<string, object>> HealthData();
}

/// <summary>An exporter's grant of one import: what the importer needs, until it is disposed (revoked).</summary>
internal interface IDataPlaneGrant : IDisposable
{
    /// <summary>The grant as bytes, sent in the connect reply.</summary>
    ReadOnlySpan<byte> Description { get; }

    /// <summary>
    /// How long the window's memory must stay mapped after the grant was disposed, because the plane may still complete
    /// an access that started before; zero when nothing touches it afterwards.
    /// </summary>
    TimeSpan Linger { get; }
}

/// <summary>
/// The importer's reach into one exporter's segment over the plane. Every call is bounded by the window's timeout and
/// returns Success; BarrierFailure (38) when it did not complete in time (it may still land, so it is not repeated); or
/// ConnectionAborted (40) when it failed at the plane, which the caller then serves with frames, telling an aborted
/// import (40) from a failed transport.
/// </summary>
internal interface IDataPlaneWindow : IDisposable
{
    /// <summary>Reads <paramref name="destination"/>.Length bytes at <paramref name="offset"/>, elements of <paramref name="accessSize"/> bytes each read whole.</summary>
    RsmError Read(long offset, Span<byte> destination, int accessSize);

    /// <summary>Writes <paramref name="source"/> at <paramref name="offset"/>, delivered to the exporter's memory when it returns Success.</summary>
    RsmError Write(long offset, ReadOnlySpan<byte> source, int accessSize);

    /// <summary>A lock operation on a 4- or 8-byte word; <paramref name="previous"/> is the word's value before it.</summary>
    RsmError Atomic(AtomicOperation operation, long offset, ulong value, ulong comparand, int size, out ulong previous);
}
