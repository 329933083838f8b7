namespace Rsm.Conformance;

/// <summary>Conformance area Map.</summary>
public abstract class MapConformanceTests : ConformanceTestBase
{
}
