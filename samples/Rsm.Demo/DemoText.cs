using System.Text;

namespace Rsm.Demo;

/// <summary>The step titles and payloads both demo layouts use, so the in-process and the two-process runs read alike.</summary>
internal static class DemoText
{
    public const string Message = "Hello through RSM";
    public const string Rebound = "Hello from the second buffer";

    public const string Allocate = "Allocate a page-aligned buffer for the exporter";
    public const string CreateExport = "Create an export segment that allows rebind";
    public const string Publish = "Publish it with an automatic id, read/write for this node (0666)";
    public const string Connect = "Connect an importer with ReadWrite";
    public const string InitBarrier = "Initialise a barrier for Implicit-mode accesses";
    public const string PutGet = $"Put \"{Message}\" and get it back inside an open/close barrier";
    public const string Map = "Map the segment for reading and read through the mapping";
    public const string Rebind = "Rebind the export to a second buffer with different content";
    public const string Signal = "Post an event from the importer; the exporter waits for it (1 s)";
    public const string Unpublish = "Unpublish the segment (forcibly disconnects the importer)";
    public const string AbortedGet = "Get on the aborted import in Implicit mode";
    public const string Release = "Unmap and disconnect the aborted import";
    public const string Republish = "Publish the segment again and connect a new import";
    public const string Destroy = "Destroy the export while the new import is connected (forcibly disconnects it)";
    public const string DestroyedGet = "Get on the import the destroy aborted, in Implicit mode";
    public const string Disconnect = "Disconnect the import; everything is released";

    public static string OpenController(string transport) => $"Open controller '{transport}'";

    /// <summary>The publish step's title: the access list names the exporter's node, and the importer's when that is another node.</summary>
    public static string PublishFor(uint exporterNode, uint importerNode) =>
        exporterNode == importerNode ? Publish : $"Publish it with an automatic id, read/write for this node and node {importerNode} (0666)";

    /// <summary>Where the two Tcp nodes listen, and the configured endpoints they replace.</summary>
    public static string TcpNodes(uint exporterNode, string exporterEndpoint, uint importerNode, string importerEndpoint, string? configuredExporter, string? configuredImporter) =>
        $"node {exporterNode} (this process) listens on {exporterEndpoint}, node {importerNode} (the importer process) on {importerEndpoint}: " +
        $"free ports picked at start in place of the configured {configuredExporter} and {configuredImporter}";

    /// <summary>The two SharedMemory nodes and the rendezvous prefix they share.</summary>
    public static string SharedMemoryNodes(uint exporterNode, uint importerNode, string prefix, string configured) =>
        $"node {exporterNode} (this process) exports, node {importerNode} (the importer process) imports; both meet under the rendezvous prefix '{prefix}': " +
        $"the configured '{configured}' with this user's uid, so that the demos of two users of one host stay apart";

    public const string TcpInlineKey =
        "the cluster key is inline (ClusterKey) for this demo; a real deployment sets ClusterKeyFile to a file only the node's account can read";

    public static string TcpKeyFile(string path) => $"the cluster key is read from {path} (ClusterKeyFile)";

    /// <summary>What the importer saw through its mapping before the open barrier, where a mapping is a mirror (Tcp).</summary>
    public static string MirrorRefreshed(string before) => before == Rebound
        ? "on Tcp the mapping is a local mirror, refreshed from the exporter at each open barrier"
        : $"on Tcp the mapping is a local mirror: it still showed \"{before}\" until the open barrier refreshed it from the exporter";

    /// <summary>Reads <paramref name="length"/> bytes at offset 0 with a get and decodes them.</summary>
    public static string GetText(IImportSegment import, int length)
    {
        Span<byte> buffer = stackalloc byte[length];
        import.Get(0, buffer);
        return Encoding.UTF8.GetString(buffer);
    }

    /// <summary>Decodes the first <paramref name="length"/> bytes of <paramref name="bytes"/>.</summary>
    public static string ReadText(Span<byte> bytes, int length) => Encoding.UTF8.GetString(bytes[..length]);
}
