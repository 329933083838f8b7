using System.Reflection;

namespace Rsm.Conformance;

/// <summary>
/// Checks that a provider's test assembly runs every area of the suite, or declares the area not applicable with a reason
/// (<see cref="RsmConformanceHarness.NotApplicableAreas"/>). A provider derives from this class once, like from the area classes.
/// </summary>
public abstract class ComplianceConformanceTests : ConformanceTestBase
{
    [TestMethod]
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
            string baseName = $"{typeof(ConformanceTestBase).Namespace}.{area}ConformanceTests";
            Type? areaBase = suite.GetType(baseName);
            if (areaBase is null || !areaBase.IsAbstract)
            {
                failures.Add($"{area}: the suite has no abstract class {baseName}");
                continue;
            }

            bool runs = providerTypes.Any(t =>
                t is { IsClass: true, IsAbstract: false }
                && areaBase.IsAssignableFrom(t)
                && t.Name.Contains(providerName, StringComparison.OrdinalIgnoreCase));
            if (runs)
            {
                continue;
            }

            if (!notApplicable.TryGetValue(area, out string? reason) || string.IsNullOrWhiteSpace(reason))
            {
                failures.Add($"{area}: {provider.GetName().Name} has no concrete subclass of {areaBase.Name} whose name contains '{providerName}', and the harness does not declare the area not applicable with a reason");
            }
        }

        if (failures.Count > 0)
        {
            Assert.Fail(string.Join(Environment.NewLine, failures));
        }
    }

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
