namespace Rsm.Benchmarks.Tcp;

/// <summary>
/// Two Tcp nodes of this process (a <see cref="TcpNodeGroup"/> with one importer): node 1 exports, node 2 imports.
/// </summary>
internal sealed class TcpNodePair : IDisposable
{
    /// <summary>The node that exports.</summary>
    public const uint ExporterNodeId = TcpNodeGroup.ExporterNodeId;

    /// <summary>The node that imports.</summary>
    public const uint ImporterNodeId = ExporterNodeId + 1;

    private readonly TcpNodeGroup _group;

    /// <summary>Opens the two nodes: Tcp nodes, or Fabric nodes on <paramref name="fabricProvider"/> when it is given.</summary>
    /// <param name="fabricProvider">The libfabric provider of Fabric nodes; null for Tcp nodes.</param>
    public TcpNodePair(string? fabricProvider = null)
    {
        _group = new TcpNodeGroup(1, fabricProvider: fabricProvider);
    }

    public IRsmController Exporter => _group.Exporter;

    public IRsmController Importer => _group.Importers[0];

    public void Dispose() => _group.Dispose();
}
