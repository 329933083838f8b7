namespace Rsm.Conformance;

/// <summary>Conformance area Barrier.</summary>
public abstract class BarrierConformanceTests : ConformanceTestBase
{
}
