namespace Rsm.Conformance;

/// <summary>Conformance area Events.</summary>
public abstract class EventsConformanceTests : ConformanceTestBase
{
}
