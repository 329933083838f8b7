using System.Buffers.Binary;
using Rsm.Engine;
using Rsm.Providers.Fabric.Interop;
using Rsm.Providers.Tcp.Internal;

namespace Rsm.Providers.Fabric.Internal;

/// <summary>
/// A node's data plane on one libfabric domain: the exporter grants each admitted import a memory registration of its
/// own (a fresh key, remote read always, remote write only for a writing import), and revokes it by closing the
/// registration; the importer reads, writes and runs lock operations on it with RMA and atomics. The domain's progress
/// thread serves the remote accesses to this node's registrations.
/// </summary>
internal sealed unsafe class FabricDataPlane : IDataPlane
{
    // A grant's description: the exporter's fabric address (16-bit length first), the key, the remote base, the length.
    private const int GrantFixedSize = 2 + 8 + 8 + 8;

    private readonly FabricDomain _domain;
    private readonly TimeSpan _timeout;
    private readonly Dictionary<string, Peer> _peers = new(StringComparer.Ordinal);
    private readonly bool _atomics;
    private readonly uint? _onlyUid;
    private long _nextKey;
    private int _grants;
    private bool _disposed;

    public FabricDataPlane(FabricDomain domain, TimeSpan timeout)
    {
        _domain = domain;
        _timeout = timeout;
        _atomics = FabricProbe.SupportsLockOperations(domain);
        // Keys the application picks start at a random point, so a key of an earlier process on the same peer is not reused soon.
        _nextKey = System.Security.Cryptography.RandomNumberGenerator.GetInt32(1, int.MaxValue);
        Name = "fabric:" + domain.ProviderName;

        // shm keeps each endpoint's queues in a file of mode 0600 under /dev/shm, which only its own uid (and uid 0) can
        // map, and both sides map each other's: a process of another uid would reach its peer's file and not be answered,
        // or fail in libfabric's progress when it answers. Such an import moves its bytes in frames instead.
        _onlyUid = domain.ProviderName == "shm" ? RsmCredentials.ReadCurrent().Uid : null;
    }

    public string Name { get; }

    public ReadOnlySpan<byte> LocalAddress => _domain.Address;

    public bool SupportsAtomics => _atomics;

    public IDataPlaneGrant Grant(nint address, nuint length, bool write, ReadOnlySpan<byte> importerAddress, uint importerUid)
    {
        if (_onlyUid is { } uid && importerUid != uid)
        {
            throw RsmThrow.Create(RsmError.InsufficientResources, $"the {_domain.ProviderName} fabric joins processes of uid {uid} only; the importer runs as uid {importerUid}");
        }

        ulong key = (ulong)Interlocked.Increment(ref _nextKey);
        FabricRegistration registration;
        try
        {
            registration = _domain.Register(address, length, remoteRead: true, remoteWrite: write, key);
        }
        catch (RsmException ex)
        {
            throw RsmThrow.Create(RsmError.InsufficientResources, $"the fabric did not register {length} bytes: {ex.Message}");
        }

        byte[] own = _domain.Address;
        byte[] description = new byte[GrantFixedSize + own.Length];
        BinaryPrimitives.WriteUInt16LittleEndian(description, (ushort)own.Length);
        own.CopyTo(description, 2);
        BinaryPrimitives.WriteUInt64LittleEndian(description.AsSpan(2 + own.Length), registration.Key);
        BinaryPrimitives.WriteUInt64LittleEndian(description.AsSpan(10 + own.Length), registration.RemoteBase);
        BinaryPrimitives.WriteUInt64LittleEndian(description.AsSpan(18 + own.Length), length);
        Interlocked.Increment(ref _grants);
        return new Granted(this, registration, address, length, description);
    }

    public IDataPlaneWindow Open(uint exporterNodeId, ReadOnlySpan<byte> grant, TimeSpan timeout)
    {
        if (grant.Length < GrantFixedSize)
        {
            throw RsmThrow.Create(RsmError.ConnectionAborted, $"node {exporterNodeId} sent a fabric grant of {grant.Length} bytes");
        }

        int addressLength = BinaryPrimitives.ReadUInt16LittleEndian(grant);
        if (grant.Length != GrantFixedSize + addressLength)
        {
            throw RsmThrow.Create(RsmError.ConnectionAborted, $"node {exporterNodeId} sent a malformed fabric grant");
        }

        ReadOnlySpan<byte> address = grant.Slice(2, addressLength);
        ulong key = BinaryPrimitives.ReadUInt64LittleEndian(grant[(2 + addressLength)..]);
        ulong remoteBase = BinaryPrimitives.ReadUInt64LittleEndian(grant[(10 + addressLength)..]);
        ulong length = BinaryPrimitives.ReadUInt64LittleEndian(grant[(18 + addressLength)..]);
        Peer peer = AddPeer(address);
        return new Window(this, peer, key, remoteBase, length, timeout < _timeout ? timeout : _timeout);
    }

    public IEnumerable<KeyValuePair<string, object>> HealthData() =>
    [
        new("fabric.provider", _domain.ProviderName),
        new("fabric.grants", Volatile.Read(ref _grants)),
        new("fabric.peers", PeerCount()),
    ];

    public void Dispose()
    {
        lock (_peers)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            _peers.Clear();
        }

        // Closing the domain closes every registration still open: the grants stop working at the fabric.
        _domain.Dispose();
    }

    private int PeerCount()
    {
        lock (_peers)
        {
            return _peers.Count;
        }
    }

    /// <summary>The fabric address of an exporter, inserted once and shared by every window on it.</summary>
    private Peer AddPeer(ReadOnlySpan<byte> address)
    {
        string name = Convert.ToHexString(address);
        lock (_peers)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_peers.TryGetValue(name, out Peer? known))
            {
                known.Windows++;
                return known;
            }
        }

        // Inserting resolves the address locally (no wait for the peer); it happens outside the lock all the same.
        ulong handle = _domain.InsertPeer(address);
        lock (_peers)
        {
            if (_disposed)
            {
                throw RsmThrow.Create(RsmError.ConnectionAborted, "the node stopped");
            }

            if (_peers.TryGetValue(name, out Peer? raced))
            {
                _domain.RemovePeer(handle);
                raced.Windows++;
                return raced;
            }

            var peer = new Peer(name, handle) { Windows = 1 };
            _peers[name] = peer;
            return peer;
        }
    }

    private void ReleasePeer(Peer peer)
    {
        lock (_peers)
        {
            if (_disposed || --peer.Windows > 0)
            {
                return;
            }

            _peers.Remove(peer.Name);
        }

        _domain.RemovePeer(peer.Handle);
    }

    private sealed class Peer(string name, ulong handle)
    {
        public string Name { get; } = name;

        public ulong Handle { get; } = handle;

        public int Windows { get; set; }
    }

    /// <summary>
    /// One import's registration. Revoking it closes the registration and then puts scratch pages in place of the import's
    /// mapping: libfabric checks the key when a remote access starts, so a write that started before (its bytes still
    /// arriving, on tcp) or an access shm never checks would otherwise go on into the segment's pages, and into a hole
    /// once the mapping is gone. The mapping stays (over the scratch pages) for <see cref="Linger"/>, twice the
    /// fabric timeout, by which the importer has given up on anything it started.
    /// </summary>
    private sealed class Granted(FabricDataPlane plane, FabricRegistration registration, nint address, nuint length, byte[] description) : IDataPlaneGrant
    {
        private int _disposed;

        public ReadOnlySpan<byte> Description => description;

        public TimeSpan Linger => plane._timeout * 2;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0)
            {
                registration.Dispose();
                _ = ScratchPages.Replace(address, length);
                Interlocked.Decrement(ref plane._grants);
            }
        }
    }

    /// <summary>One import's window: transfers and lock operations on the exporter's registration, each bounded by the timeout.</summary>
    private sealed class Window(FabricDataPlane plane, Peer peer, ulong key, ulong remoteBase, ulong length, TimeSpan timeout) : IDataPlaneWindow
    {
        private int _disposed;

        public RsmError Read(long offset, Span<byte> destination, int accessSize)
        {
            if (!InRange(offset, destination.Length))
            {
                return RsmError.ConnectionAborted;
            }

            fixed (byte* target = destination)
            {
                if (accessSize <= 1 || destination.Length <= accessSize)
                {
                    return Result(plane._domain.Read(peer.Handle, (nint)target, (nuint)destination.Length, remoteBase + (ulong)offset, key, timeout));
                }

                // A sized read of several elements must not tear one: the exporter copies it at the element width,
                // under its node's lock, when frames serve it. One element is one transfer here.
                return RsmError.ConnectionAborted;
            }
        }

        public RsmError Write(long offset, ReadOnlySpan<byte> source, int accessSize)
        {
            if (!InRange(offset, source.Length))
            {
                return RsmError.ConnectionAborted;
            }

            fixed (byte* from = source)
            {
                if (accessSize <= 1 || source.Length <= accessSize)
                {
                    return Result(plane._domain.Write(peer.Handle, (nint)from, (nuint)source.Length, remoteBase + (ulong)offset, key, deliveryComplete: true, timeout));
                }

                // As for reads: several elements of a sized write go to the exporter in a frame, stored at their width.
                return RsmError.ConnectionAborted;
            }
        }

        public RsmError Atomic(AtomicOperation operation, long offset, ulong value, ulong comparand, int size, out ulong previous)
        {
            previous = 0;
            if (!InRange(offset, size))
            {
                return RsmError.ConnectionAborted;
            }

            ulong remote = remoteBase + (ulong)offset;
            int status;
            previous = operation switch
            {
                AtomicOperation.CompareExchange => plane._domain.CompareSwap(peer.Handle, remote, key, value, comparand, size, timeout, out status),
                AtomicOperation.Exchange => plane._domain.Swap(peer.Handle, remote, key, value, size, timeout, out status),
                _ => plane._domain.FetchAdd(peer.Handle, remote, key, value, size, timeout, out status),
            };
            return Result(status);
        }

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0)
            {
                plane.ReleasePeer(peer);
            }
        }

        private bool InRange(long offset, int count) => offset >= 0 && (ulong)offset + (ulong)count <= length;

        private static RsmError Result(int status) => status switch
        {
            0 => RsmError.Success,
            FabricDomain.TimedOut => RsmError.BarrierFailure,
            _ => RsmError.ConnectionAborted,
        };
    }
}
