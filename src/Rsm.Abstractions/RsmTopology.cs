namespace Rsm;

/// <summary>The interconnect as seen from one node (<c>rsm_topology_t</c>).</summary>
/// <param name="LocalNodeId">The local node id.</param>
/// <param name="Controllers">One entry per local interconnect controller (never loopback, as in C).</param>
public sealed record RsmTopology(uint LocalNodeId, IReadOnlyList<RsmControllerConnections> Controllers);

/// <summary>One local controller and the remote controllers it reaches (<c>rsm_connections_t</c>).</summary>
/// <param name="ControllerName">The controller name (<c>&lt;type&gt;&lt;instance&gt;</c>).</param>
/// <param name="LocalHardwareAddress">The local hardware address.</param>
/// <param name="Remotes">The remote controllers.</param>
public sealed record RsmControllerConnections(string ControllerName, ulong LocalHardwareAddress, IReadOnlyList<RsmRemoteController> Remotes);

/// <summary>A remote controller (<c>rsm_remote_cntlr_t</c>).</summary>
/// <param name="NodeId">The remote node id.</param>
/// <param name="ControllerName">Its controller name.</param>
/// <param name="HardwareAddress">Its hardware address.</param>
/// <param name="ConnectionState">Path state: 1 down, 2 up, 3 active (<c>RSM_CONNECTION_ACTIVE</c>), 4 going down.</param>
public sealed record RsmRemoteController(uint NodeId, string ControllerName, ulong HardwareAddress, uint ConnectionState);
