namespace Rsm.Conformance;

/// <summary>Conformance area Controller.</summary>
public abstract class ControllerConformanceTests : ConformanceTestBase
{
}
