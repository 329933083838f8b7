using Rsm.Engine;

namespace Rsm.Abstractions.Tests;

/// <summary>The segment-id range file parser of RSMAPI 3.11 (<c>rsm_get_segmentid_range</c>, items 159-162, A17).</summary>
[TestClass]
public sealed class SegmentIdRangeFileTests
{
    private readonly List<string> _files = [];

    [TestCleanup]
    public void DeleteFiles()
    {
        foreach (string file in _files)
        {
            File.Delete(file);
        }
    }

    [TestMethod]
    public void Spec159_NullAppId_BadAddress()
    {
        string path = WriteFile("reserved SUNWfoo 0x600000 1000\n");

        Assert.AreEqual(RsmError.BadAddress, Outcome(() => SegmentIdRangeFile.Lookup(path, null)));
    }

    [TestMethod]
    public void Spec159_NullAppIdMissingFile_BadAddress() =>
        Assert.AreEqual(RsmError.BadAddress, Outcome(() => SegmentIdRangeFile.Lookup(MissingPath(), null)));

    [TestMethod]
    public void Spec160_MissingFile_BadConfiguration() =>
        Assert.AreEqual(RsmError.BadConfiguration, Outcome(() => SegmentIdRangeFile.Lookup(MissingPath(), "SUNWfoo")));

    [TestMethod]
    public void Spec160_UnknownAppId_BadAppId()
    {
        string path = WriteFile("reserved SUNWfoo 0x600000 1000\nreserved SUNWbar 0x700000 10\n");

        Assert.AreEqual(RsmError.BadAppId, Outcome(() => SegmentIdRangeFile.Lookup(path, "SUNWbaz")));
    }

    [TestMethod]
    public void Spec160_EmptyFile_BadAppId()
    {
        string path = WriteFile(string.Empty);

        Assert.AreEqual(RsmError.BadAppId, Outcome(() => SegmentIdRangeFile.Lookup(path, "SUNWfoo")));
    }

    [TestMethod]
    public void Spec160_OnlyComments_BadAppId()
    {
        string path = WriteFile("# segment ids\n   # indented\n");

        Assert.AreEqual(RsmError.BadAppId, Outcome(() => SegmentIdRangeFile.Lookup(path, "SUNWfoo")));
    }

    [TestMethod]
    public void Spec161_ReservedLine_BaseAndLength()
    {
        string path = WriteFile("reserved SUNWfoo 0x600000 1000\n");

        Assert.AreEqual(new RsmSegmentIdRange(0x600000, 1000), SegmentIdRangeFile.Lookup(path, "SUNWfoo"));
    }

    [TestMethod]
    public void Spec161_AppIdMatch_CaseInsensitive()
    {
        string path = WriteFile("reserved SUNWfoo 0x600000 1000\n");

        Assert.AreEqual(new RsmSegmentIdRange(0x600000, 1000), SegmentIdRangeFile.Lookup(path, "sunwFOO"));
    }

    [TestMethod]
    public void Spec161_KeywordUpperCase_Accepted()
    {
        string path = WriteFile("RESERVED SUNWfoo 0x600000 1000\n");

        Assert.AreEqual(new RsmSegmentIdRange(0x600000, 1000), SegmentIdRangeFile.Lookup(path, "SUNWfoo"));
    }

    [TestMethod]
    public void Spec161_BaseWithoutPrefix_ParsedAsHexadecimal()
    {
        string path = WriteFile("reserved SUNWfoo 600000 16\n");

        Assert.AreEqual(new RsmSegmentIdRange(0x600000, 16), SegmentIdRangeFile.Lookup(path, "SUNWfoo"));
    }

    [TestMethod]
    public void Spec161_LengthParsedAsDecimal()
    {
        string path = WriteFile("reserved SUNWfoo 0x10 0010\n");

        Assert.AreEqual(new RsmSegmentIdRange(0x10, 10), SegmentIdRangeFile.Lookup(path, "SUNWfoo"));
    }

    [TestMethod]
    public void Spec161_TabsAndLeadingBlanks_Accepted()
    {
        string path = WriteFile("  \treserved\tSUNWfoo\t0x600000\t1000\n");

        Assert.AreEqual(new RsmSegmentIdRange(0x600000, 1000), SegmentIdRangeFile.Lookup(path, "SUNWfoo"));
    }

    [TestMethod]
    public void Spec161_NoTrailingNewline_Accepted()
    {
        string path = WriteFile("reserved SUNWfoo 0x600000 1000");

        Assert.AreEqual(new RsmSegmentIdRange(0x600000, 1000), SegmentIdRangeFile.Lookup(path, "SUNWfoo"));
    }

    [TestMethod]
    public void Spec161_NegativeLength_StoredUnsigned()
    {
        string path = WriteFile("reserved SUNWfoo 0x600000 -1\n");

        Assert.AreEqual(new RsmSegmentIdRange(0x600000, uint.MaxValue), SegmentIdRangeFile.Lookup(path, "SUNWfoo"));
    }

    [TestMethod]
    public void Spec162_KeywordReserve_BadConfiguration()
    {
        string path = WriteFile("reserve SUNWfoo 0x600000 1000\n");

        Assert.AreEqual(RsmError.BadConfiguration, Outcome(() => SegmentIdRangeFile.Lookup(path, "SUNWfoo")));
    }

    [TestMethod]
    public void Spec162_OtherKeywordForOtherAppId_NotChecked()
    {
        string path = WriteFile("reserve SUNWbar 0x700000 10\nreserved SUNWfoo 0x600000 1000\n");

        Assert.AreEqual(new RsmSegmentIdRange(0x600000, 1000), SegmentIdRangeFile.Lookup(path, "SUNWfoo"));
    }

    [TestMethod]
    public void Spec162_BlankLineBeforeMatch_BadConfiguration()
    {
        string path = WriteFile("reserved SUNWbar 0x700000 10\n\nreserved SUNWfoo 0x600000 1000\n");

        Assert.AreEqual(RsmError.BadConfiguration, Outcome(() => SegmentIdRangeFile.Lookup(path, "SUNWfoo")));
    }

    [TestMethod]
    public void Spec162_WhitespaceOnlyLineBeforeMatch_BadConfiguration()
    {
        string path = WriteFile("   \t\nreserved SUNWfoo 0x600000 1000\n");

        Assert.AreEqual(RsmError.BadConfiguration, Outcome(() => SegmentIdRangeFile.Lookup(path, "SUNWfoo")));
    }

    [TestMethod]
    public void Spec162_ThreeFieldLineBeforeMatch_BadConfiguration()
    {
        string path = WriteFile("reserved SUNWbar 0x700000\nreserved SUNWfoo 0x600000 1000\n");

        Assert.AreEqual(RsmError.BadConfiguration, Outcome(() => SegmentIdRangeFile.Lookup(path, "SUNWfoo")));
    }

    [TestMethod]
    public void Spec162_ThreeFieldMatchingLine_BadConfiguration()
    {
        string path = WriteFile("reserved SUNWfoo 0x600000\n");

        Assert.AreEqual(RsmError.BadConfiguration, Outcome(() => SegmentIdRangeFile.Lookup(path, "SUNWfoo")));
    }

    [TestMethod]
    public void Spec162_MalformedLineAfterMatch_NotRead()
    {
        string path = WriteFile("reserved SUNWfoo 0x600000 1000\n\nbroken\n");

        Assert.AreEqual(new RsmSegmentIdRange(0x600000, 1000), SegmentIdRangeFile.Lookup(path, "SUNWfoo"));
    }

    [TestMethod]
    public void Spec162_IndentedComments_Skipped()
    {
        string path = WriteFile("# header\n    # indented comment\n\t#tabbed comment\nreserved SUNWfoo 0x600000 1000\n");

        Assert.AreEqual(new RsmSegmentIdRange(0x600000, 1000), SegmentIdRangeFile.Lookup(path, "SUNWfoo"));
    }

    [TestMethod]
    public void Spec162_FirstMatchingLineWins()
    {
        string path = WriteFile("reserved SUNWfoo 0x600000 1000\nreserved sunwfoo 0x700000 5\n");

        Assert.AreEqual(new RsmSegmentIdRange(0x600000, 1000), SegmentIdRangeFile.Lookup(path, "SUNWfoo"));
    }

    [TestMethod]
    public void Spec162_FirstMatchingLineBadKeyword_BadConfigurationEvenWithLaterGoodLine()
    {
        string path = WriteFile("reserve SUNWfoo 0x600000 1000\nreserved SUNWfoo 0x700000 5\n");

        Assert.AreEqual(RsmError.BadConfiguration, Outcome(() => SegmentIdRangeFile.Lookup(path, "SUNWfoo")));
    }

    [TestMethod]
    public void Spec162_BaseOverflow_BadConfiguration()
    {
        string path = WriteFile("reserved SUNWfoo 0x1FFFFFFFF 10\n");

        Assert.AreEqual(RsmError.BadConfiguration, Outcome(() => SegmentIdRangeFile.Lookup(path, "SUNWfoo")));
    }

    [TestMethod]
    public void Spec162_LengthOverflow_BadConfiguration()
    {
        string path = WriteFile("reserved SUNWfoo 0x600000 99999999999999999999\n");

        Assert.AreEqual(RsmError.BadConfiguration, Outcome(() => SegmentIdRangeFile.Lookup(path, "SUNWfoo")));
    }

    private static RsmError Outcome(Action action)
    {
        try
        {
            action();
            return RsmError.Success;
        }
        catch (RsmException ex)
        {
            return ex.Error;
        }
    }

    private string WriteFile(string contents)
    {
        string path = Path.Combine(Path.GetTempPath(), $"rsm.segmentid.{Guid.NewGuid():N}");
        File.WriteAllText(path, contents);
        _files.Add(path);
        return path;
    }

    private static string MissingPath() => Path.Combine(Path.GetTempPath(), $"rsm.segmentid.missing.{Guid.NewGuid():N}");
}
