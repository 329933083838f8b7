namespace Rsm.Conformance;

/// <summary>Conformance area DataAccess.</summary>
public abstract class DataAccessConformanceTests : ConformanceTestBase
{
}
