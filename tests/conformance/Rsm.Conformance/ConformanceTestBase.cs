namespace Rsm.Conformance;

/// <summary>
/// Base of every area class: creates a fresh harness per test, offers the default fixture of RSMAPI section 9
/// and cleans up in reverse order of creation.
/// </summary>
public abstract class ConformanceTestBase
{
    /// <summary>The explicit segment id of the default fixture.</summary>
    protected const uint Id = 0x600000;

    /// <summary>Octal 0246: owner write only, group read, other read and write.</summary>
    protected const uint Mode0246 = 0xA6;

    /// <summary>Octal 0624, the example access-list permission of RSMAPI 5.3.</summary>
    protected const uint Mode0624 = 0x194;

    /// <summary>Octal 0666, the largest legal access-list permission.</summary>
    protected const uint Mode0666 = 0x1B6;

    /// <summary>Octal 0667, one above the largest legal access-list permission.</summary>
    protected const uint Mode0667 = 0x1B7;

    /// <summary>Octal 0777.</summary>
    protected const uint Mode0777 = 0x1FF;

    private readonly Stack<Action> _cleanup = new();
    private RsmConformanceHarness? _harness;

    /// <summary>The harness of the running test.</summary>
    protected RsmConformanceHarness Harness => _harness ?? throw new InvalidOperationException("The harness is created per test.");

    /// <summary>The system page size (PS).</summary>
    protected static nuint PS => RsmPageMemory.PageSize;

    /// <summary>The default segment length, four pages (L).</summary>
    protected static nuint L => 4 * PS;

    /// <summary>The provider's hook.</summary>
    /// <returns>A new harness.</returns>
    protected abstract RsmConformanceHarness CreateHarness();

    /// <summary>A harness of this class's kind, for the compliance check that finds each area's classes by their harness.</summary>
    internal RsmConformanceHarness NewHarness() => CreateHarness();

    /// <summary>Creates the harness.</summary>
    [TestInitialize]
    public void InitializeHarness() => _harness = CreateHarness();

    /// <summary>Releases everything the test created, newest first, then the harness.</summary>
    [TestCleanup]
    public void CleanupHarness()
    {
        while (_cleanup.TryPop(out Action? action))
        {
            try
            {
                action();
            }
            catch (RsmException)
            {
            }
        }

        _harness?.Dispose();
        _harness = null;
    }

    /// <summary>Registers an action to run at cleanup (newest first).</summary>
    /// <param name="action">The action; an <see cref="RsmException"/> from it is ignored.</param>
    protected void Defer(Action action) => _cleanup.Push(action);

    /// <summary>Skips the test (reported as skipped, never passed) unless the provider has <paramref name="capability"/>.</summary>
    /// <param name="capability">The capability needed.</param>
    /// <param name="why">What the test needs it for.</param>
    protected void Require(ConformanceCapabilities capability, string why)
    {
        if ((Harness.Capabilities & capability) != capability)
        {
            Assert.Inconclusive($"{Harness.ProviderName} does not declare {capability}: {why}");
        }
    }

    /// <summary>
    /// Skips the test unless the importer is unprivileged: uid 0 bypasses the owner/group/other check (DECISIONS F5),
    /// so a PermissionDenied (27) outcome can only be observed by a non-root importer.
    /// </summary>
    protected static void RequireUnprivilegedImporter()
    {
        if (Rsm.Engine.RsmCredentials.ReadCurrent().IsPrivileged)
        {
            Assert.Inconclusive("the importer runs as uid 0, which bypasses the owner/group/other check (DECISIONS F5); this check needs an unprivileged importer");
        }
    }

    /// <summary>Skips the test unless the importer is privileged (uid 0), for RSMAPI item 84.</summary>
    protected static void RequirePrivilegedImporter()
    {
        if (!Rsm.Engine.RsmCredentials.ReadCurrent().IsPrivileged)
        {
            Assert.Inconclusive("this check needs a privileged importer (uid 0); the tests run unprivileged");
        }
    }

    /// <summary>A controller for node <paramref name="nodeId"/>, released at cleanup.</summary>
    /// <param name="nodeId">The node id.</param>
    /// <param name="options">Other node settings.</param>
    /// <returns>The controller.</returns>
    protected IRsmController NewController(uint nodeId = 1, ConformanceNodeOptions? options = null)
    {
        IRsmController controller = Harness.CreateController((options ?? new ConformanceNodeOptions()) with { NodeId = nodeId });
        Defer(controller.Dispose);
        return controller;
    }

    /// <summary>Page-aligned memory of <paramref name="pages"/> pages, freed at cleanup (after the segments created later).</summary>
    /// <param name="pages">Number of pages.</param>
    /// <returns>The memory.</returns>
    protected RsmPageMemory NewBuffer(int pages = 4)
    {
        RsmPageMemory memory = RsmPageMemory.Allocate((nuint)pages * PS);
        Defer(memory.Dispose);
        return memory;
    }

    /// <summary>Creates an export segment destroyed at cleanup.</summary>
    /// <param name="controller">The controller.</param>
    /// <param name="address">The memory.</param>
    /// <param name="length">The length.</param>
    /// <param name="flags">Flags.</param>
    /// <returns>The segment.</returns>
    protected IExportSegment NewExport(IRsmController controller, nint address, nuint length, ExportFlags flags = ExportFlags.None)
    {
        IExportSegment export = controller.CreateExportSegment(address, length, flags);
        Defer(() =>
        {
            // Bounded: a provider that never drops the poll reference must not hang the cleanup.
            for (int attempt = 0; attempt < 64; attempt++)
            {
                try
                {
                    export.ReleasePollHandle();
                    export.Destroy();
                    return;
                }
                catch (RsmException ex) when (ex.Error == RsmError.PollDescriptorInUse)
                {
                }
            }
        });
        return export;
    }

    /// <summary>Connects an import segment that is unmapped and disconnected at cleanup.</summary>
    /// <param name="controller">The importer's controller.</param>
    /// <param name="nodeId">The exporter's node.</param>
    /// <param name="segmentId">The segment id.</param>
    /// <param name="permission">The permission.</param>
    /// <returns>The import segment.</returns>
    protected IImportSegment NewImport(IRsmController controller, uint nodeId, uint segmentId, RsmPermissions permission)
    {
        IImportSegment import = controller.Connect(nodeId, segmentId, permission);
        Defer(() =>
        {
            for (int i = 0; i < 64; i++)
            {
                try
                {
                    import.ReleasePollHandle();
                }
                catch (RsmException)
                {
                    return;
                }
            }

            try
            {
                import.Unmap();
            }
            catch (RsmException)
            {
            }

            import.Disconnect();
        });
        return import;
    }

    /// <summary>
    /// The default fixture of RSMAPI section 9: controller C, four-page buffer B, export E on B published as
    /// <see cref="Id"/> with no access list, importer I from the same node with ReadWrite, and barrier Bar initialised on I.
    /// </summary>
    /// <param name="flags">Creation flags of E.</param>
    /// <param name="permission">The importer's permission.</param>
    /// <returns>The fixture.</returns>
    protected DefaultFixture CreateDefaultFixture(ExportFlags flags = ExportFlags.None, RsmPermissions permission = RsmPermissions.ReadWrite)
    {
        IRsmController c = NewController();
        RsmPageMemory b = NewBuffer();
        IExportSegment e = NewExport(c, b.Address, L, flags);
        Assert.AreEqual(Id, e.Publish(Id));
        IImportSegment i = NewImport(c, c.LocalNodeId, Id, permission);
        var bar = new RsmBarrier();
        i.InitBarrier(RsmBarrierType.Node, bar);
        return new DefaultFixture(c, b, e, i, bar);
    }

    /// <summary>
    /// Brings a mapping and the exporter's memory together where a mapping is a copy (no
    /// <see cref="ConformanceCapabilities.CoherentMapping"/>): the importer's stores go to the exporter and the exporter's
    /// stores come into the mapping, with an open and a close barrier. Coherent mappings need nothing.
    /// </summary>
    /// <param name="barrier">A barrier initialised on the mapped import.</param>
    protected void SyncMapping(RsmBarrier barrier)
    {
        ArgumentNullException.ThrowIfNull(barrier);
        if ((Harness.Capabilities & ConformanceCapabilities.CoherentMapping) == 0)
        {
            barrier.Open();
            barrier.Close();
        }
    }

    /// <summary>Runs <paramref name="action"/> and returns the <see cref="RsmError"/> it raised, or Success.</summary>
    /// <param name="action">The call.</param>
    /// <returns>The outcome.</returns>
    protected static RsmError Outcome(Action action)
    {
        ArgumentNullException.ThrowIfNull(action);
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

    /// <summary>
    /// Waits at most 30 s for <paramref name="task"/> (a hang fails the test instead of blocking the run) and rethrows the
    /// <see cref="RsmException"/> it ended with, so that <see cref="Outcome"/> sees it.
    /// </summary>
    /// <param name="task">The task of an asynchronous call.</param>
    protected static void AwaitBounded(Task task)
    {
        ArgumentNullException.ThrowIfNull(task);
        try
        {
            Assert.IsTrue(task.Wait(TimeSpan.FromSeconds(30)), "the asynchronous call did not complete within 30 s");
        }
        catch (AggregateException ex) when (ex.InnerException is RsmException inner)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(inner);
        }
    }

    /// <summary>Asserts that <paramref name="action"/> ends with exactly <paramref name="expected"/>.</summary>
    /// <param name="expected">The expected outcome (Success for none).</param>
    /// <param name="action">The call.</param>
    /// <param name="what">Optional description for the failure message.</param>
    protected static void AssertOutcome(RsmError expected, Action action, string? what = null) =>
        Assert.AreEqual(expected, Outcome(action), what);
}

/// <summary>The default fixture of RSMAPI section 9.</summary>
/// <param name="C">The controller.</param>
/// <param name="B">The exported buffer (four pages).</param>
/// <param name="E">The export segment, published as 0x600000 with no access list.</param>
/// <param name="I">The ReadWrite importer from the same node.</param>
/// <param name="Bar">The barrier initialised on I.</param>
public sealed record DefaultFixture(IRsmController C, RsmPageMemory B, IExportSegment E, IImportSegment I, RsmBarrier Bar);
