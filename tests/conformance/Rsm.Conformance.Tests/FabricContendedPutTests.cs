namespace Rsm.Conformance.Tests;

/// <summary>
/// The contended puts of <see cref="TcpContendedPutTests"/> on Fabric nodes: four importing nodes, one or two threads
/// each, put large chunks into one exporter at the same time over the fabric, and read them back; every byte must land,
/// nothing may be aborted, and the nodes' threads end with them. Each case runs <c>RSM_STRESS_SECONDS</c> seconds.
/// </summary>
[TestClass]
public sealed class FabricContendedPutTests
{
    [ConformanceTest]
    [DataRow("tcp;ofi_rxm", 1 << 20, RsmBarrierMode.Explicit, 1)]
    [DataRow("tcp;ofi_rxm", 256 * 1024, RsmBarrierMode.Implicit, 2)]
    [DataRow("shm", 1 << 20, RsmBarrierMode.Explicit, 1)]
    [DataRow("shm", 256 * 1024, RsmBarrierMode.Implicit, 2)]
    public void FourImportingNodes_LargePutsAtOnce_EveryByteLands(string fabric, int chunk, RsmBarrierMode mode, int threadsPerNode)
    {
        FabricProcessTests.RequireFabric(fabric);
        TcpContendedPutTests.FourImportingNodes(() => TcpPeerCluster.Fabric(fabric, 1, 2, 3, 4, 5), chunk, mode, threadsPerNode);
    }
}
