namespace Rsm.Conformance;

/// <summary>Conformance area Import.</summary>
public abstract class ImportConformanceTests : ConformanceTestBase
{
}
