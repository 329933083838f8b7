namespace Rsm.Conformance;

/// <summary>Conformance area Export.</summary>
public abstract class ExportConformanceTests : ConformanceTestBase
{
}
