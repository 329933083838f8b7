namespace Rsm.Conformance;

/// <summary>Conformance area ScatterGather.</summary>
public abstract class ScatterGatherConformanceTests : ConformanceTestBase
{
}
