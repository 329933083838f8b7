using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Rsm.Engine;

internal sealed unsafe partial class ImportSegment
{
    public void Get(long offset, Span<byte> destination)
    {
        nuint count = (nuint)destination.Length;
        fixed (byte* d = destination)
        {
            byte* s = (byte*)Prepare(offset, (nint)d, count, 1, RsmPermissions.Read, out bool checkGeneration);
            if (_direct)
            {
                Buffer.MemoryCopy(s, d, count, count);
            }
            else
            {
                _export.Read(offset, destination, 1);
            }

            Complete(checkGeneration, count, isPut: false);
        }
    }

    public void Get8(long offset, Span<byte> destination) => GetElements(offset, destination);

    public void Get16(long offset, Span<ushort> destination) => GetElements(offset, destination);

    public void Get32(long offset, Span<uint> destination) => GetElements(offset, destination);

    public void Get64(long offset, Span<ulong> destination) => GetElements(offset, destination);

    public void Put(long offset, ReadOnlySpan<byte> source)
    {
        nuint count = (nuint)source.Length;
        fixed (byte* s = source)
        {
            byte* d = (byte*)Prepare(offset, (nint)s, count, 1, RsmPermissions.Write, out bool checkGeneration);
            if (_direct)
            {
                Buffer.MemoryCopy(s, d, count, count);
            }
            else
            {
                _export.Write(offset, source, 1, acknowledged: checkGeneration);
            }

            Complete(checkGeneration, count, isPut: true);
        }
    }

    public void Put8(long offset, ReadOnlySpan<byte> source) => PutElements(offset, source);

    public void Put16(long offset, ReadOnlySpan<ushort> source) => PutElements(offset, source);

    public void Put32(long offset, ReadOnlySpan<uint> source) => PutElements(offset, source);

    public void Put64(long offset, ReadOnlySpan<ulong> source) => PutElements(offset, source);

    private void GetElements<T>(long offset, Span<T> destination)
        where T : unmanaged
    {
        // Element-wise natural-width accesses, never byte swapped (RSMAPI 3.4 step 11, DECISIONS F11).
        nuint bytes = (nuint)destination.Length * (nuint)sizeof(T);
        fixed (T* d = destination)
        {
            T* s = (T*)Prepare(offset, (nint)d, bytes, (nuint)sizeof(T), RsmPermissions.Read, out bool checkGeneration);
            if (_direct)
            {
                NaturalCopy.Copy((byte*)s, (byte*)d, (int)bytes, sizeof(T));
            }
            else
            {
                _export.Read(offset, MemoryMarshal.AsBytes(destination), sizeof(T));
            }

            Complete(checkGeneration, bytes, isPut: false);
        }
    }

    private void PutElements<T>(long offset, ReadOnlySpan<T> source)
        where T : unmanaged
    {
        nuint bytes = (nuint)source.Length * (nuint)sizeof(T);
        fixed (T* s = source)
        {
            T* d = (T*)Prepare(offset, (nint)s, bytes, (nuint)sizeof(T), RsmPermissions.Write, out bool checkGeneration);
            if (_direct)
            {
                NaturalCopy.Copy((byte*)s, (byte*)d, (int)bytes, sizeof(T));
            }
            else
            {
                _export.Write(offset, MemoryMarshal.AsBytes(source), sizeof(T), acknowledged: checkGeneration);
            }

            Complete(checkGeneration, bytes, isPut: true);
        }
    }

    /// <summary>The common validation of RSMAPI 3.4 steps 1-9, in that order; returns the address of the segment byte at <paramref name="offset"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private nint Prepare(long offset, nint data, nuint bytes, nuint accessSize, RsmPermissions access, out bool checkGeneration)
    {
        if (_state == State.Disconnected)
        {
            ThrowDisconnected();
        }

        if (data == 0 && bytes != 0)
        {
            ThrowNullBuffer();
        }

        if ((((nuint)data | (nuint)offset) & (accessSize - 1)) != 0)
        {
            ThrowMisaligned(offset, data, accessSize);
        }

        if (_state != State.Mapped)
        {
            MapImplicitly();
        }

        // The view never lets through more than the connection was granted, so one comparison covers both DECISIONS D2
        // (the connection's permission) and D10 (the protection of an explicit map): never a fault.
        if ((_viewAccess & access) != access)
        {
            ThrowAccessDenied(access);
        }

        long relative = offset - _mapOffset;
        if (offset < _mapOffset || (ulong)relative > _mapLength || bytes > _mapLength - (nuint)relative)
        {
            ThrowOutsideWindow(offset, bytes);
        }

        checkGeneration = _mode == RsmBarrierMode.Implicit;
        if (checkGeneration)
        {
            RsmBarrier? barrier = _barrier;
            if (barrier is null)
            {
                ThrowNoBarrier();
            }

            barrier.Snapshot = _connectGeneration;
        }

        return _viewBase + (nint)relative;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void Complete(bool checkGeneration, nuint bytes, bool isPut)
    {
        if (checkGeneration && (ushort)Volatile.Read(ref _liveGeneration) != _connectGeneration)
        {
            ThrowAborted();
        }

        _controller.CountBytes(bytes, isPut);
    }

    [DoesNotReturn]
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void ThrowDisconnected() => RsmThrow.Error(RsmError.BadSegmentHandle, "the import segment was disconnected");

    [DoesNotReturn]
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void ThrowNullBuffer() => RsmThrow.Error(RsmError.BadAddress, "the data buffer is null");

    [DoesNotReturn]
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void ThrowMisaligned(long offset, nint data, nuint accessSize)
    {
        nuint mask = accessSize - 1;
        var wrong = new List<string>(2);
        if (((nuint)offset & mask) != 0)
        {
            wrong.Add($"the segment offset {offset}");
        }

        if (((nuint)data & mask) != 0)
        {
            wrong.Add($"the buffer at 0x{data:x}");
        }

        RsmThrow.Error(RsmError.BadMemoryAlignment, $"{string.Join(" and ", wrong)} {(wrong.Count == 1 ? "is" : "are")} not aligned to the {accessSize}-byte access size");
    }

    [DoesNotReturn]
    [MethodImpl(MethodImplOptions.NoInlining)]
    private void ThrowAccessDenied(RsmPermissions access) => RsmThrow.Error(RsmError.PermissionDenied, DenialReason(access == RsmPermissions.Read ? "get" : "put", access));

    private string DenialReason(string operation, RsmPermissions access) => (Permission & access) != access
        ? $"{operation} needs {access} but the connection has {Permission}"
        : $"{operation} needs {access} but the segment is mapped with {_viewAccess}";

    [DoesNotReturn]
    [MethodImpl(MethodImplOptions.NoInlining)]
    private void ThrowOutsideWindow(long offset, nuint bytes) =>
        RsmThrow.Error(RsmError.BadOffset, $"the access {offset}+{bytes} lies outside the mapped window {_mapOffset}+{_mapLength}");

    [DoesNotReturn]
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void ThrowNoBarrier() => RsmThrow.Error(
        RsmError.BarrierUninitialized,
        "an access in Implicit barrier mode (the default) needs the import's barrier: call InitBarrier() once after connect, or SetMode(RsmBarrierMode.Explicit) and bracket the accesses with a barrier's Open and Close");

    [DoesNotReturn]
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void ThrowAborted() => RsmThrow.Error(RsmError.ConnectionAborted, "the connection was forcibly disconnected since connect");

    public void GetV(RsmScatterGather? request) => Transfer(request, isPut: false);

    public void PutV(RsmScatterGather? request) => Transfer(request, isPut: true);

    private void Transfer(RsmScatterGather? request, bool isPut)
    {
        if (request is null)
        {
            RsmThrow.Error(RsmError.BadScatterGather, "the scatter/gather request is null");
        }

        EnsureConnected();
        int count = request.RequestCount ?? request.Vectors.Count;
        if (count <= 0 || count > RsmScatterGather.MaxRequests || count > request.Vectors.Count)
        {
            RsmThrow.Error(RsmError.BadScatterGather, $"request count {count} is not within 1..{RsmScatterGather.MaxRequests} and the vector list ({request.Vectors.Count})");
        }

        if (_state != State.Mapped)
        {
            MapImplicitly();
        }

        RsmPermissions access = isPut ? RsmPermissions.Write : RsmPermissions.Read;
        if ((_viewAccess & access) != access)
        {
            RsmThrow.Error(RsmError.PermissionDenied, DenialReason(isPut ? "putv" : "getv", access));
        }

        // Every element is checked before any byte moves (DECISIONS D5).
        Span<nint> locals = stackalloc nint[RsmScatterGather.MaxRequests];
        nuint total = 0;
        for (int i = 0; i < count; i++)
        {
            RsmIoVector v = request.Vectors[i];
            if ((ulong)v.RemoteOffset < (ulong)_mapOffset || v.RemoteOffset - (nuint)_mapOffset > _mapLength || v.Length > _mapLength - (v.RemoteOffset - (nuint)_mapOffset))
            {
                RsmThrow.Error(RsmError.BadOffset, $"element {i}: remote range {v.RemoteOffset}+{v.Length} lies outside the mapped window {_mapOffset}+{_mapLength}");
            }

            locals[i] = v.Type switch
            {
                RsmIoVectorType.Handle => ResolveHandle(v, i),
                RsmIoVectorType.Address when v.LocalAddress == 0 && v.Length != 0 => throw RsmThrow.Create(RsmError.BadAddress, $"element {i}: the local address is null"),
                RsmIoVectorType.Address => v.LocalAddress + (nint)v.LocalOffset,
                _ => throw RsmThrow.Create(RsmError.BadScatterGather, $"element {i}: unknown type {(int)v.Type}"),
            };
            total += v.Length;
        }

        for (int i = 0; i < count; i++)
        {
            RsmIoVector v = request.Vectors[i];
            byte* local = (byte*)locals[i];
            if (!_direct)
            {
                // Scatter/gather has no barrier mode (RSMAPI 3.7): each element is acknowledged before the next.
                TransferRemote((long)v.RemoteOffset, local, v.Length, isPut);
                continue;
            }

            byte* remote = (byte*)(_viewBase + (nint)(v.RemoteOffset - (nuint)_mapOffset));
            if (isPut)
            {
                Buffer.MemoryCopy(local, remote, v.Length, v.Length);
            }
            else
            {
                Buffer.MemoryCopy(remote, local, v.Length, v.Length);
            }
        }

        request.ResidualCount = 0;
        _controller.CountBytes(total, isPut);
        if ((request.Flags & RsmScatterGatherFlags.ImplicitSignalPost) != 0)
        {
            SignalPost(RsmSignalFlags.None);
        }
    }

    private void TransferRemote(long offset, byte* local, nuint length, bool isPut)
    {
        // A single element can exceed what a span holds; it moves in chunks the link splits further as it needs.
        const int Chunk = 1 << 30;
        for (nuint done = 0; done < length;)
        {
            int n = (int)Math.Min(length - done, Chunk);
            if (isPut)
            {
                _export.Write(offset + (long)done, new ReadOnlySpan<byte>(local + done, n), 1, acknowledged: true);
            }
            else
            {
                _export.Read(offset + (long)done, new Span<byte>(local + done, n), 1);
            }

            done += (nuint)n;
        }
    }

    private static nint ResolveHandle(RsmIoVector v, int index)
    {
        RsmLocalMemoryHandle? handle = v.Handle;
        if (handle is null || handle.IsFreed)
        {
            RsmThrow.Error(RsmError.BadLocalMemoryHandle, $"element {index}: the local memory handle is null or freed");
        }

        if (v.LocalOffset > handle.Length || v.Length > handle.Length - v.LocalOffset)
        {
            RsmThrow.Error(RsmError.BadOffset, $"element {index}: local range {v.LocalOffset}+{v.Length} exceeds the handle length {handle.Length}");
        }

        return handle.Address + (nint)v.LocalOffset;
    }

    public uint CompareExchange32(long offset, uint value, uint comparand)
    {
        nint word = Word<uint>(offset);
        return (uint)LockOperation(word, AtomicOperation.CompareExchange, offset, value, comparand, sizeof(uint));
    }

    public ulong CompareExchange64(long offset, ulong value, ulong comparand)
    {
        nint word = Word<ulong>(offset);
        return LockOperation(word, AtomicOperation.CompareExchange, offset, value, comparand, sizeof(ulong));
    }

    public uint Exchange32(long offset, uint value)
    {
        nint word = Word<uint>(offset);
        return (uint)LockOperation(word, AtomicOperation.Exchange, offset, value, 0, sizeof(uint));
    }

    public ulong Exchange64(long offset, ulong value)
    {
        nint word = Word<ulong>(offset);
        return LockOperation(word, AtomicOperation.Exchange, offset, value, 0, sizeof(ulong));
    }

    public uint FetchAdd32(long offset, uint addend)
    {
        nint word = Word<uint>(offset);
        return (uint)LockOperation(word, AtomicOperation.FetchAdd, offset, addend, 0, sizeof(uint));
    }

    public ulong FetchAdd64(long offset, ulong addend)
    {
        nint word = Word<ulong>(offset);
        return LockOperation(word, AtomicOperation.FetchAdd, offset, addend, 0, sizeof(ulong));
    }

    /// <summary>Validates a lock operation (DECISIONS L1-L2) and returns the word's address (0 when the link runs it remotely).</summary>
    private nint Word<T>(long offset)
        where T : unmanaged
    {
        EnsureConnected();
        if (((ulong)offset & (ulong)(sizeof(T) - 1)) != 0)
        {
            RsmThrow.Error(RsmError.BadMemoryAlignment, $"lock operation offset {offset} is not a multiple of {sizeof(T)}");
        }

        if (!_lockOperations)
        {
            RsmThrow.Error(RsmError.LocksNotEnabled, "the segment was created without ExportFlags.LockOperations");
        }

        if ((_controller.Attributes.Capabilities & RsmCapabilities.LockOperations) == 0)
        {
            RsmThrow.Error(RsmError.LocksNotSupported, $"provider {_controller.ProviderName} cannot run lock operations atomically");
        }

        if (_state != State.Mapped)
        {
            MapImplicitly();
        }

        if ((_viewAccess & RsmPermissions.ReadWrite) != RsmPermissions.ReadWrite)
        {
            RsmThrow.Error(RsmError.PermissionDenied, DenialReason("a lock operation", RsmPermissions.ReadWrite));
        }

        long relative = offset - _mapOffset;
        if (offset < _mapOffset || (ulong)relative > _mapLength || (nuint)sizeof(T) > _mapLength - (nuint)relative)
        {
            RsmThrow.Error(RsmError.BadOffset, $"the word at {offset} lies outside the mapped window {_mapOffset}+{_mapLength}");
        }

        return _direct ? _viewBase + (nint)relative : 0;
    }

    /// <summary>
    /// Runs a lock operation on the mapped word, or at the exporter when the link is not direct, then reports an abort
    /// that happened before or during it (the operation itself hit scratch memory).
    /// </summary>
    private ulong LockOperation(nint word, AtomicOperation operation, long offset, ulong value, ulong comparand, int size)
    {
        ulong previous = _direct
            ? NaturalCopy.RunAtomic((byte*)word, operation, size, value, comparand)
            : _export.Atomic(operation, offset, value, comparand, size);
        if (IsAborted)
        {
            RsmThrow.Error(RsmError.ConnectionAborted, "the connection was forcibly disconnected");
        }

        return previous;
    }
}
