using Rsm.Engine;
using Rsm.Providers.Fabric.Internal;
using Rsm.Providers.Fabric.Interop;
using Rsm.Providers.Tcp.Internal;
using static Rsm.Providers.Fabric.Tests.FabricTestSupport;

namespace Rsm.Providers.Fabric.Tests;

/// <summary>The exporter's side of the data plane: which importing processes it grants a registration to.</summary>
[TestClass]
public sealed class FabricDataPlaneTests
{
    [TestMethod]
    [DataRow("tcp;ofi_rxm", true)]
    [DataRow("shm", false)]
    public void GrantToAnotherUid_RefusedOnlyWhereTheFabricCannotJoinTwoUids(string provider, bool granted)
    {
        RequireProvider(provider);
        uint own = RsmCredentials.ReadCurrent().Uid;
        using var plane = new FabricDataPlane(FabricDomain.Open(provider), OperationTimeout);
        using var memory = new NativeBuffer(4096);

        // The importer's own uid is always granted, with a description that names this node's fabric address.
        using (IDataPlaneGrant same = plane.Grant(memory.Address, memory.Length, write: true, plane.LocalAddress, own))
        {
            Assert.IsGreaterThan(plane.LocalAddress.Length, same.Description.Length);
        }

        IDataPlaneGrant? other = null;
        RsmException? refused = null;
        try
        {
            other = plane.Grant(memory.Address, memory.Length, write: true, plane.LocalAddress, own + 1);
        }
        catch (RsmException ex)
        {
            refused = ex;
        }
        finally
        {
            other?.Dispose();
        }

        Assert.AreEqual(granted, other is not null, $"a grant on {provider} to uid {own + 1}");
        if (!granted)
        {
            Assert.AreEqual(RsmError.InsufficientResources, refused?.Error);
        }
    }
}
