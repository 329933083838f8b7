namespace Rsm.Conformance;

/// <summary>Conformance area Publish.</summary>
public abstract class PublishConformanceTests : ConformanceTestBase
{
}
