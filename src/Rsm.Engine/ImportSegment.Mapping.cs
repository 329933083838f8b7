namespace Rsm.Engine;

internal sealed partial class ImportSegment
{
    public IRsmMapping Map(RsmPermissions permission, long offset, nuint length, RsmMapAttributes attributes = RsmMapAttributes.None, nint address = 0)
    {
        RsmOperation operation = _controller.StartOperation(RsmOperationKind.Map);
        try
        {
            IRsmMapping result = MapCore(permission, offset, length, attributes, address);
            operation.Complete();
            return result;
        }
        catch (Exception ex)
        {
            operation.Fail(ex);
            throw;
        }
    }

    private IRsmMapping MapCore(RsmPermissions permission, long offset, nuint length, RsmMapAttributes attributes, nint address)
    {
        IRsmMapping mapping = MapLocked(permission, offset, length, attributes, address);
        if (!_direct)
        {
            // A local copy of remote pages is filled after the import's lock is released: filling waits for the exporter.
            try
            {
                _export.OpenBarrier(_view);
                if (IsAborted)
                {
                    // Aborted while the copy was filled: a new mapping of an aborted import is 40 (RSMAPI 4.3).
                    RsmThrow.Error(RsmError.ConnectionAborted, "the connection was forcibly disconnected while the mapping was filled");
                }
            }
            catch (RsmException)
            {
                UnmapCore();
                throw;
            }
        }

        return mapping;
    }

    private IRsmMapping MapLocked(RsmPermissions permission, long offset, nuint length, RsmMapAttributes attributes, nint address)
    {
        lock (_gate)
        {
            EnsureConnected();
            if (_state == State.Mapped)
            {
                RsmThrow.Error(RsmError.SegmentAlreadyMapped, _mapping is null ? "the segment is implicitly mapped by an earlier access" : "the segment is already mapped");
            }

            if ((uint)permission > Octal.Mode0600)
            {
                RsmThrow.Error(RsmError.BadPermissions, $"map permission {Octal.Format((uint)permission)} exceeds 0600");
            }

            if (length == 0)
            {
                RsmThrow.Error(RsmError.BadLength, "the map length is zero");
            }

            if (offset < 0 || (ulong)offset > Length || length > Length - (nuint)offset)
            {
                RsmThrow.Error(RsmError.BadLength, $"the window {offset}+{length} exceeds the segment length {Length}");
            }

            if (((ulong)offset & (PageMemory.PageSize - 1)) != 0)
            {
                RsmThrow.Error(RsmError.BadMemoryAlignment, $"map offset {offset} is not page aligned");
            }

            bool fixedAddress = (attributes & RsmMapAttributes.Fixed) != 0;
            if (fixedAddress && !PageMemory.IsAligned(address))
            {
                RsmThrow.Error(RsmError.BadMemoryAlignment, $"fixed map address 0x{address:x} is not page aligned");
            }

            if (IsAborted)
            {
                RsmThrow.Error(RsmError.ConnectionAborted, "the connection was forcibly disconnected");
            }

            // The protection follows the importer's class digit, which is what was granted at connect (DECISIONS D3).
            RsmPermissions protection = permission & RsmPermissions.ReadWrite;
            if ((protection & ~Permission) != 0)
            {
                RsmThrow.Error(RsmError.BadPermissions, $"map permission {Octal.Format((uint)protection)} exceeds the granted {Octal.Format((uint)Permission)}");
            }

            ISegmentView view = _export.MapView(offset, length, protection, address, fixedAddress);
            var mapping = new MappingWindow(view, offset, length, protection);
            SetView(view, offset, length, protection);
            _mapping = mapping;
            _state = State.Mapped;
            return mapping;
        }
    }

    public void Unmap()
    {
        RsmOperation operation = _controller.StartOperation(RsmOperationKind.Unmap);
        try
        {
            UnmapCore();
            operation.Complete();
        }
        catch (Exception ex)
        {
            operation.Fail(ex);
            throw;
        }
    }

    private void UnmapCore()
    {
        if (!_direct && _view is { } view && !IsAborted)
        {
            // Stores into a local copy go back to the exporter before the copy goes away, outside the import's lock.
            _ = _export.OrderBarrier(view);
        }

        ISegmentView? taken;
        lock (_gate)
        {
            EnsureConnected();
            if (_state != State.Mapped)
            {
                RsmThrow.Error(RsmError.SegmentNotMapped, "the segment is not mapped");
            }

            taken = TakeViewLocked();
        }

        taken?.Dispose();
    }

    /// <summary>Leaves the mapped state; the caller disposes the returned view once it has released the lock.</summary>
    private ISegmentView? TakeViewLocked()
    {
        ISegmentView? view = _view;
        _viewBase = 0;
        _mapOffset = 0;
        _mapLength = 0;
        _viewAccess = RsmPermissions.None;
        _view = null;
        _mapping = null;
        _state = State.Connected;
        return view;
    }

    /// <summary>The implicit mapping of the whole segment made by the first data access (RSMAPI 3.4 step 6), with the granted protection (DECISIONS D2).</summary>
    private void MapImplicitly()
    {
        lock (_gate)
        {
            EnsureConnected();
            if (_state == State.Mapped)
            {
                return;
            }

            if (IsAborted)
            {
                RsmThrow.Error(RsmError.ConnectionAborted, "the connection was forcibly disconnected");
            }

            // A link that is not direct moves data itself: the implicit mapping is only the window [0, size).
            if (!_direct)
            {
                _mapOffset = 0;
                _mapLength = Length;
                _viewAccess = Permission & RsmPermissions.ReadWrite;
                _state = State.Mapped;
                return;
            }

            ISegmentView view = _export.MapView(0, Length, Permission & RsmPermissions.ReadWrite, 0, false);
            SetView(view, 0, Length, Permission & RsmPermissions.ReadWrite);
            _state = State.Mapped;
        }
    }

    private void SetView(ISegmentView view, long offset, nuint length, RsmPermissions access)
    {
        _view = view;
        _viewBase = view.Address;
        _mapOffset = offset;
        _mapLength = length;
        _viewAccess = access;
    }

    private sealed class MappingWindow(ISegmentView view, long offset, nuint length, RsmPermissions permission) : IRsmMapping
    {
        public nint Address => view.Address;

        public long Offset { get; } = offset;

        public nuint Length { get; } = length;

        public RsmPermissions Permission { get; } = permission;

        public unsafe Span<byte> GetSpan() => new((void*)view.Address, checked((int)Length));
    }
}
