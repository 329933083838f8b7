using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Rsm.Diagnostics;

namespace Rsm.Engine;

/// <summary>
/// The controller every engine-based provider hands out: argument checks in the order of RSMAPI section 3, resource
/// accounting, and reference counting. Segments do not hold a reference: releasing the last reference makes the
/// controller unusable (BadControllerHandle, 3) while existing segments keep working until they are destroyed or disconnected (RSMAPI A31).
/// </summary>
public sealed partial class RsmEngineController : IRsmController, IRsmControllerLifetime
{
    private readonly object _referenceGate = new();
    private readonly ILogger _logger;
    private readonly Lazy<RsmCredentials> _credentials;
    private int _references = 1;

    /// <summary>Creates a controller with one reference.</summary>
    /// <param name="name">The controller name.</param>
    /// <param name="transport">The transport; the controller disposes it when the provider is disposed, not on release.</param>
    /// <param name="logger">A logger, or null for none.</param>
    /// <remarks>Its measurements go to the process-wide <c>Rsm</c> meter; the controllers of an <see cref="RsmEngineProvider{TOptions}"/> record on the provider's meter.</remarks>
    public RsmEngineController(string name, RsmTransport transport, ILogger? logger = null)
        : this(name, transport, logger, RsmMetrics.For(RsmTelemetry.SharedMeter))
    {
    }

    /// <summary>Creates a controller with one reference that records on <paramref name="metrics"/>.</summary>
    internal RsmEngineController(string name, RsmTransport transport, ILogger? logger, RsmMetrics metrics)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(transport);
        ArgumentNullException.ThrowIfNull(metrics);
        Name = name;
        Transport = transport;
        Attributes = transport.Attributes;
        _logger = logger ?? NullLogger.Instance;
        _metrics = metrics;
        _getTags = [ProviderTag, ControllerTag, new(RsmTelemetry.DirectionTag, RsmTelemetry.DirectionGet)];
        _putTags = [ProviderTag, ControllerTag, new(RsmTelemetry.DirectionTag, RsmTelemetry.DirectionPut)];
        _credentials = new Lazy<RsmCredentials>(transport.GetCallerCredentials);
        metrics.Track(this);
        OnOpened();
    }

    /// <inheritdoc/>
    public string Name { get; }

    /// <inheritdoc/>
    public string ProviderName => Transport.ProviderName;

    /// <inheritdoc/>
    public uint LocalNodeId => Transport.LocalNode.NodeId;

    /// <summary>The transport behind the controller.</summary>
    public RsmTransport Transport { get; }

    internal RsmControllerAttributes Attributes { get; }

    private nuint PageSize => Attributes.PageSize;

    /// <inheritdoc/>
    public RsmControllerAttributes GetAttributes()
    {
        EnsureOpen();
        return Attributes;
    }

    /// <inheritdoc/>
    public void Release()
    {
        lock (_referenceGate)
        {
            if (_references == 0)
            {
                RsmThrow.Error(RsmError.BadControllerHandle, $"controller '{Name}' has no reference left");
            }

            if (--_references == 0)
            {
                OnClosed();
            }
        }
    }

    /// <inheritdoc/>
    public bool TryAddReference()
    {
        lock (_referenceGate)
        {
            if (_references == 0)
            {
                return false;
            }

            _references++;
            return true;
        }
    }

    /// <summary>Releases one reference if any is left; never throws.</summary>
    public void Dispose()
    {
        lock (_referenceGate)
        {
            if (_references > 0 && --_references == 0)
            {
                OnClosed();
            }
        }
    }

    /// <inheritdoc/>
    public IExportSegment CreateExportSegment(nint address, nuint length, ExportFlags flags = ExportFlags.None)
    {
        RsmOperation operation = StartOperation(RsmOperationKind.Create);
        try
        {
            IExportSegment export = CreateExportSegmentCore(address, length, flags);
            operation.Complete();
            return export;
        }
        catch (Exception ex)
        {
            operation.Fail(ex);
            throw;
        }
    }

    private ExportSegment CreateExportSegmentCore(nint address, nuint length, ExportFlags flags)
    {
        EnsureOpen();
        if (address == 0)
        {
            RsmThrow.Error(RsmError.BadAddress, "the address is null");
        }

        if (length == 0)
        {
            RsmThrow.Error(RsmError.BadLength, "the length is zero");
        }

        // A length that is not a page multiple is an alignment error, not a length error (DECISIONS F1).
        if ((((nuint)address | length) & (PageSize - 1)) != 0)
        {
            ThrowMisaligned(address, length);
        }

        if (length > Attributes.MaxExportSegmentSize)
        {
            RsmThrow.Error(RsmError.BadLength, $"length {length} exceeds the controller's maximum export segment size {Attributes.MaxExportSegmentSize}");
        }

        RsmNode node = Transport.LocalNode;
        lock (node.Gate)
        {
            if ((ulong)node.ExportCount >= node.Limits.MaxExportSegments)
            {
                RsmThrow.Error(RsmError.InsufficientResources, $"node {node.NodeId} already holds {node.ExportCount} export segments, its maximum");
            }

            if (length > node.Limits.TotalExportSegmentSize - node.ExportedBytes)
            {
                RsmThrow.Error(RsmError.InsufficientMemory, $"exporting {length} more bytes exceeds node {node.NodeId}'s quota of {node.Limits.TotalExportSegmentSize} ({node.ExportedBytes} in use)");
            }

            // Reserved now and bound without the lock: binding copies the range, which may take long for a large one.
            node.ExportCount++;
            node.ExportedBytes += length;
        }

        ISegmentBacking backing;
        try
        {
            backing = Transport.Bind(address, length);
        }
        catch
        {
            lock (node.Gate)
            {
                node.ExportCount--;
                node.ExportedBytes -= length;
            }

            throw;
        }

        var export = new ExportSegment(this, backing, flags, _credentials.Value);
        OnExported(length);
        return export;
    }

    /// <inheritdoc/>
    public IImportSegment Connect(uint nodeId, uint segmentId, RsmPermissions permission)
    {
        RsmOperation operation = StartOperation(RsmOperationKind.Connect);
        operation.Activity?.SetTag(RsmTelemetry.NodeIdTag, nodeId).SetTag(RsmTelemetry.SegmentIdTag, segmentId);
        try
        {
            IImportSegment import = ConnectCore(nodeId, segmentId, permission);
            operation.Complete();
            return import;
        }
        catch (Exception ex)
        {
            operation.Fail(ex);
            throw;
        }
    }

    private ImportSegment ConnectCore(uint nodeId, uint segmentId, RsmPermissions permission)
    {
        EnsureOpen();
        if (((uint)permission & ~Octal.Mode0600) != 0)
        {
            // The library reports PERM_DENIED, never BAD_PERMS, for bits outside 0600 (RSMAPI A7).
            RsmThrow.Error(RsmError.PermissionDenied, $"permission {Octal.Format((uint)permission)} has bits outside 0600");
        }

        if (Transport.IsRemote(nodeId))
        {
            return ConnectRemote(nodeId, segmentId, permission);
        }

        RsmNode exporterNode = Transport.ResolveNode(nodeId);
        RsmNode localNode = Transport.LocalNode;
        lock (exporterNode.Gate)
        {
            uint granted = exporterNode.Exports.Judge(segmentId, localNode.NodeId, permission, _credentials.Value, out ExportSegment export);
            var import = new ImportSegment(this, localNode, new LocalExportLink(export), segmentId, permission, granted, NextGenerationSeed());
            export.AddImporter(import);
            OnImportConnected(import);
            return import;
        }
    }

    private ImportSegment ConnectRemote(uint nodeId, uint segmentId, RsmPermissions permission)
    {
        // The exporter decides admission with the importer's real credentials; the request is made without any lock.
        RemoteExportLink link = Transport.ConnectRemote(nodeId, segmentId, permission);
        lock (Transport.LocalNode.Gate)
        {
            var import = new ImportSegment(this, Transport.LocalNode, link, segmentId, permission, link.GrantedMode, NextGenerationSeed(), link.Events);
            link.Attach(import);
            OnImportConnected(import);
            return import;
        }
    }

    /// <inheritdoc/>
    public ValueTask<IImportSegment> ConnectAsync(uint nodeId, uint segmentId, RsmPermissions permission, CancellationToken cancellationToken = default)
    {
        if (cancellationToken.IsCancellationRequested)
        {
            return ValueTask.FromCanceled<IImportSegment>(cancellationToken);
        }

        if (Transport.IsRemote(nodeId))
        {
            // A remote connect waits for the exporter's answer: it runs off the caller's thread.
            return new ValueTask<IImportSegment>(Task.Run(() => Connect(nodeId, segmentId, permission), cancellationToken));
        }

        // An in-process connect completes at once; errors surface through the task, as they would from a connect that waits.
        try
        {
            return ValueTask.FromResult(Connect(nodeId, segmentId, permission));
        }
        catch (RsmException ex)
        {
            return ValueTask.FromException<IImportSegment>(ex);
        }
    }

    /// <inheritdoc/>
    public RsmLocalMemoryHandle CreateLocalMemoryHandle(nint address, nuint length)
    {
        // Alignment is checked before the controller (RSMAPI A16).
        if (((nuint)address & (PageSize - 1)) != 0)
        {
            RsmThrow.Error(RsmError.BadAddress, $"address 0x{address:x} is not page aligned");
        }

        EnsureOpen();
        if (length == 0)
        {
            RsmThrow.Error(RsmError.BadLength, "the length is zero");
        }

        return new RsmLocalMemoryHandle(this, address, length);
    }

    /// <inheritdoc/>
    public void FreeLocalMemoryHandle(RsmLocalMemoryHandle? handle)
    {
        EnsureOpen();
        if (handle is null || handle.IsFreed || !ReferenceEquals(handle.Owner, this))
        {
            RsmThrow.Error(RsmError.BadLocalMemoryHandle, "the local memory handle is null, freed, or belongs to another controller");
        }

        handle.MarkFreed();
    }

    /// <inheritdoc/>
    public RsmTopology GetInterconnectTopology()
    {
        EnsureOpen();
        return Transport.GetTopology();
    }

    /// <inheritdoc/>
    public RsmSegmentIdRange GetSegmentIdRange(string? appId)
    {
        if (appId is null)
        {
            RsmThrow.Error(RsmError.BadAddress, "the application id is null");
        }

        EnsureOpen();
        return SegmentIdRangeFile.Lookup(Transport.SegmentIdRangeFile, appId);
    }

    private static int s_generationSeed;

    private static ushort NextGenerationSeed() => (ushort)(Interlocked.Increment(ref s_generationSeed) - 1);

    private void EnsureOpen()
    {
        if (Volatile.Read(ref _references) == 0)
        {
            RsmThrow.Error(RsmError.BadControllerHandle, $"controller '{Name}' was released");
        }
    }

    [DoesNotReturn]
    [MethodImpl(MethodImplOptions.NoInlining)]
    private void ThrowMisaligned(nint address, nuint length)
    {
        nuint mask = PageSize - 1;
        var wrong = new List<string>(2);
        if (((nuint)address & mask) != 0)
        {
            wrong.Add($"the address 0x{address:x} is {(nuint)address & mask} bytes past a page boundary");
        }

        if ((length & mask) != 0)
        {
            wrong.Add($"the length {length} is not a page multiple (the next one is {(length + mask) & ~mask})");
        }

        RsmThrow.Error(RsmError.BadMemoryAlignment, $"{string.Join(", and ", wrong)}: both must be multiples of the page size {PageSize} (RsmPageMemory.Allocate gives such memory)");
    }
}
