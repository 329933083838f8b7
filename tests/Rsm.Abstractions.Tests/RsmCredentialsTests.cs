using Rsm.Engine;

namespace Rsm.Abstractions.Tests;

/// <summary>Credentials built from the parts a kernel reports for a connection's peer (DECISIONS F5).</summary>
[TestClass]
public sealed class RsmCredentialsTests
{
    [TestMethod]
    public void FromPeer_ReportedParts_KeptWithGroupsCopiedAndUmaskUnknown()
    {
        uint[] groups = [1000, 1002];

        RsmCredentials peer = RsmCredentials.FromPeer(4242, 1001, 1001, groups);
        groups[0] = 7;

        Assert.AreEqual(1001u, peer.Uid);
        Assert.AreEqual(1001u, peer.Gid);
        CollectionAssert.AreEqual(new uint[] { 1000, 1002 }, peer.Groups.ToArray());
        Assert.AreEqual(4242, peer.ProcessId);
        Assert.AreEqual(0u, peer.Umask);
        Assert.IsTrue(peer.IsMemberOf(1000));
        Assert.IsFalse(peer.IsPrivileged);
    }

    [TestMethod]
    public void ToString_PeerWithGroups_NamesThem() =>
        Assert.AreEqual("uid=1001 gid=1001 groups=[1000,1002] pid=4242 umask=0", RsmCredentials.FromPeer(4242, 1001, 1001, [1000, 1002]).ToString());
}
