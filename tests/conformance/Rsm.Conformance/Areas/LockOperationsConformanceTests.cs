namespace Rsm.Conformance;

/// <summary>Conformance area LockOperations.</summary>
public abstract class LockOperationsConformanceTests : ConformanceTestBase
{
}
