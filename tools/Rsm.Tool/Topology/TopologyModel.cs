namespace Rsm.Tool.Topology;

/// <summary>One node of a controller as <c>rsm topology</c> reports it.</summary>
internal sealed class NodeReport
{
    /// <summary>The node id.</summary>
    public required uint NodeId { get; init; }

    /// <summary><c>local</c> (the controller's own node), <c>directory</c> (a Tcp node directory entry) or <c>seen</c> (found on this host under the controller's rendezvous prefix).</summary>
    public required string Role { get; init; }

    /// <summary>Where the node is: a Tcp endpoint, a rendezvous name pattern, or null.</summary>
    public string? Address { get; init; }

    /// <summary>
    /// What the probe found. Tcp: <c>reachable</c>, <c>refused</c>, <c>timeout</c>, <c>unreachable</c> or <c>not-probed</c>.
    /// SharedMemory: <c>published</c>, <c>absent</c> or <c>stale</c>. Loopback: <c>in-process</c>.
    /// </summary>
    public required string State { get; set; }

    /// <summary>True when the node answered (a Tcp listener accepted, a SharedMemory rendezvous has a live owner), false when it did not, null when it was not probed.</summary>
    public bool? Reachable { get; set; }

    /// <summary>What the state means, in words.</summary>
    public string Detail { get; set; } = "";

    /// <summary>SharedMemory: the segments the node publishes now.</summary>
    public IReadOnlyList<string> Segments { get; set; } = [];

    /// <summary>SharedMemory: the processes that hold the node's rendezvous sockets.</summary>
    public IReadOnlyList<Shm.SocketOwner> Processes { get; set; } = [];
}

/// <summary>One configured controller.</summary>
internal sealed class ControllerReport
{
    public required string Name { get; init; }

    /// <summary>Its configuration path, <c>Rsm:Controllers:&lt;name&gt;</c>.</summary>
    public required string Path { get; init; }

    public required string Provider { get; init; }

    /// <summary>Its node id (the provider's <c>NodeId</c>), or null for a provider the tool does not know.</summary>
    public uint? NodeId { get; init; }

    public bool StartWithHost { get; init; }

    /// <summary>The provider settings that decide where the nodes are and how they are reached, as text.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Settings { get; init; } = [];

    /// <summary>What the tool could not check but the application will (a cluster key file it may not read, for example).</summary>
    public List<string> Warnings { get; } = [];

    public string? Note { get; set; }

    public List<NodeReport> Nodes { get; } = [];
}
