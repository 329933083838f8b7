using Rsm.Engine;

namespace Rsm.Abstractions.Tests;

/// <summary>The owner/group/other check and the granted mode of RSMAPI 5.1-5.3 (items 81-84).</summary>
[TestClass]
public sealed class AccessCheckTests
{
    private const uint ExporterUid = 2000;
    private const uint ExporterGid = 3000;
    private const uint ImporterNode = 1;

    private static readonly RsmCredentials s_sameUid = Credentials(ExporterUid, 4000);
    private static readonly RsmCredentials s_groupMember = Credentials(2001, ExporterGid);
    private static readonly RsmCredentials s_supplementaryMember = Credentials(2002, 4000, ExporterGid);
    private static readonly RsmCredentials s_other = Credentials(2003, 4000, 4001);
    private static readonly RsmCredentials s_root = Credentials(0, 0);

    [TestMethod]
    public void IsAllowed_Acl0624SameUidReadWrite_Allowed() =>
        Assert.IsTrue(AccessCheck.IsAllowed(RsmPermissions.ReadWrite, Oct("624"), s_sameUid, ExporterUid, ExporterGid));

    [TestMethod]
    public void IsAllowed_Acl0624GroupMemberWrite_Allowed() =>
        Assert.IsTrue(AccessCheck.IsAllowed(RsmPermissions.Write, Oct("624"), s_groupMember, ExporterUid, ExporterGid));

    [TestMethod]
    public void IsAllowed_Acl0624GroupMemberRead_Denied() =>
        Assert.IsFalse(AccessCheck.IsAllowed(RsmPermissions.Read, Oct("624"), s_groupMember, ExporterUid, ExporterGid));

    [TestMethod]
    public void IsAllowed_Acl0624GroupMemberReadWrite_Denied() =>
        Assert.IsFalse(AccessCheck.IsAllowed(RsmPermissions.ReadWrite, Oct("624"), s_groupMember, ExporterUid, ExporterGid));

    [TestMethod]
    public void IsAllowed_Acl0624SupplementaryGroupMember_UsesGroupDigit()
    {
        Assert.IsTrue(AccessCheck.IsAllowed(RsmPermissions.Write, Oct("624"), s_supplementaryMember, ExporterUid, ExporterGid));
        Assert.IsFalse(AccessCheck.IsAllowed(RsmPermissions.Read, Oct("624"), s_supplementaryMember, ExporterUid, ExporterGid));
    }

    [TestMethod]
    public void IsAllowed_Acl0624OtherRead_Allowed() =>
        Assert.IsTrue(AccessCheck.IsAllowed(RsmPermissions.Read, Oct("624"), s_other, ExporterUid, ExporterGid));

    [TestMethod]
    public void IsAllowed_Acl0624OtherWrite_Denied() =>
        Assert.IsFalse(AccessCheck.IsAllowed(RsmPermissions.Write, Oct("624"), s_other, ExporterUid, ExporterGid));

    [TestMethod]
    public void IsAllowed_Acl0624AnyonePermissionNone_Allowed()
    {
        foreach (RsmCredentials importer in new[] { s_sameUid, s_groupMember, s_supplementaryMember, s_other })
        {
            Assert.IsTrue(AccessCheck.IsAllowed(RsmPermissions.None, Oct("624"), importer, ExporterUid, ExporterGid), importer.ToString());
        }
    }

    [TestMethod]
    public void IsAllowed_SameUidInExporterGroup_UsesOwnerDigit()
    {
        RsmCredentials ownerInGroup = Credentials(ExporterUid, ExporterGid);

        Assert.IsFalse(AccessCheck.IsAllowed(RsmPermissions.Read, Oct("264"), ownerInGroup, ExporterUid, ExporterGid));
        Assert.IsTrue(AccessCheck.IsAllowed(RsmPermissions.Write, Oct("264"), ownerInGroup, ExporterUid, ExporterGid));
    }

    [TestMethod]
    public void IsAllowed_GroupMemberDigitZero_DeniedEvenWhenOtherDigitAllows() =>
        Assert.IsFalse(AccessCheck.IsAllowed(RsmPermissions.Read, Oct("606"), s_groupMember, ExporterUid, ExporterGid));

    [TestMethod]
    public void IsAllowed_PrivilegedImporterClassDigitZero_Allowed()
    {
        Assert.IsTrue(s_root.IsPrivileged);
        Assert.IsTrue(AccessCheck.IsAllowed(RsmPermissions.ReadWrite, 0, s_root, ExporterUid, ExporterGid));
        Assert.IsTrue(AccessCheck.IsAllowed(RsmPermissions.ReadWrite, Oct("600"), s_root, ExporterUid, ExporterGid));
    }

    [TestMethod]
    public void IsAllowed_NullImporter_ArgumentNullException() =>
        Assert.ThrowsExactly<ArgumentNullException>(() => AccessCheck.IsAllowed(RsmPermissions.Read, Oct("666"), null!, ExporterUid, ExporterGid));

    [TestMethod]
    public void GrantedMode_EmptyListUmask022_Grants0644()
    {
        uint? granted = AccessCheck.GrantedMode([], ImporterNode, DefaultMode(Oct("022")));

        Assert.AreEqual(Oct("644"), granted);
    }

    [TestMethod]
    public void GrantedMode_EmptyListUmask022_OtherReadAllowedWriteDeniedOwnerReadWriteAllowed()
    {
        uint granted = AccessCheck.GrantedMode([], ImporterNode, DefaultMode(Oct("022")))!.Value;

        Assert.IsTrue(AccessCheck.IsAllowed(RsmPermissions.Read, granted, s_other, ExporterUid, ExporterGid));
        Assert.IsFalse(AccessCheck.IsAllowed(RsmPermissions.Write, granted, s_other, ExporterUid, ExporterGid));
        Assert.IsTrue(AccessCheck.IsAllowed(RsmPermissions.ReadWrite, granted, s_sameUid, ExporterUid, ExporterGid));
    }

    [TestMethod]
    public void GrantedMode_EmptyListUmask077_Grants0600()
    {
        uint? granted = AccessCheck.GrantedMode([], ImporterNode, DefaultMode(Oct("077")));

        Assert.AreEqual(Oct("600"), granted);
    }

    [TestMethod]
    public void GrantedMode_EmptyListUmask077_OtherReadDeniedOwnerAllowed()
    {
        uint granted = AccessCheck.GrantedMode([], ImporterNode, DefaultMode(Oct("077")))!.Value;

        Assert.IsFalse(AccessCheck.IsAllowed(RsmPermissions.Read, granted, s_other, ExporterUid, ExporterGid));
        Assert.IsFalse(AccessCheck.IsAllowed(RsmPermissions.Read, granted, s_groupMember, ExporterUid, ExporterGid));
        Assert.IsTrue(AccessCheck.IsAllowed(RsmPermissions.ReadWrite, granted, s_sameUid, ExporterUid, ExporterGid));
    }

    [TestMethod]
    public void GrantedMode_EmptyListUmaskZero_MaskedTo0666()
    {
        uint? granted = AccessCheck.GrantedMode([], ImporterNode, DefaultMode(0));

        Assert.AreEqual(Oct("666"), granted);
    }

    [TestMethod]
    public void GrantedMode_ListNamingNode_EntryPermission()
    {
        RsmAccessEntry[] list = [new(5, Oct("400")), new(ImporterNode, Oct("624"))];

        Assert.AreEqual(Oct("624"), AccessCheck.GrantedMode(list, ImporterNode, DefaultMode(Oct("022"))));
    }

    [TestMethod]
    public void GrantedMode_ListWithoutNode_Null()
    {
        RsmAccessEntry[] list = [new(5, Oct("666")), new(6, Oct("666"))];

        Assert.IsNull(AccessCheck.GrantedMode(list, ImporterNode, DefaultMode(Oct("022"))));
    }

    [TestMethod]
    public void GrantedMode_NodeListedTwice_FirstEntryWins()
    {
        RsmAccessEntry[] list = [new(ImporterNode, Oct("400")), new(ImporterNode, Oct("666"))];

        Assert.AreEqual(Oct("400"), AccessCheck.GrantedMode(list, ImporterNode, DefaultMode(Oct("022"))));
    }

    [TestMethod]
    public void GrantedMode_EntryPermissionZero_GrantsNothing()
    {
        RsmAccessEntry[] list = [new(ImporterNode, 0)];
        uint granted = AccessCheck.GrantedMode(list, ImporterNode, DefaultMode(Oct("022")))!.Value;

        Assert.AreEqual(0u, granted);
        Assert.IsTrue(AccessCheck.IsAllowed(RsmPermissions.None, granted, s_sameUid, ExporterUid, ExporterGid));
        Assert.IsFalse(AccessCheck.IsAllowed(RsmPermissions.Read, granted, s_sameUid, ExporterUid, ExporterGid));
    }

    [TestMethod]
    public void GrantedMode_EntryPermissionWithExecuteBits_MaskedWith0666() =>
        Assert.AreEqual(Oct("644"), AccessCheck.GrantedMode([new(ImporterNode, Oct("755"))], ImporterNode, DefaultMode(Oct("022"))));

    [TestMethod]
    public void GrantedMode_NullList_ArgumentNullException() =>
        Assert.ThrowsExactly<ArgumentNullException>(() => AccessCheck.GrantedMode(null!, ImporterNode, Oct("755")));

    private static uint Oct(string digits) => Convert.ToUInt32(digits, 8);

    /// <summary>The creator's default mode, <c>0777 &amp; ~umask</c> (RSMAPI 5.1).</summary>
    private static uint DefaultMode(uint umask) => Oct("777") & ~umask;

    private static RsmCredentials Credentials(uint uid, uint gid, params uint[] groups) => new(uid, gid, groups, 4242, Oct("022"));
}
