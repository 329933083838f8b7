using Rsm.Providers.Tcp.Internal.Wire;

namespace Rsm.Providers.Tcp.Tests;

/// <summary>Loading the cluster key from configuration text or a file.</summary>
[TestClass]
public sealed class ClusterKeyTests
{
    private static readonly byte[] s_key = [.. Enumerable.Range(0, 32).Select(i => (byte)(0xA0 + i))];

    [TestMethod]
    public void Parse_Hex_Decoded() =>
        CollectionAssert.AreEqual(s_key, ClusterKey.Parse(Convert.ToHexString(s_key)));

    [TestMethod]
    public void Parse_LowercaseHexWithPrefixAndSpaces_Decoded() =>
        CollectionAssert.AreEqual(s_key, ClusterKey.Parse("  hex:" + Convert.ToHexString(s_key).ToLowerInvariant() + "\n"));

    [TestMethod]
    public void Parse_Base64_Decoded() =>
        CollectionAssert.AreEqual(s_key, ClusterKey.Parse(Convert.ToBase64String(s_key)));

    [TestMethod]
    public void Parse_Base64Prefix_DecodedAsBase64EvenWhenItLooksLikeHex()
    {
        // 24 hex digits read as base64 give 18 bytes; as hex they would give 12 (too short).
        const string text = "0123456789abcdef01234567";

        byte[] key = ClusterKey.Parse("base64:" + text);

        CollectionAssert.AreEqual(Convert.FromBase64String(text), key);
    }

    [TestMethod]
    public void Parse_FifteenBytes_BadConfiguration()
    {
        RsmException ex = Assert.ThrowsExactly<RsmException>(() => ClusterKey.Parse(Convert.ToHexString(new byte[15])));

        Assert.AreEqual(RsmError.BadConfiguration, ex.Error);
        StringAssert.Contains(ex.Message, "at least 16 bytes");
    }

    [TestMethod]
    [DataRow("")]
    [DataRow("not a key!")]
    [DataRow("hex:0g0g0g0g0g0g0g0g0g0g0g0g0g0g0g0g")]
    public void Parse_Garbage_BadConfiguration(string text) =>
        Assert.AreEqual(RsmError.BadConfiguration, Assert.ThrowsExactly<RsmException>(() => ClusterKey.Parse(text)).Error);

    [TestMethod]
    public void LoadFile_RawBytes_Read()
    {
        using var file = new TempFile();
        string path = file.Path;
        byte[] raw = [.. s_key];
        raw[3] = 0x00;
        File.WriteAllBytes(path, raw);

        CollectionAssert.AreEqual(raw, ClusterKey.LoadFile(path));
    }

    [TestMethod]
    public void LoadFile_Base64Text_Decoded()
    {
        using var file = new TempFile();
        string path = file.Path;
        File.WriteAllText(path, Convert.ToBase64String(s_key) + "\n");

        CollectionAssert.AreEqual(s_key, ClusterKey.LoadFile(path));
    }

    [TestMethod]
    public void LoadFile_Missing_BadConfigurationNamingThePath()
    {
        string path = Path.Combine(Path.GetTempPath(), $"rsm-missing-{Guid.NewGuid():N}.key");

        RsmException ex = Assert.ThrowsExactly<RsmException>(() => ClusterKey.LoadFile(path));

        Assert.AreEqual(RsmError.BadConfiguration, ex.Error);
        StringAssert.Contains(ex.Message, path);
    }

    [TestMethod]
    public void LoadFile_TooShort_BadConfiguration()
    {
        using var file = new TempFile();
        string path = file.Path;
        File.WriteAllBytes(path, new byte[8]);

        Assert.AreEqual(RsmError.BadConfiguration, Assert.ThrowsExactly<RsmException>(() => ClusterKey.LoadFile(path)).Error);
    }

    [TestMethod]
    public void Load_InlineOrFile_ExactlyOneRequired()
    {
        Assert.AreEqual(RsmError.BadConfiguration, Assert.ThrowsExactly<RsmException>(() => ClusterKey.Load(null, null)).Error);
        Assert.AreEqual(RsmError.BadConfiguration, Assert.ThrowsExactly<RsmException>(() => ClusterKey.Load(Convert.ToBase64String(s_key), "/some/file")).Error);
        CollectionAssert.AreEqual(s_key, ClusterKey.Load(Convert.ToBase64String(s_key), null));
    }

    private sealed class TempFile : IDisposable
    {
        public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"rsm-key-{Guid.NewGuid():N}.key");

        public void Dispose() => File.Delete(Path);
    }
}
