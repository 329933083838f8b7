using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Rsm.Engine;

namespace Rsm.Conformance;

/// <summary>
/// Conformance area Controller: <c>rsm_get_controller</c>, <c>rsm_get_controller_attr</c>, <c>rsm_release_controller</c>,
/// topology and segment-id ranges (RSMAPI section 9, items 1-10 and 158-162). Item 1 and item 8 are listed in
/// <see cref="ConformanceCatalogue.NotApplicableInDotNet"/>.
/// </summary>
public abstract class ControllerConformanceTests : ConformanceTestBase
{
    private const string LoopbackName = "loopback";

    private const string FooLine = "reserved SUNWfoo 0x600000 1000";

    /// <summary>
    /// Checklist item 2 (RSMAPI section 9): <c>rsm_get_controller(NULL, &amp;h)</c> → 0 and yields the loopback
    /// controller.
    /// </summary>
    [ConformanceTest]
    public void Spec002_GetController_NullName_ReturnsLoopback()
    {
        RequireLoopbackControllerName("a null name means the loopback controller");
        IServiceProvider services = Harness.CreateServiceProvider();
        using var lifetime = (IDisposable)services;
        var factory = services.GetRequiredService<IRsmControllerFactory>();

        using IRsmController byNull = factory.GetController(null);
        using IRsmController byName = factory.GetController(LoopbackName);

        Assert.AreSame(byName, byNull);
        Assert.AreEqual(LoopbackName, byNull.Name, ignoreCase: true);
    }

    /// <summary>
    /// Checklist item 3 (RSMAPI section 9): Two <c>get_controller("loopback")</c> calls return the identical handle;
    /// one release leaves it usable; the second release returns 0.
    /// </summary>
    [ConformanceTest]
    public void Spec003_GetController_Twice_SameInstanceReferenceCounted()
    {
        IServiceProvider services = Harness.CreateServiceProvider();
        using var lifetime = (IDisposable)services;
        var factory = services.GetRequiredService<IRsmControllerFactory>();

        IRsmController first = factory.GetController(Harness.ControllerName);
        IRsmController second = factory.GetController(Harness.ControllerName);
        Assert.AreSame(first, second);

        AssertOutcome(RsmError.Success, first.Release, "first release");
        AssertOutcome(RsmError.Success, () => second.GetAttributes(), "attributes after one of two releases");
        AssertOutcome(RsmError.Success, second.Release, "second release");
        AssertOutcome(RsmError.BadControllerHandle, () => second.GetAttributes(), "attributes after the last release (DECISIONS D7)");
    }

    /// <summary>
    /// Checklist item 4 (RSMAPI section 9): <c>get_controller("loopback5")</c> after <c>"loopback"</c> returns the same
    /// handle (unit ignored for loopback).
    /// </summary>
    [ConformanceTest]
    public void Spec004_GetController_LoopbackWithUnit_SameInstanceAsLoopback()
    {
        RequireLoopbackControllerName("the unit number is ignored only for loopback");
        IServiceProvider services = Harness.CreateServiceProvider();
        using var lifetime = (IDisposable)services;
        var factory = services.GetRequiredService<IRsmControllerFactory>();

        using IRsmController plain = factory.GetController(LoopbackName);
        using IRsmController unit5 = factory.GetController(LoopbackName + "5");

        Assert.AreSame(plain, unit5);
    }

    /// <summary>
    /// Checklist item 5 (RSMAPI section 9): <c>get_controller("nosuch0", &amp;h)</c> → CTLR_NOT_PRESENT (4).
    /// </summary>
    [ConformanceTest]
    public void Spec005_GetController_UnknownName_ControllerNotPresent()
    {
        IServiceProvider services = Harness.CreateServiceProvider();
        using var lifetime = (IDisposable)services;
        var factory = services.GetRequiredService<IRsmControllerFactory>();

        AssertOutcome(RsmError.ControllerNotPresent, () => factory.GetController("nosuch0").Dispose());
    }

    /// <summary>
    /// Checklist item 6 (RSMAPI section 9): A plugin whose ops report version ≠ 1 → BAD_LIBRARY_VERSION (1).
    /// </summary>
    [ConformanceTest]
    public void Spec006_GetController_ProviderVersionNotOne_BadLibraryVersion()
    {
        IConfiguration configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["Controllers:bad0:Provider"] = FakeProvider.ProviderName })
            .Build();
        var services = new ServiceCollection();
        services.AddRsm(configuration);
        services.AddSingleton<IRsmProvider>(new FakeProvider());
        using ServiceProvider provider = services.BuildServiceProvider();
        var factory = provider.GetRequiredService<IRsmControllerFactory>();

        AssertOutcome(RsmError.BadLibraryVersion, () => factory.GetController("bad0").Dispose());
    }

    /// <summary>
    /// Checklist item 7 (RSMAPI section 9): <c>get_controller_attr(NULL, &amp;a)</c> → 3; <c>get_controller_attr(NULL,
    /// NULL)</c> → 3 (handle first).
    /// </summary>
    [ConformanceTest]
    public void Spec007_GetAttributes_ReleasedController_BadControllerHandle()
    {
        IRsmController c = NewController();
        c.Release();

        AssertOutcome(RsmError.BadControllerHandle, () => c.GetAttributes());
    }

    /// <summary>
    /// Checklist item 9 (RSMAPI section 9): Loopback attributes: page_size 8; max_export_segment_size,
    /// tot_export_segment_size, max_export_segments, max/tot import map size, max_import_segments, direct_access_sizes,
    /// atomic_sizes all 0.
    /// </summary>
    [ConformanceTest]
    public void Spec009_GetAttributes_ReportsRealValues()
    {
        IRsmController c = NewController();

        RsmControllerAttributes attributes = c.GetAttributes();

        // DECISIONS D1 replaces the illumos loopback values (page size 8, limits 0) with real ones.
        Assert.AreEqual((nuint)Environment.SystemPageSize, attributes.PageSize);
        Assert.IsTrue(attributes.MaxExportSegmentSize > 0, "MaxExportSegmentSize must be positive");
        Assert.IsTrue(attributes.TotalExportSegmentSize > 0, "TotalExportSegmentSize must be positive");
        Assert.IsTrue(attributes.MaxExportSegments > 0, "MaxExportSegments must be positive");
        Assert.AreEqual(0xFu, attributes.DirectAccessSizes);
        Assert.AreEqual(64u, attributes.MaxNodes, "the default MaxNodes (DECISIONS F5)");
    }

    /// <summary>
    /// Checklist item 9 (RSMAPI section 9): Loopback attributes: page_size 8; max_export_segment_size,
    /// tot_export_segment_size, max_export_segments, max/tot import map size, max_import_segments, direct_access_sizes,
    /// atomic_sizes all 0.
    /// </summary>
    [ConformanceTest]
    public void Spec009_GetAttributes_ReportsConfiguredLimits()
    {
        IRsmController c = NewController(1, new ConformanceNodeOptions
        {
            MaxExportSegmentSize = 2 * L,
            TotalExportSegmentSize = 3 * L,
            MaxExportSegments = 5,
        });

        RsmControllerAttributes attributes = c.GetAttributes();

        // The limits the controller enforces are the ones it reports (DECISIONS D1).
        Assert.AreEqual(2 * L, attributes.MaxExportSegmentSize);
        Assert.AreEqual(3 * L, attributes.TotalExportSegmentSize);
        Assert.AreEqual(5UL, attributes.MaxExportSegments);
        Assert.AreEqual((nuint)Environment.SystemPageSize, attributes.PageSize);
    }

    /// <summary>
    /// Checklist item 10 (RSMAPI section 9): <c>release_controller</c> on a handle whose refcount already reached 0 → 3
    /// (C# model).
    /// </summary>
    [ConformanceTest]
    public void Spec010_Release_AfterLastRelease_BadControllerHandle()
    {
        IRsmController c = NewController();

        AssertOutcome(RsmError.Success, c.Release);
        AssertOutcome(RsmError.BadControllerHandle, c.Release);
    }

    /// <summary>
    /// Checklist item 10 (RSMAPI section 9): <c>release_controller</c> on a handle whose refcount already reached 0 → 3
    /// (C# model).
    /// </summary>
    [ConformanceTest]
    public void Spec010_AnyCall_AfterLastRelease_BadControllerHandle()
    {
        IRsmController c = NewController();
        RsmPageMemory b = NewBuffer();
        c.Release();

        // A released controller is the .NET form of a NULL controller handle (DECISIONS D7).
        AssertOutcome(RsmError.BadControllerHandle, () => c.CreateExportSegment(b.Address, L).Dispose(), "create");
        AssertOutcome(RsmError.BadControllerHandle, () => c.Connect(c.LocalNodeId, Id, RsmPermissions.ReadWrite).Dispose(), "connect");
        AssertOutcome(RsmError.BadControllerHandle, () => c.GetInterconnectTopology(), "topology");
        AssertOutcome(RsmError.BadControllerHandle, () => c.CreateLocalMemoryHandle(b.Address, PS), "local memory handle");
        AssertOutcome(RsmError.BadControllerHandle, () => c.GetSegmentIdRange("SUNWfoo"), "segment-id range");
    }

    /// <summary>
    /// Checklist item 158 (RSMAPI section 9): get_interconnect_topology(NULL) → BAD_TOPOLOGY_PTR (2); success yields
    /// <c>local_nodeid</c> equal to the node id and <c>connections[i]</c> pointing inside the block; free(NULL) is
    /// harmless.
    /// </summary>
    [ConformanceTest]
    public void Spec158_GetInterconnectTopology_LocalNodeIdIsControllers()
    {
        IRsmController c = NewController();

        RsmTopology topology = c.GetInterconnectTopology();

        Assert.AreEqual(c.LocalNodeId, topology.LocalNodeId);
        foreach (RsmControllerConnections connections in topology.Controllers)
        {
            // Loopback controllers are never listed (RSMAPI A32).
            Assert.IsFalse(connections.ControllerName.StartsWith(LoopbackName, StringComparison.OrdinalIgnoreCase), connections.ControllerName);
        }
    }

    /// <summary>
    /// Checklist item 159 (RSMAPI section 9): get_segmentid_range with any NULL argument → 16 (even if the file is
    /// missing).
    /// </summary>
    [ConformanceTest]
    public void Spec159_GetSegmentIdRange_NullAppId_BadAddressEvenWithoutFile()
    {
        IRsmController c = NewController(1, new ConformanceNodeOptions { SegmentIdRangeFile = MissingFilePath() });

        AssertOutcome(RsmError.BadAddress, () => c.GetSegmentIdRange(null));
    }

    /// <summary>
    /// Checklist item 159 (RSMAPI section 9): get_segmentid_range with any NULL argument → 16 (even if the file is
    /// missing).
    /// </summary>
    [ConformanceTest]
    public void Spec159_GetSegmentIdRange_NullAppIdWithFile_BadAddress()
    {
        IRsmController c = ControllerWithRangeFile(FooLine + "\n");

        AssertOutcome(RsmError.BadAddress, () => c.GetSegmentIdRange(null));
    }

    /// <summary>
    /// Checklist item 160 (RSMAPI section 9): Missing config file → BAD_CONF (44); unknown appid → BAD_APPID (43).
    /// </summary>
    [ConformanceTest]
    public void Spec160_GetSegmentIdRange_MissingFile_BadConfiguration()
    {
        IRsmController c = NewController(1, new ConformanceNodeOptions { SegmentIdRangeFile = MissingFilePath() });

        AssertOutcome(RsmError.BadConfiguration, () => c.GetSegmentIdRange("SUNWfoo"));
    }

    /// <summary>
    /// Checklist item 160 (RSMAPI section 9): Missing config file → BAD_CONF (44); unknown appid → BAD_APPID (43).
    /// </summary>
    [ConformanceTest]
    public void Spec160_GetSegmentIdRange_UnknownAppId_BadAppId()
    {
        IRsmController c = ControllerWithRangeFile(FooLine + "\n");

        AssertOutcome(RsmError.BadAppId, () => c.GetSegmentIdRange("SUNWbar"));
    }

    /// <summary>
    /// Checklist item 161 (RSMAPI section 9): Line <c>reserved SUNWfoo 0x600000 1000</c> → base 0x600000, length 1000;
    /// appid match is case-insensitive (<c>sunwFOO</c>); keyword <c>RESERVED</c> accepted.
    /// </summary>
    [ConformanceTest]
    public void Spec161_GetSegmentIdRange_ReservedLine_BaseAndLength()
    {
        IRsmController c = ControllerWithRangeFile(FooLine + "\n");

        Assert.AreEqual(new RsmSegmentIdRange(0x600000, 1000), c.GetSegmentIdRange("SUNWfoo"));
    }

    /// <summary>
    /// Checklist item 161 (RSMAPI section 9): Line <c>reserved SUNWfoo 0x600000 1000</c> → base 0x600000, length 1000;
    /// appid match is case-insensitive (<c>sunwFOO</c>); keyword <c>RESERVED</c> accepted.
    /// </summary>
    [ConformanceTest]
    public void Spec161_GetSegmentIdRange_AppIdDiffersInCase_Matches()
    {
        IRsmController c = ControllerWithRangeFile(FooLine + "\n");

        Assert.AreEqual(new RsmSegmentIdRange(0x600000, 1000), c.GetSegmentIdRange("sunwFOO"));
    }

    /// <summary>
    /// Checklist item 161 (RSMAPI section 9): Line <c>reserved SUNWfoo 0x600000 1000</c> → base 0x600000, length 1000;
    /// appid match is case-insensitive (<c>sunwFOO</c>); keyword <c>RESERVED</c> accepted.
    /// </summary>
    [ConformanceTest]
    public void Spec161_GetSegmentIdRange_UpperCaseKeyword_Accepted()
    {
        IRsmController c = ControllerWithRangeFile("RESERVED SUNWfoo 0x600000 1000\n");

        Assert.AreEqual(new RsmSegmentIdRange(0x600000, 1000), c.GetSegmentIdRange("SUNWfoo"));
    }

    /// <summary>
    /// Checklist item 161 (RSMAPI section 9): Line <c>reserved SUNWfoo 0x600000 1000</c> → base 0x600000, length 1000;
    /// appid match is case-insensitive (<c>sunwFOO</c>); keyword <c>RESERVED</c> accepted.
    /// </summary>
    [ConformanceTest]
    public void Spec161_GetSegmentIdRange_BaseWithoutHexPrefix_ParsedAsHex()
    {
        // The base is parsed as hexadecimal with or without 0x (RSMAPI 3.11 step 4).
        IRsmController c = ControllerWithRangeFile("reserved SUNWfoo 600000 1000\n");

        Assert.AreEqual(new RsmSegmentIdRange(0x600000, 1000), c.GetSegmentIdRange("SUNWfoo"));
    }

    /// <summary>
    /// Checklist item 162 (RSMAPI section 9): Matched line with keyword <c>reserve</c> → 44; a blank line or 3-field
    /// line *before* the match → 44; indented <c>#</c> comment lines are skipped; the first matching line wins.
    /// </summary>
    [ConformanceTest]
    public void Spec162_GetSegmentIdRange_KeywordReserve_BadConfiguration()
    {
        IRsmController c = ControllerWithRangeFile("reserve SUNWfoo 0x600000 1000\n");

        AssertOutcome(RsmError.BadConfiguration, () => c.GetSegmentIdRange("SUNWfoo"));
    }

    /// <summary>
    /// Checklist item 162 (RSMAPI section 9): Matched line with keyword <c>reserve</c> → 44; a blank line or 3-field
    /// line *before* the match → 44; indented <c>#</c> comment lines are skipped; the first matching line wins.
    /// </summary>
    [ConformanceTest]
    public void Spec162_GetSegmentIdRange_BlankLineBeforeMatch_BadConfiguration()
    {
        IRsmController c = ControllerWithRangeFile("\n" + FooLine + "\n");

        AssertOutcome(RsmError.BadConfiguration, () => c.GetSegmentIdRange("SUNWfoo"));
    }

    /// <summary>
    /// Checklist item 162 (RSMAPI section 9): Matched line with keyword <c>reserve</c> → 44; a blank line or 3-field
    /// line *before* the match → 44; indented <c>#</c> comment lines are skipped; the first matching line wins.
    /// </summary>
    [ConformanceTest]
    public void Spec162_GetSegmentIdRange_ThreeFieldLineBeforeMatch_BadConfiguration()
    {
        IRsmController c = ControllerWithRangeFile("reserved SUNWbar 0x700000\n" + FooLine + "\n");

        AssertOutcome(RsmError.BadConfiguration, () => c.GetSegmentIdRange("SUNWfoo"));
    }

    /// <summary>
    /// Checklist item 162 (RSMAPI section 9): Matched line with keyword <c>reserve</c> → 44; a blank line or 3-field
    /// line *before* the match → 44; indented <c>#</c> comment lines are skipped; the first matching line wins.
    /// </summary>
    [ConformanceTest]
    public void Spec162_GetSegmentIdRange_IndentedComments_Skipped()
    {
        IRsmController c = ControllerWithRangeFile("# range file\n   # indented comment\n\t# tab-indented comment\n" + FooLine + "\n");

        Assert.AreEqual(new RsmSegmentIdRange(0x600000, 1000), c.GetSegmentIdRange("SUNWfoo"));
    }

    /// <summary>
    /// Checklist item 162 (RSMAPI section 9): Matched line with keyword <c>reserve</c> → 44; a blank line or 3-field
    /// line *before* the match → 44; indented <c>#</c> comment lines are skipped; the first matching line wins.
    /// </summary>
    [ConformanceTest]
    public void Spec162_GetSegmentIdRange_TwoMatchingLines_FirstWins()
    {
        IRsmController c = ControllerWithRangeFile(FooLine + "\nreserved SUNWfoo 0x700000 5\n");

        Assert.AreEqual(new RsmSegmentIdRange(0x600000, 1000), c.GetSegmentIdRange("SUNWfoo"));
    }

    /// <summary>
    /// Checklist item 162 (RSMAPI section 9): Matched line with keyword <c>reserve</c> → 44; a blank line or 3-field
    /// line *before* the match → 44; indented <c>#</c> comment lines are skipped; the first matching line wins.
    /// </summary>
    [ConformanceTest]
    public void Spec162_GetSegmentIdRange_OtherAppIdWithOtherKeyword_NotChecked()
    {
        // Only the matching line's keyword is checked (RSMAPI 3.11 step 5).
        IRsmController c = ControllerWithRangeFile("private SUNWbar 0x700000 5\n" + FooLine + "\n");

        Assert.AreEqual(new RsmSegmentIdRange(0x600000, 1000), c.GetSegmentIdRange("SUNWfoo"));
    }

    private void RequireLoopbackControllerName(string why)
    {
        if (!string.Equals(Harness.ControllerName, LoopbackName, StringComparison.OrdinalIgnoreCase))
        {
            Assert.Inconclusive($"{Harness.ProviderName} registers its controller as '{Harness.ControllerName}', not '{LoopbackName}': {why}");
        }
    }

    private IRsmController ControllerWithRangeFile(string contents)
    {
        string path = Path.GetTempFileName();
        Defer(() => File.Delete(path));
        File.WriteAllText(path, contents);
        return NewController(1, new ConformanceNodeOptions { SegmentIdRangeFile = path });
    }

    private static string MissingFilePath() =>
        Path.Combine(Path.GetTempPath(), "rsm-missing-" + Guid.NewGuid().ToString("N"), "rsm.segmentid");

    /// <summary>A provider that reports library version 2, for item 6.</summary>
    private sealed class FakeProvider : IRsmProvider
    {
        public const string ProviderName = "Fake";

        public string Name => ProviderName;

        public int Version => 2;

        public IRsmController CreateController(string name, IConfiguration settings, string configurationPath) =>
            throw new InvalidOperationException($"a provider of library version {Version} must not be asked to open '{name}'");
    }
}
