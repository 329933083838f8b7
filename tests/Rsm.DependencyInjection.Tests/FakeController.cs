using Rsm.Engine;

namespace Rsm.DependencyInjection.Tests;

/// <summary>A controller that only counts references; every RSMAPI operation is out of scope here.</summary>
internal sealed class FakeController(string name, string providerName) : IRsmController, IRsmControllerLifetime
{
    private readonly Lock _gate = new();
    private int _references = 1;

    public string Name { get; } = name;

    public string ProviderName { get; } = providerName;

    public uint LocalNodeId => 1;

    public int References
    {
        get
        {
            lock (_gate)
            {
                return _references;
            }
        }
    }

    public bool TryAddReference()
    {
        lock (_gate)
        {
            if (_references == 0)
            {
                return false;
            }

            _references++;
            return true;
        }
    }

    public void Release()
    {
        lock (_gate)
        {
            if (_references == 0)
            {
                RsmThrow.Error(RsmError.BadControllerHandle, $"controller '{Name}' has no reference left");
            }

            _references--;
        }
    }

    /// <summary>Runs at every <see cref="Dispose"/>, outside the lock: records the order of closes, or holds one.</summary>
    public Action<FakeController>? OnDispose { get; set; }

    public void Dispose()
    {
        lock (_gate)
        {
            if (_references > 0)
            {
                _references--;
            }
        }

        OnDispose?.Invoke(this);
    }

    public RsmControllerAttributes GetAttributes() => throw new NotSupportedException();

    public IExportSegment CreateExportSegment(nint address, nuint length, ExportFlags flags = ExportFlags.None) => throw new NotSupportedException();

    public IImportSegment Connect(uint nodeId, uint segmentId, RsmPermissions permission) => throw new NotSupportedException();

    public ValueTask<IImportSegment> ConnectAsync(uint nodeId, uint segmentId, RsmPermissions permission, CancellationToken cancellationToken = default) =>
        throw new NotSupportedException();

    public RsmLocalMemoryHandle CreateLocalMemoryHandle(nint address, nuint length) => throw new NotSupportedException();

    public void FreeLocalMemoryHandle(RsmLocalMemoryHandle? handle) => throw new NotSupportedException();

    public RsmTopology GetInterconnectTopology() => throw new NotSupportedException();

    public RsmSegmentIdRange GetSegmentIdRange(string? appId) => throw new NotSupportedException();
}
