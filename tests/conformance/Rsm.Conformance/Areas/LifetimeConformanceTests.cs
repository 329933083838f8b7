namespace Rsm.Conformance;

/// <summary>Conformance area Lifetime.</summary>
public abstract class LifetimeConformanceTests : ConformanceTestBase
{
}
