using System.Reflection;

namespace Rsm.Conformance;

/// <summary>
/// Checks that a provider's test assembly runs every area of the suite, or declares the area not applicable with a reason
/// (<see cref="RsmConformanceHarness.NotApplicableAreas"/>). A provider derives from this class once, like from the area classes.
/// </summary>
public abstract class ComplianceConformanceTests : ConformanceTestBase
{
    /// <summary>Every area of the suite has a derived test class in the provider's test assembly, or is declared not applicable with a reason.</summary>
    [ConformanceTest]
    public void Compliance_EveryArea_RunOrDeclaredNotApplicable()
    {
        Assembly suite = typeof(ConformanceTestBase).Assembly;
        Assembly provider = GetType().Assembly;
        Type[] providerTypes = LoadableTypes(provider);
        string providerName = Harness.ProviderName;
        IReadOnlyDictionary<ConformanceArea, string> notApplicable = Harness.NotApplicableAreas;
        var failures = new List<string>();

        foreach (ConformanceArea area in Enum.GetValues<ConformanceArea>())
        {
            if (!AreaClasses.TryGetValue(area, out Type? areaBase))
            {
                failures.Add($"{area}: the suite names no abstract class for it");
                continue;
            }

            // A class of the area runs for this provider when it derives from the area's class and makes a harness of
            // the same type as this one; its name plays no part.
            bool runs = providerTypes.Any(t =>
                t is { IsClass: true, IsAbstract: false }
                && areaBase.IsAssignableFrom(t)
                && MakesHarnessOf(t, Harness.GetType()));
            if (runs)
            {
                continue;
            }

            if (!notApplicable.TryGetValue(area, out string? reason) || string.IsNullOrWhiteSpace(reason))
            {
                failures.Add($"{area}: {provider.GetName().Name} has no concrete subclass of {areaBase.Name} whose harness is a {Harness.GetType().Name} ({providerName}), and the harness does not declare the area not applicable with a reason");
            }
        }

        if (failures.Count > 0)
        {
            Assert.Fail(string.Join(Environment.NewLine, failures));
        }
    }

    /// <summary>Every checklist item 1 to 162 of RSMAPI section 9 has a test, or a catalogue entry saying why it cannot be one.</summary>
    [ConformanceTest]
    public void Compliance_EveryChecklistItem_TestedOrCatalogued()
    {
        HashSet<int> tested = TestedItems();
        int[] missing = [.. Enumerable.Range(1, 162).Where(i => !tested.Contains(i)
            && !ConformanceCatalogue.NotApplicableInDotNet.ContainsKey(i)
            && !ConformanceCatalogue.ItemsNeedingPeer.ContainsKey(i))];

        Assert.IsEmpty(missing, $"checklist items with neither a test nor a catalogue entry: {string.Join(", ", missing)}");
    }

    /// <summary>Every check numbered from 200 (beyond the checklist) is described in <see cref="ConformanceCatalogue.BeyondChecklist"/>.</summary>
    [ConformanceTest]
    public void Compliance_EveryCheckBeyondTheChecklist_Catalogued()
    {
        int[] uncatalogued = [.. TestedItems().Where(i => i >= 200 && !ConformanceCatalogue.BeyondChecklist.ContainsKey(i)).Order()];
        int[] untested = [.. ConformanceCatalogue.BeyondChecklist.Keys.Where(i => !TestedItems().Contains(i)).Order()];

        Assert.IsEmpty(uncatalogued, $"Spec2NN tests without a catalogue entry: {string.Join(", ", uncatalogued)}");
        Assert.IsEmpty(untested, $"catalogued checks without a test: {string.Join(", ", untested)}");
    }

    /// <summary>The abstract class of each area.</summary>
    private static readonly Dictionary<ConformanceArea, Type> AreaClasses = new()
    {
        [ConformanceArea.Controller] = typeof(ControllerConformanceTests),
        [ConformanceArea.Export] = typeof(ExportConformanceTests),
        [ConformanceArea.Publish] = typeof(PublishConformanceTests),
        [ConformanceArea.Import] = typeof(ImportConformanceTests),
        [ConformanceArea.DataAccess] = typeof(DataAccessConformanceTests),
        [ConformanceArea.ScatterGather] = typeof(ScatterGatherConformanceTests),
        [ConformanceArea.Map] = typeof(MapConformanceTests),
        [ConformanceArea.Barrier] = typeof(BarrierConformanceTests),
        [ConformanceArea.Events] = typeof(EventsConformanceTests),
        [ConformanceArea.LockOperations] = typeof(LockOperationsConformanceTests),
        [ConformanceArea.Lifetime] = typeof(LifetimeConformanceTests),
        [ConformanceArea.Concurrency] = typeof(ConcurrencyConformanceTests),
    };

    /// <summary>Whether the test class <paramref name="testClass"/> makes a harness of type <paramref name="harnessType"/>.</summary>
    private static bool MakesHarnessOf(Type testClass, Type harnessType)
    {
        if (testClass.GetConstructor(Type.EmptyTypes) is null || Activator.CreateInstance(testClass) is not ConformanceTestBase test)
        {
            return false;
        }

        using RsmConformanceHarness harness = test.NewHarness();
        return harness.GetType() == harnessType;
    }

    /// <summary>The item numbers of every <c>SpecNNN_</c> test method of the suite.</summary>
    private static HashSet<int> TestedItems() =>
        [.. LoadableTypes(typeof(ConformanceTestBase).Assembly)
            .SelectMany(t => t.GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.DeclaredOnly))
            .Where(m => m.GetCustomAttribute<TestMethodAttribute>() is not null
                && m.Name.Length > 8 && m.Name.StartsWith("Spec", StringComparison.Ordinal) && m.Name[7] == '_')
            .Select(m => int.Parse(m.Name.AsSpan(4, 3), System.Globalization.CultureInfo.InvariantCulture))];

    private static Type[] LoadableTypes(Assembly assembly)
    {
        try
        {
            return assembly.GetTypes();
        }
        catch (ReflectionTypeLoadException ex)
        {
            return [.. ex.Types.OfType<Type>()];
        }
    }
}
