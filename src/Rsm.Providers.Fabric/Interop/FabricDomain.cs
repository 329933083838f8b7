using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text;
using Rsm.Engine;
using static Rsm.Providers.Fabric.Interop.FabricCalls;
using static Rsm.Providers.Fabric.Interop.FabricConstants;

namespace Rsm.Providers.Fabric.Interop;

/// <summary>
/// One libfabric domain with one reliable-datagram endpoint: fabric, domain, a completion queue, an address vector
/// (FI_AV_TABLE) and the endpoint bound to both. Reads, writes and fetching atomics may be called from many threads at
/// once: each posts with a completion context of its own from a pool and waits for that completion, reading the
/// completion queue itself meanwhile (which completes the operations of other threads it meets). A progress thread reads
/// the queue while nobody waits, because the providers progress manually: the target side of a remote access is served
/// only while its domain progresses.
/// </summary>
/// <remarks>
/// Transfers of up to <see cref="StagingSize"/> bytes, and the operands of the atomics, go through a staging area of the
/// operation's context (copied); longer ones use the caller's memory directly, with no descriptor, unless the domain
/// reports FI_MR_LOCAL: then the caller's buffer is registered for the duration of the operation. A timed-out context is
/// not reused before its completion arrives (or the endpoint closes); a longer transfer that timed out may still be
/// written into the caller's memory until its completion arrives or the domain is disposed.
/// </remarks>
internal sealed unsafe class FabricDomain : IDisposable
{
    /// <summary>The status of an operation that did not complete before its timeout.</summary>
    public const int TimedOut = -4096;

    /// <summary>The status of an operation on a domain that is disposed, or was disposed while it waited.</summary>
    public const int Closed = -4097;

    /// <summary>The longest transfer copied through a context's staging area; longer ones use the caller's memory.</summary>
    public const int StagingSize = 4096;

    /// <summary>The number of operation contexts: the operations that can be outstanding at once.</summary>
    public const int ContextCount = 256;

    private const int ContextSize = 64; // sizeof(struct fi_context2)
    private const int MrModesHandled = FI_MR_LOCAL | FI_MR_VIRT_ADDR | FI_MR_ALLOCATED | FI_MR_PROV_KEY | FI_MR_ENDPOINT;
    private static readonly long s_spinTicks = Stopwatch.Frequency / 20_000; // 50 us
    private static readonly long s_yieldTicks = Stopwatch.Frequency / 500; // 2 ms
    private const int IdlePollMilliseconds = 5; // how often a polled domain that nobody can access reads its queue
    private const int StateOpen = 0;
    private const int StateClosing = 1;
    private const int StateDisposed = 2;

    // Context states.
    private const int Free = 0;
    private const int Owned = 1;
    private const int Posted = 2;
    private const int Completed = 3;
    private const int Abandoned = 4;

    private static long _internalKeys;

    private readonly FabricLibrary.Loaded _library;
    private readonly Context[] _contexts = new Context[ContextCount];
    private readonly int[] _freeList = new int[ContextCount];
    private readonly Lock _freeLock = new();
    private readonly Lock _progressLock = new();
    private readonly Lock _serialLock = new();
    private readonly Lock _registrationLock = new();
    private readonly HashSet<FabricRegistration> _registrations = [];
    private readonly bool _serialize;
    private readonly bool _cqWait;
    private readonly bool _pollOnly;
    private readonly bool _atomics;
    private readonly bool _mrLocal;
    private readonly Thread _progressThread;
    private FiInfo* _info;
    private FidFabric* _fabric;
    private FidDomain* _domain;
    private FidCq* _cq;
    private FidAv* _av;
    private FidEp* _ep;
    private FidMr* _stagingMr;
    private void* _stagingDesc;
    private byte* _contextMemory;
    private byte* _staging;
    private int _freeCount;
    private int _state;
    private int _users;
    private int _waiters;
    private int _remoteRegistrations;
    private long _progressCalls;
    private bool _paused;

    private FabricDomain(FabricLibrary.Loaded library, FiInfo* info, bool atomics, bool registerLocal)
    {
        _library = library;
        _info = info;
        _atomics = atomics;
        FiDomainAttr* domainAttr = info->domain_attr;
        ProviderName = Text(info->fabric_attr->prov_name);
        FabricName = Text(info->fabric_attr->name);
        DomainName = Text(domainAttr->name);
        MrMode = domainAttr->mr_mode;
        Threading = domainAttr->threading;
        ControlProgress = domainAttr->control_progress;
        DataProgress = domainAttr->data_progress;
        Caps = info->caps;
        _mrLocal = (MrMode & FI_MR_LOCAL) != 0 || registerLocal;
        _serialize = Threading != FI_THREAD_SAFE;
        nuint max = info->ep_attr->max_msg_size;
        MaxRmaSize = max == 0 || max > (1UL << 30) ? 1UL << 30 : max;
        for (int i = 0; i < ContextCount; i++)
        {
            _contexts[i] = new Context();
            _freeList[i] = ContextCount - 1 - i;
        }

        _freeCount = ContextCount;

        // shm's blocking read never blocks: it progresses and yields in a loop until a completion or a signal. Its
        // target accesses progress only by polling, so this domain polls while remote endpoints may access it.
        _pollOnly = ProviderName == "shm";
        try
        {
            OpenObjects(out _cqWait);
        }
        catch
        {
            CloseNative();
            throw;
        }

        _progressThread = new Thread(ProgressLoop) { IsBackground = true, Name = "Rsm fabric progress" };
        _progressThread.Start();
    }

    /// <summary>The provider libfabric chose, for example <c>tcp;ofi_rxm</c> or <c>shm</c>.</summary>
    public string ProviderName { get; }

    /// <summary>The fabric's name (for tcp the subnet, for example <c>127.0.0.1/32</c>).</summary>
    public string FabricName { get; }

    /// <summary>The domain's name (for tcp the interface, for example <c>lo</c>).</summary>
    public string DomainName { get; }

    /// <summary>The memory registration modes the domain reported (FI_MR_* bits).</summary>
    public int MrMode { get; }

    /// <summary>The threading model the domain reported (FI_THREAD_*).</summary>
    public int Threading { get; }

    /// <summary>The control progress model (FI_PROGRESS_*).</summary>
    public int ControlProgress { get; }

    /// <summary>The data progress model (FI_PROGRESS_*).</summary>
    public int DataProgress { get; }

    /// <summary>The capabilities granted (FI_* bits).</summary>
    public ulong Caps { get; }

    /// <summary>The longest single transfer: the endpoint's max_msg_size, at most 1 GiB; longer ones are split.</summary>
    public ulong MaxRmaSize { get; }

    /// <summary>The endpoint's address (fi_getname), for <see cref="InsertPeer"/> on the other side.</summary>
    public byte[] Address { get; private set; } = [];

    /// <summary>Whether local buffers are registered: the domain reports FI_MR_LOCAL (or was opened to act so).</summary>
    public bool RegistersLocalBuffers => _mrLocal;

    /// <summary>Whether the completion queue has a wait object the progress thread blocks on (fi_cq_sread).</summary>
    public bool HasWaitObject => _cqWait;

    /// <summary>How often a thread read the completion queue (for tests and health data).</summary>
    public long ProgressCalls => Interlocked.Read(ref _progressCalls);

    /// <summary>
    /// Stops this domain's progress (its progress thread and the threads that wait), so the tests can show what a target
    /// that does not progress does to its initiators. Never set in production.
    /// </summary>
    internal bool PauseProgress
    {
        get => Volatile.Read(ref _paused);
        set
        {
            Volatile.Write(ref _paused, value);
            if (value && _cqWait && Enter())
            {
                try
                {
                    _ = fi_cq_signal(_cq);
                }
                finally
                {
                    Exit();
                }
            }
        }
    }

    /// <summary>Whether the domain is disposed or being disposed.</summary>
    public bool IsClosed => Volatile.Read(ref _state) != StateOpen;

    /// <summary>
    /// Opens a domain and an endpoint of <paramref name="providerName"/> (a <c>;</c>-layered name such as
    /// <c>tcp;ofi_rxm</c> is matched as libfabric matches it).
    /// </summary>
    /// <param name="providerName">The provider, as <c>fi_info -p</c> names it.</param>
    /// <param name="interfaceOrNode">The domain name (for tcp the network interface, for verbs the NIC), or null for the first.</param>
    /// <returns>The open domain.</returns>
    /// <exception cref="RsmException">ControllerNotPresent (4): libfabric is not installed, or offers no such provider with RMA.</exception>
    public static FabricDomain Open(string providerName, string? interfaceOrNode = null) => Open(providerName, interfaceOrNode, registerLocal: false);

    /// <summary>
    /// Opens a domain that, with <paramref name="registerLocal"/>, registers local buffers as under FI_MR_LOCAL even
    /// when the provider does not need it (the tests run that path on providers that do not report it).
    /// </summary>
    internal static FabricDomain Open(string providerName, string? interfaceOrNode, bool registerLocal)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(providerName);
        FabricLibrary.Loaded library = FabricLibrary.EnsureLoadedCore();
        bool atomics = true;
        int rc = GetInfo(library, providerName, atomics: true, threadSafe: true, out FiInfo* info);
        if (rc == -FI_ENODATA)
        {
            // A provider without atomics still moves bytes.
            atomics = false;
            rc = GetInfo(library, providerName, atomics: false, threadSafe: true, out info);
        }

        if (rc == -FI_ENODATA)
        {
            // A provider that is not thread safe is driven under a lock.
            rc = GetInfo(library, providerName, atomics, threadSafe: false, out info);
        }

        if (rc != 0 || info is null)
        {
            string where = interfaceOrNode is null ? string.Empty : $" on '{interfaceOrNode}'";
            throw RsmThrow.Create(
                RsmError.ControllerNotPresent,
                $"libfabric {FabricLibrary.VersionText(library.LibraryVersion)} offers no provider '{providerName}'{where} with reliable datagram endpoints and RMA: {FabricLibrary.ErrorText(rc)} (fi_info -p '{providerName}' lists what it offers)");
        }

        // A layered provider does not always filter on the domain name: the first entry of that domain (or fabric,
        // for example the subnet 127.0.0.1/32 of tcp) is chosen here. The chosen entry is kept; the domain owns it.
        FiInfo* chosen = info;
        if (interfaceOrNode is not null)
        {
            chosen = null;
            var offered = new List<string>();
            for (FiInfo* entry = info; entry is not null; entry = entry->next)
            {
                string domainName = Text(entry->domain_attr->name);
                string fabricName = Text(entry->fabric_attr->name);
                if (domainName == interfaceOrNode || fabricName == interfaceOrNode)
                {
                    chosen = entry;
                    break;
                }

                offered.Add($"{domainName} ({fabricName})");
            }

            if (chosen is null)
            {
                library.fi_freeinfo(info);
                throw RsmThrow.Create(
                    RsmError.ControllerNotPresent,
                    $"libfabric provider '{providerName}' has no domain or fabric '{interfaceOrNode}'; it offers {string.Join(", ", offered.Distinct())}");
            }
        }

        FiInfo* kept = library.fi_dupinfo(chosen);
        library.fi_freeinfo(info);
        if (kept is null)
        {
            throw RsmThrow.Create(RsmError.InsufficientResources, "fi_dupinfo failed");
        }

        info = kept;
        return new FabricDomain(library, info, atomics, registerLocal);
    }

    private static int GetInfo(FabricLibrary.Loaded library, string providerName, bool atomics, bool threadSafe, out FiInfo* info)
    {
        info = null;
        FiInfo* hints = library.fi_dupinfo(null);
        if (hints is null)
        {
            return -FI_ENOMEM;
        }

        try
        {
            hints->caps = FI_RMA | FI_READ | FI_WRITE | FI_REMOTE_READ | FI_REMOTE_WRITE | (atomics ? FI_ATOMIC : 0);
            hints->mode = FI_CONTEXT | FI_CONTEXT2;
            hints->ep_attr->type = FI_EP_RDM;
            hints->domain_attr->threading = threadSafe ? FI_THREAD_SAFE : FI_THREAD_UNSPEC;
            hints->domain_attr->mr_mode = MrModesHandled;
            hints->fabric_attr->prov_name = CopyText(providerName);
            FiInfo* found = null;
            int rc = library.fi_getinfo(library.ApiVersion, null, null, 0, hints, &found);
            info = found;
            return rc;
        }
        finally
        {
            // fi_freeinfo frees the strings too: they were allocated with malloc (NativeMemory.Alloc).
            library.fi_freeinfo(hints);
        }
    }

    private void OpenObjects(out bool cqWait)
    {
        cqWait = false;
        int rc;
        FidFabric* fabric;
        Check(_library.fi_fabric(_info->fabric_attr, &fabric, null), "fi_fabric");
        _fabric = fabric;
        FidDomain* domain;
        Check(fi_domain(_fabric, _info, &domain, null), "fi_domain");
        _domain = domain;

        // A wait object lets the progress thread block in fi_cq_sread; without one it polls.
        nuint queue = _info->tx_attr->size + _info->rx_attr->size;
        FiCqAttr cqAttr = new() { size = queue < 1024 ? 1024 : queue, format = FI_CQ_FORMAT_CONTEXT, wait_obj = _serialize ? FI_WAIT_NONE : FI_WAIT_UNSPEC, wait_cond = FI_CQ_COND_NONE };
        FidCq* cq;
        rc = fi_cq_open(_domain, &cqAttr, &cq, null);
        if (rc != 0 && cqAttr.wait_obj != FI_WAIT_NONE)
        {
            cqAttr.wait_obj = FI_WAIT_NONE;
            rc = fi_cq_open(_domain, &cqAttr, &cq, null);
        }

        Check(rc, "fi_cq_open");
        _cq = cq;
        cqWait = cqAttr.wait_obj != FI_WAIT_NONE;

        FiAvAttr avAttr = new() { type = FI_AV_TABLE, count = 64 };
        FidAv* av;
        Check(fi_av_open(_domain, &avAttr, &av, null), "fi_av_open");
        _av = av;

        FidEp* ep;
        Check(fi_endpoint(_domain, _info, &ep, null), "fi_endpoint");
        _ep = ep;
        Check(fi_ep_bind(_ep, &_av->fid, 0), "fi_ep_bind(av)");
        Check(fi_ep_bind(_ep, &_cq->fid, FI_TRANSMIT | FI_RECV), "fi_ep_bind(cq)");
        Check(fi_enable(_ep), "fi_enable");

        byte* name = stackalloc byte[256];
        nuint length = 256;
        Check(fi_getname(&_ep->fid, name, &length), "fi_getname");
        Address = new ReadOnlySpan<byte>(name, (int)length).ToArray();

        // The contexts (fi_context2 each) and their staging areas, page aligned, live until the endpoint is closed.
        _contextMemory = (byte*)NativeMemory.AlignedAlloc((nuint)(ContextCount * ContextSize), 64);
        NativeMemory.Clear(_contextMemory, (nuint)(ContextCount * ContextSize));
        _staging = (byte*)NativeMemory.AlignedAlloc((nuint)ContextCount * StagingSize, 4096);
        NativeMemory.Clear(_staging, (nuint)ContextCount * StagingSize);
        if (_mrLocal)
        {
            _stagingMr = RegisterNative((nint)_staging, (nuint)ContextCount * StagingSize, FI_READ | FI_WRITE, NextInternalKey(), out rc);
            Check(rc, "fi_mr_reg(staging)");
            _stagingDesc = fi_mr_desc(_stagingMr);
        }
    }

    private void Check(int rc, string call)
    {
        if (rc != 0)
        {
            throw RsmThrow.Create(RsmError.ControllerNotPresent, $"libfabric provider '{ProviderName}': {call} failed: {FabricLibrary.ErrorText(rc)}");
        }
    }

    /// <summary>Inserts a peer's endpoint address (its <see cref="Address"/>) and returns its handle for the operations.</summary>
    /// <exception cref="RsmException">RemoteNodeUnreachable (39): the provider rejected the address.</exception>
    public ulong InsertPeer(ReadOnlySpan<byte> address)
    {
        if (!Enter())
        {
            throw RsmThrow.Create(RsmError.ConnectionAborted, "the fabric domain is closed");
        }

        try
        {
            ulong handle = ulong.MaxValue;
            int rc;
            fixed (byte* bytes = address)
            {
                using (SerialScope())
                {
                    rc = fi_av_insert(_av, bytes, 1, &handle, 0, null);
                }
            }

            if (rc != 1 || handle == ulong.MaxValue)
            {
                throw RsmThrow.Create(RsmError.RemoteNodeUnreachable, $"libfabric provider '{ProviderName}' did not accept the peer address {Convert.ToHexString(address)}: {FabricLibrary.ErrorText(rc < 0 ? rc : -FI_EINVAL)}");
            }

            return handle;
        }
        finally
        {
            Exit();
        }
    }

    /// <summary>Removes a peer inserted with <see cref="InsertPeer"/>; nothing when the domain is closed.</summary>
    public void RemovePeer(ulong peer)
    {
        if (!Enter())
        {
            return;
        }

        try
        {
            using (SerialScope())
            {
                _ = fi_av_remove(_av, &peer, 1, 0);
            }
        }
        finally
        {
            Exit();
        }
    }

    /// <summary>Registers memory for remote access (fi_mr_reg, bound to the endpoint and enabled under FI_MR_ENDPOINT).</summary>
    /// <param name="address">The first byte.</param>
    /// <param name="length">The number of bytes.</param>
    /// <param name="remoteRead">Whether remote endpoints may read it.</param>
    /// <param name="remoteWrite">Whether remote endpoints may write it (and run atomics on it).</param>
    /// <param name="requestedKey">The key unless the provider chooses them (FI_MR_PROV_KEY); unique in the domain.</param>
    /// <returns>The registration.</returns>
    /// <exception cref="RsmException">InsufficientResources (31): the provider refused; ConnectionAborted (40): the domain is closed.</exception>
    public FabricRegistration Register(nint address, nuint length, bool remoteRead, bool remoteWrite, ulong requestedKey)
    {
        if (!Enter())
        {
            throw RsmThrow.Create(RsmError.ConnectionAborted, "the fabric domain is closed");
        }

        try
        {
            ulong access = (remoteRead ? FI_REMOTE_READ : 0) | (remoteWrite ? FI_REMOTE_WRITE : 0);
            if (_mrLocal)
            {
                access |= FI_READ | FI_WRITE;
            }

            FidMr* mr = RegisterNative(address, length, access, requestedKey, out int rc);
            if (rc != 0)
            {
                throw RsmThrow.Create(RsmError.InsufficientResources, $"libfabric provider '{ProviderName}' did not register {length} bytes at 0x{address:x} with key {requestedKey}: {FabricLibrary.ErrorText(rc)}");
            }

            ulong remoteBase = (MrMode & FI_MR_VIRT_ADDR) != 0 ? (ulong)address : 0;
            var registration = new FabricRegistration(this, mr, address, length, remoteBase, remote: remoteRead || remoteWrite);
            lock (_registrationLock)
            {
                _registrations.Add(registration);
                if (registration.Remote)
                {
                    _remoteRegistrations++;
                }
            }

            return registration;
        }
        finally
        {
            Exit();
        }
    }

    private FidMr* RegisterNative(nint address, nuint length, ulong access, ulong key, out int rc)
    {
        FidMr* mr = null;
        using (SerialScope())
        {
            rc = fi_mr_reg(_domain, (void*)address, length, access, 0, key, 0, &mr, null);
            if (rc == 0 && (MrMode & FI_MR_ENDPOINT) != 0)
            {
                rc = fi_mr_bind(mr, &_ep->fid, 0);
                if (rc == 0)
                {
                    rc = fi_mr_enable(mr);
                }

                if (rc != 0)
                {
                    _ = fi_close(&mr->fid);
                    mr = null;
                }
            }
        }

        return rc == 0 ? mr : null;
    }

    private static ulong NextInternalKey() => (1UL << 62) | (ulong)Interlocked.Increment(ref _internalKeys);

    internal void Unregister(FabricRegistration registration)
    {
        lock (_registrationLock)
        {
            if (registration.Mr is null || !_registrations.Contains(registration))
            {
                return;
            }

            // A domain being disposed closes what is left after its endpoint; closing here meanwhile could race it.
            if (!Enter())
            {
                return;
            }

            try
            {
                _registrations.Remove(registration);
                if (registration.Remote)
                {
                    _remoteRegistrations--;
                }

                FidMr* mr = registration.Mr;
                registration.Mr = null;
                using (SerialScope())
                {
                    _ = fi_close(&mr->fid);
                }
            }
            finally
            {
                Exit();
            }
        }
    }

    /// <summary>Whether the domain runs <paramref name="operation"/> on words of <paramref name="size"/> (4 or 8) bytes.</summary>
    public bool SupportsAtomic(FabricAtomic operation, int size)
    {
        if (!_atomics || (size != 4 && size != 8) || !Enter())
        {
            return false;
        }

        try
        {
            int datatype = size == 4 ? FI_UINT32 : FI_UINT64;
            (int op, ulong flags) = Native(operation);
            FiAtomicAttr attr = default;
            int rc = fi_query_atomic(_domain, datatype, op, &attr, flags);
            if (rc == 0)
            {
                return attr.count >= 1;
            }

            if (rc != -FI_ENOSYS || _ep->atomic is null)
            {
                return false;
            }

            nuint count = 0;
            rc = operation == FabricAtomic.CompareSwap
                ? fi_compare_atomicvalid(_ep, datatype, op, &count)
                : fi_fetch_atomicvalid(_ep, datatype, op, &count);
            return rc == 0 && count >= 1;
        }
        finally
        {
            Exit();
        }
    }

    private static (int Op, ulong Flags) Native(FabricAtomic operation) => operation switch
    {
        FabricAtomic.CompareSwap => (FI_CSWAP, FI_COMPARE_ATOMIC),
        FabricAtomic.Swap => (FI_ATOMIC_WRITE, FI_FETCH_ATOMIC),
        _ => (FI_SUM, FI_FETCH_ATOMIC),
    };

    /// <summary>Reads <paramref name="length"/> bytes of a peer's registration into <paramref name="local"/>.</summary>
    /// <returns>0, a negative libfabric errno of the completion, <see cref="TimedOut"/> or <see cref="Closed"/>.</returns>
    public int Read(ulong peer, nint local, nuint length, ulong remoteAddress, ulong key, TimeSpan timeout) =>
        Transfer(peer, local, length, remoteAddress, key, write: false, deliveryComplete: false, timeout);

    /// <summary>
    /// Writes <paramref name="length"/> bytes of <paramref name="local"/> into a peer's registration; with
    /// <paramref name="deliveryComplete"/> the completion means the bytes are in the target's memory (FI_DELIVERY_COMPLETE).
    /// </summary>
    /// <returns>0, a negative libfabric errno of the completion, <see cref="TimedOut"/> or <see cref="Closed"/>.</returns>
    public int Write(ulong peer, nint local, nuint length, ulong remoteAddress, ulong key, bool deliveryComplete, TimeSpan timeout) =>
        Transfer(peer, local, length, remoteAddress, key, write: true, deliveryComplete, timeout);

    /// <summary>Adds <paramref name="value"/> to a 4- or 8-byte word of a peer's registration and returns the previous value.</summary>
    public ulong FetchAdd(ulong peer, ulong remoteAddress, ulong key, ulong value, int size, TimeSpan timeout, out int status)
    {
        _ = TryFetchAtomic(FabricAtomic.FetchAdd, peer, remoteAddress, key, value, 0, size, timeout, out ulong previous, out status);
        return previous;
    }

    /// <summary>Stores <paramref name="value"/> where the word equals <paramref name="comparand"/>; returns the previous value.</summary>
    public ulong CompareSwap(ulong peer, ulong remoteAddress, ulong key, ulong value, ulong comparand, int size, TimeSpan timeout, out int status)
    {
        _ = TryFetchAtomic(FabricAtomic.CompareSwap, peer, remoteAddress, key, value, comparand, size, timeout, out ulong previous, out status);
        return previous;
    }

    /// <summary>Stores <paramref name="value"/> and returns the previous value.</summary>
    public ulong Swap(ulong peer, ulong remoteAddress, ulong key, ulong value, int size, TimeSpan timeout, out int status)
    {
        _ = TryFetchAtomic(FabricAtomic.Swap, peer, remoteAddress, key, value, 0, size, timeout, out ulong previous, out status);
        return previous;
    }

    /// <summary>Runs a fetching atomic on a 4- or 8-byte word of a peer's registration.</summary>
    /// <returns>Whether it completed; <paramref name="status"/> is 0 then, else a negative errno, <see cref="TimedOut"/> or <see cref="Closed"/>.</returns>
    public bool TryFetchAtomic(FabricAtomic operation, ulong peer, ulong remoteAddress, ulong key, ulong value, ulong comparand, int size, TimeSpan timeout, out ulong previous, out int status)
    {
        previous = 0;
        if (size != 4 && size != 8)
        {
            status = -FI_EINVAL;
            return false;
        }

        if (!_atomics)
        {
            status = -FI_EOPNOTSUPP;
            return false;
        }

        if (!Enter())
        {
            status = Closed;
            return false;
        }

        try
        {
            long deadline = Deadline(timeout);
            int index = Acquire(deadline);
            if (index < 0)
            {
                status = index;
                return false;
            }

            byte* area = _staging + ((nint)index * StagingSize);
            if (size == 4)
            {
                *(uint*)area = (uint)value;
                *(uint*)(area + 8) = (uint)comparand;
                *(uint*)(area + 16) = 0;
            }
            else
            {
                *(ulong*)area = value;
                *(ulong*)(area + 8) = comparand;
                *(ulong*)(area + 16) = 0;
            }

            var post = new PostArgs
            {
                Kind = operation == FabricAtomic.CompareSwap ? OpKind.Compare : OpKind.Fetch,
                Peer = peer,
                Buffer = area,
                Length = 1,
                Desc = _stagingDesc,
                Remote = remoteAddress,
                Key = key,
                Datatype = size == 4 ? FI_UINT32 : FI_UINT64,
                Op = Native(operation).Op,
            };
            status = PostAndWait(index, ref post, deadline);
            if (status == 0)
            {
                previous = size == 4 ? *(uint*)(area + 16) : *(ulong*)(area + 16);
                Release(index);
                return true;
            }

            return false;
        }
        finally
        {
            Exit();
        }
    }

    private int Transfer(ulong peer, nint local, nuint length, ulong remoteAddress, ulong key, bool write, bool deliveryComplete, TimeSpan timeout)
    {
        if (length == 0)
        {
            return 0;
        }

        if (!Enter())
        {
            return Closed;
        }

        try
        {
            long deadline = Deadline(timeout);
            nuint done = 0;
            while (done < length)
            {
                nuint chunk = length - done;
                if (chunk > MaxRmaSize)
                {
                    chunk = (nuint)MaxRmaSize;
                }

                int status = TransferChunk(peer, (byte*)local + done, chunk, remoteAddress + done, key, write, deliveryComplete, deadline);
                if (status != 0)
                {
                    return status;
                }

                done += chunk;
            }

            return 0;
        }
        finally
        {
            Exit();
        }
    }

    private int TransferChunk(ulong peer, byte* local, nuint length, ulong remote, ulong key, bool write, bool deliveryComplete, long deadline)
    {
        int index = Acquire(deadline);
        if (index < 0)
        {
            return index;
        }

        Context context = _contexts[index];
        bool staged = length <= StagingSize;
        byte* buffer = staged ? _staging + ((nint)index * StagingSize) : local;
        void* desc = staged ? _stagingDesc : null;
        if (!staged && _mrLocal)
        {
            // The caller's buffer is registered for this operation only; its context closes it after the completion.
            context.LocalMr = RegisterNative((nint)local, length, FI_READ | FI_WRITE, NextInternalKey(), out int rc);
            if (rc != 0)
            {
                Release(index);
                return rc;
            }

            desc = fi_mr_desc(context.LocalMr);
        }

        if (staged && write)
        {
            Buffer.MemoryCopy(local, buffer, length, length);
        }

        var post = new PostArgs
        {
            Kind = write ? (deliveryComplete ? OpKind.WriteDelivered : OpKind.Write) : OpKind.Read,
            Peer = peer,
            Buffer = buffer,
            Length = length,
            Desc = desc,
            Remote = remote,
            Key = key,
        };
        int status = PostAndWait(index, ref post, deadline);
        if (status == 0)
        {
            if (staged && !write)
            {
                Buffer.MemoryCopy(buffer, local, length, length);
            }

            Release(index);
        }

        return status;
    }

    private enum OpKind
    {
        Read,
        Write,
        WriteDelivered,
        Fetch,
        Compare,
    }

    private struct PostArgs
    {
        public OpKind Kind;
        public ulong Peer;
        public byte* Buffer;
        public nuint Length;
        public void* Desc;
        public ulong Remote;
        public ulong Key;
        public int Datatype;
        public int Op;
    }

    private nint PostOnce(ref PostArgs a, void* context)
    {
        using (SerialScope())
        {
            switch (a.Kind)
            {
                case OpKind.Read:
                    return fi_read(_ep, a.Buffer, a.Length, a.Desc, a.Peer, a.Remote, a.Key, context);
                case OpKind.Write:
                    return fi_write(_ep, a.Buffer, a.Length, a.Desc, a.Peer, a.Remote, a.Key, context);
                case OpKind.WriteDelivered:
                    IoVec iov = new() { iov_base = a.Buffer, iov_len = a.Length };
                    FiRmaIov rma = new() { addr = a.Remote, len = a.Length, key = a.Key };
                    void* desc = a.Desc;
                    FiMsgRma msg = new() { msg_iov = &iov, desc = &desc, iov_count = 1, addr = a.Peer, rma_iov = &rma, rma_iov_count = 1, context = context };
                    return fi_writemsg(_ep, &msg, FI_COMPLETION | FI_DELIVERY_COMPLETE);
                case OpKind.Fetch:
                    return fi_fetch_atomic(_ep, a.Buffer, 1, a.Desc, a.Buffer + 16, a.Desc, a.Peer, a.Remote, a.Key, a.Datatype, a.Op, context);
                default:
                    return fi_compare_atomic(_ep, a.Buffer, 1, a.Desc, a.Buffer + 8, a.Desc, a.Buffer + 16, a.Desc, a.Peer, a.Remote, a.Key, a.Datatype, a.Op, context);
            }
        }
    }

    /// <summary>
    /// Posts (again while the provider answers -FI_EAGAIN, progressing meanwhile) and waits for the completion. On success
    /// the context is still owned (the caller copies out and releases it); on failure it is released or abandoned here.
    /// </summary>
    private int PostAndWait(int index, ref PostArgs post, long deadline)
    {
        Context context = _contexts[index];
        void* native = _contextMemory + ((nint)index * ContextSize);
        Interlocked.Increment(ref _waiters);
        try
        {
            long started = Stopwatch.GetTimestamp();
            while (true)
            {
                // Posted before the call: the completion may be read by another thread before the call returns.
                Volatile.Write(ref context.State, Posted);
                nint rc = PostOnce(ref post, native);
                if (rc == 0)
                {
                    break;
                }

                Volatile.Write(ref context.State, Owned);
                if (rc != -FI_EAGAIN)
                {
                    ReleaseFailed(index);
                    return (int)rc;
                }

                if (IsClosed)
                {
                    ReleaseFailed(index);
                    return Closed;
                }

                if (Stopwatch.GetTimestamp() >= deadline)
                {
                    ReleaseFailed(index);
                    return TimedOut;
                }

                Progress();
                Backoff(started);
            }

            started = Stopwatch.GetTimestamp();
            while (true)
            {
                if (Volatile.Read(ref context.State) == Completed)
                {
                    return Finish(index);
                }

                Progress();
                if (Volatile.Read(ref context.State) == Completed)
                {
                    return Finish(index);
                }

                bool closing = IsClosed;
                if (closing || Stopwatch.GetTimestamp() >= deadline)
                {
                    // The completion may still arrive: the context stays out of the pool until then.
                    if (Interlocked.CompareExchange(ref context.State, Abandoned, Posted) == Posted)
                    {
                        return closing ? Closed : TimedOut;
                    }

                    return Finish(index);
                }

                Backoff(started);
            }
        }
        finally
        {
            Interlocked.Decrement(ref _waiters);
        }
    }

    private int Finish(int index)
    {
        Context context = _contexts[index];
        int status = context.Result;
        Volatile.Write(ref context.State, Owned);
        if (status != 0)
        {
            Release(index);
        }

        return status;
    }

    private void ReleaseFailed(int index) => Release(index);

    /// <summary>
    /// Pauses a thread that polls for a completion it waits for, by how long it has waited: it spins (one normalized
    /// spin, shorter than a poll of the queue) for the first 50 us, then yields until 2 ms, then sleeps 1 ms at a time.
    /// The waiting thread drives the queue itself, so a sleep delays the transfer it waits for: by the wait's time
    /// rather than by a count of rounds, a transfer of a few hundred microseconds is never slept on, however cheap the
    /// rounds before it were.
    /// </summary>
    private static void Backoff(long started)
    {
        long waited = Stopwatch.GetTimestamp() - started;
        if (waited < s_spinTicks)
        {
            Thread.SpinWait(1);
        }
        else if (waited < s_yieldTicks)
        {
            _ = Thread.Yield();
        }
        else
        {
            Thread.Sleep(1);
        }
    }

    private static long Deadline(TimeSpan timeout)
    {
        if (timeout < TimeSpan.Zero || timeout == Timeout.InfiniteTimeSpan)
        {
            return long.MaxValue;
        }

        double ticks = timeout.TotalSeconds * Stopwatch.Frequency;
        long now = Stopwatch.GetTimestamp();
        return ticks >= long.MaxValue - now ? long.MaxValue : now + (long)ticks;
    }

    /// <summary>Takes a free context, progressing while all are outstanding; a negative status when none frees in time.</summary>
    private int Acquire(long deadline)
    {
        long started = Stopwatch.GetTimestamp();
        while (true)
        {
            lock (_freeLock)
            {
                if (_freeCount > 0)
                {
                    int index = _freeList[--_freeCount];
                    Context context = _contexts[index];
                    context.Result = 0;
                    Volatile.Write(ref context.State, Owned);
                    return index;
                }
            }

            if (IsClosed)
            {
                return Closed;
            }

            if (Stopwatch.GetTimestamp() >= deadline)
            {
                return TimedOut;
            }

            Progress();
            Backoff(started);
        }
    }

    private void Release(int index)
    {
        Context context = _contexts[index];
        if (context.LocalMr is not null)
        {
            FidMr* mr = context.LocalMr;
            context.LocalMr = null;
            using (SerialScope())
            {
                _ = fi_close(&mr->fid);
            }
        }

        Volatile.Write(ref context.State, Free);
        lock (_freeLock)
        {
            _freeList[_freeCount++] = index;
        }
    }

    /// <summary>Reads what the completion queue holds, unless another thread reads it right now.</summary>
    private void Progress()
    {
        if (PauseProgress || !_progressLock.TryEnter())
        {
            return;
        }

        try
        {
            Interlocked.Increment(ref _progressCalls);
            FiCqEntry* entries = stackalloc FiCqEntry[16];
            nint count;
            using (SerialScope())
            {
                count = fi_cq_read(_cq, entries, 16);
            }

            Drain(entries, count);
        }
        finally
        {
            _progressLock.Exit();
        }
    }

    private void Drain(FiCqEntry* entries, nint count)
    {
        if (count > 0)
        {
            for (nint i = 0; i < count; i++)
            {
                Complete(entries[i].op_context, 0);
            }
        }
        else if (count == -FI_EAVAIL)
        {
            FiCqErrEntry error = default;
            nint read;
            using (SerialScope())
            {
                read = fi_cq_readerr(_cq, &error, 0);
            }

            if (read > 0)
            {
                Complete(error.op_context, error.err > 0 ? -error.err : -FI_EOTHER);
            }
        }
    }

    private void Complete(void* nativeContext, int status)
    {
        nint offset = (nint)((byte*)nativeContext - _contextMemory);
        if (offset < 0 || offset >= ContextCount * ContextSize || offset % ContextSize != 0)
        {
            return; // Not an operation of ours.
        }

        int index = (int)(offset / ContextSize);
        Context context = _contexts[index];
        context.Result = status;
        int previous = Interlocked.CompareExchange(ref context.State, Completed, Posted);
        if (previous == Abandoned)
        {
            // Its waiter gave up: the context goes back to the pool now that the provider is done with it.
            Release(index);
        }
    }

    private void ProgressLoop()
    {
        FiCqEntry* entries = stackalloc FiCqEntry[16];
        int idle = 0;
        while (Volatile.Read(ref _state) == StateOpen)
        {
            if (PauseProgress || Volatile.Read(ref _waiters) > 0)
            {
                // The waiting threads progress (the remote accesses to this domain too); this one steps aside, so a
                // completion is not taken by a thread that may be preempted before it marks it.
                Thread.Sleep(1);
                continue;
            }

            if (_cqWait && !_pollOnly)
            {
                Interlocked.Increment(ref _progressCalls);
                nint count = fi_cq_sread(_cq, entries, 16, null, 10);
                if (count > 0 || count == -FI_EAVAIL)
                {
                    using (_progressLock.EnterScope())
                    {
                        Drain(entries, count);
                    }
                }

                continue;
            }

            if (_pollOnly && Volatile.Read(ref _remoteRegistrations) == 0)
            {
                // Nothing can reach this domain but late completions of operations whose waiters gave up: a poll
                // every few milliseconds retires them, and an idle node costs no processor.
                Thread.Sleep(IdlePollMilliseconds);
            }

            bool busy = PollOnce(entries);
            idle = busy ? 0 : idle + 1;
            if (_pollOnly)
            {
                // Remote endpoints may access this domain, and their accesses move only when it is polled: it is polled
                // without pause, stepping aside for other threads now and then.
                if ((idle & 31) == 31)
                {
                    _ = Thread.Yield();
                }
            }
            else if (idle > 2000)
            {
                Thread.Sleep(1);
            }
            else if (idle > 200)
            {
                _ = Thread.Yield();
            }
        }
    }

    /// <summary>Reads the completion queue once unless another thread reads it; whether it held a completion.</summary>
    private bool PollOnce(FiCqEntry* entries)
    {
        if (!_progressLock.TryEnter())
        {
            return false;
        }

        try
        {
            Interlocked.Increment(ref _progressCalls);
            nint count;
            using (SerialScope())
            {
                count = fi_cq_read(_cq, entries, 16);
            }

            Drain(entries, count);
            return count > 0;
        }
        finally
        {
            _progressLock.Exit();
        }
    }

    private Serial SerialScope() => new(_serialize ? _serialLock : null);

    /// <summary>Holds the lock around a call when the provider is not thread safe; nothing otherwise.</summary>
    private readonly ref struct Serial
    {
        private readonly Lock? _lock;

        public Serial(Lock? gate)
        {
            _lock = gate;
            gate?.Enter();
        }

        public void Dispose() => _lock?.Exit();
    }

    private bool Enter()
    {
        Interlocked.Increment(ref _users);
        if (Volatile.Read(ref _state) != StateOpen)
        {
            Interlocked.Decrement(ref _users);
            return false;
        }

        return true;
    }

    private void Exit() => Interlocked.Decrement(ref _users);

    /// <summary>
    /// Stops the progress thread, lets the threads that wait return <see cref="Closed"/>, then closes endpoint, address
    /// vector, completion queue, registrations, domain and fabric. Idempotent.
    /// </summary>
    public void Dispose()
    {
        if (Interlocked.CompareExchange(ref _state, StateClosing, StateOpen) != StateOpen)
        {
            return;
        }

        if (_progressThread is not null && _progressThread != Thread.CurrentThread)
        {
            if (_cqWait)
            {
                // Wakes the progress thread out of fi_cq_sread.
                _ = fi_cq_signal(_cq);
            }

            if (!_progressThread.Join(TimeSpan.FromSeconds(5)))
            {
                // Still in the provider: closing under it could crash, so the objects are left open.
                return;
            }
        }

        // The threads in an operation see the state at their next step and leave.
        var wait = Stopwatch.StartNew();
        while (Volatile.Read(ref _users) > 0)
        {
            if (wait.Elapsed > TimeSpan.FromSeconds(10))
            {
                // A thread is stuck in the provider: closing under it could crash, so the objects are left open.
                return;
            }

            Thread.Sleep(1);
        }

        CloseNative();
        Volatile.Write(ref _state, StateDisposed);
    }

    private void CloseNative()
    {
        if (_ep is not null)
        {
            _ = fi_close(&_ep->fid);
            _ep = null;
        }

        if (_av is not null)
        {
            _ = fi_close(&_av->fid);
            _av = null;
        }

        if (_cq is not null)
        {
            _ = fi_close(&_cq->fid);
            _cq = null;
        }

        lock (_registrationLock)
        {
            foreach (FabricRegistration registration in _registrations)
            {
                if (registration.Mr is not null)
                {
                    _ = fi_close(&registration.Mr->fid);
                    registration.Mr = null;
                }
            }

            _registrations.Clear();
        }

        foreach (Context context in _contexts)
        {
            if (context?.LocalMr is not null)
            {
                _ = fi_close(&context.LocalMr->fid);
                context.LocalMr = null;
            }
        }

        if (_stagingMr is not null)
        {
            _ = fi_close(&_stagingMr->fid);
            _stagingMr = null;
        }

        if (_domain is not null)
        {
            _ = fi_close(&_domain->fid);
            _domain = null;
        }

        if (_fabric is not null)
        {
            _ = fi_close(&_fabric->fid);
            _fabric = null;
        }

        if (_info is not null)
        {
            _library.fi_freeinfo(_info);
            _info = null;
        }

        if (_contextMemory is not null)
        {
            NativeMemory.AlignedFree(_contextMemory);
            _contextMemory = null;
        }

        if (_staging is not null)
        {
            NativeMemory.AlignedFree(_staging);
            _staging = null;
        }
    }

    /// <summary>A text of the chosen fi_info as fi_tostr writes it, for diagnostics.</summary>
    public string Describe()
    {
        if (!Enter())
        {
            return string.Empty;
        }

        try
        {
            return Text(_library.fi_tostr(_info, FI_TYPE_INFO));
        }
        finally
        {
            Exit();
        }
    }

    private static string Text(byte* text) => text is null ? string.Empty : Marshal.PtrToStringUTF8((nint)text) ?? string.Empty;

    private static byte* CopyText(string text)
    {
        int length = Encoding.UTF8.GetByteCount(text);
        byte* copy = (byte*)NativeMemory.Alloc((nuint)length + 1);
        Encoding.UTF8.GetBytes(text, new Span<byte>(copy, length));
        copy[length] = 0;
        return copy;
    }

    /// <summary>The managed side of one operation context: its state and status, and a buffer registration it holds.</summary>
    private sealed class Context
    {
        public int State;
        public int Result;
        public FidMr* LocalMr;
    }
}
