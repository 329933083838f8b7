namespace Rsm.Abstractions.Tests;

[TestClass]
public sealed class RsmAccessEntryTests
{
    [TestMethod]
    [DataRow("0624", 0x194u)]
    [DataRow("624", 0x194u)]
    [DataRow("0o624", 0x194u)]
    [DataRow(" 0666 ", 0x1B6u)]
    [DataRow("0", 0u)]
    [DataRow("00", 0u)]
    [DataRow("6", 6u)]
    [DataRow("0777", 0x1FFu)]
    public void FromOctal_Digits_ThePermission(string text, uint expected)
    {
        RsmAccessEntry entry = RsmAccessEntry.FromOctal(3, text);

        Assert.AreEqual(new RsmAccessEntry(3, expected), entry);
    }

    [TestMethod]
    [DataRow("")]
    [DataRow("0o")]
    [DataRow("0628")]
    [DataRow("06244")]
    [DataRow("0x194")]
    [DataRow("rw-")]
    public void FromOctal_NotOctal_FormatExceptionQuotingTheText(string text)
    {
        FormatException ex = Assert.ThrowsExactly<FormatException>(() => RsmAccessEntry.FromOctal(3, text));

        Assert.Contains($"'{text}'", ex.Message);
    }

    [TestMethod]
    public void FromMode_UnixFileMode_ThePermission()
    {
        RsmAccessEntry entry = RsmAccessEntry.FromMode(2, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupWrite | UnixFileMode.OtherRead);

        Assert.AreEqual(new RsmAccessEntry(2, 0x194), entry);
        Assert.AreEqual("0624", entry.OctalPermission);
    }

    [TestMethod]
    public void FromMode_SetUserId_Refused()
    {
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => RsmAccessEntry.FromMode(2, UnixFileMode.SetUser | UnixFileMode.UserRead));
    }

    [TestMethod]
    public void FromOctal_AndPublish_TheEngineJudgesTheDigits()
    {
        // 0624 is a valid entry; the publish accepts it.
        using var node = new TestNode();
        IExportSegment segment = node.Create();

        Assert.AreEqual(0x10000062u, segment.Publish(0x10000062, [RsmAccessEntry.FromOctal(node.Controller.LocalNodeId, "0624")]));

        // 0777 parses, and the publish refuses it as it refuses 0x1FF: execute digits are not permissions (RSMAPI 5.1).
        RsmException ex = Assert.ThrowsExactly<RsmException>(() => node.Create().Publish(0x10000063, [RsmAccessEntry.FromOctal(node.Controller.LocalNodeId, "0777")]));
        Assert.AreEqual(RsmError.BadAccessList, ex.Error);
    }
}
