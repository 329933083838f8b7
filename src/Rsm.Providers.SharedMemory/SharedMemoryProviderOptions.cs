using Rsm.Engine;

namespace Rsm.Providers.SharedMemory;

/// <summary>
/// Settings of a SharedMemory controller, bound from its configuration section (<c>Rsm:Controllers:&lt;name&gt;</c>).
/// Processes on one host that use the same <see cref="RendezvousPrefix"/> and <see cref="NodeId"/> form one node.
/// </summary>
public sealed class SharedMemoryProviderOptions
{
    /// <summary>The local node id, 0 to <see cref="MaxNodes"/>. Default 0.</summary>
    public uint NodeId { get; set; }

    /// <summary>
    /// The prefix of the rendezvous socket names (in the Linux abstract namespace, so nothing is left on disk). Processes
    /// with different prefixes never see each other's segments, so several independent clusters can share a host. Default <c>rsm</c>.
    /// </summary>
    public string RendezvousPrefix { get; set; } = "rsm";

    /// <summary>The largest export segment in bytes, a multiple of the page size. Default: the memory available to the process, rounded down to pages.</summary>
    public ulong MaxExportSegmentSize { get; set; } = PageMemory.DefaultMemoryLimit();

    /// <summary>The bytes this process may export for the node at once (each process of a node keeps its own account). Default: the memory available to the process, rounded down to pages.</summary>
    public ulong TotalExportSegmentSize { get; set; } = PageMemory.DefaultMemoryLimit();

    /// <summary>The export segments this process may hold for the node at once. Default 65535.</summary>
    public ulong MaxExportSegments { get; set; } = 65535;

    /// <summary>The import segments a process holds at once (reported as an attribute). Default 65535.</summary>
    public ulong MaxImportSegments { get; set; } = 65535;

    /// <summary>The highest node id an access list may name. Default 64.</summary>
    public uint MaxNodes { get; set; } = 64;

    /// <summary>How long a connect waits for the exporter's answer, and an unpublish for each importer to see the abort. Default 5 seconds.</summary>
    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>The segment-id range file (DECISIONS F12). Default <c>/etc/rsm/rsm.segmentid</c>.</summary>
    public string SegmentIdRangeFile { get; set; } = "/etc/rsm/rsm.segmentid";
}
