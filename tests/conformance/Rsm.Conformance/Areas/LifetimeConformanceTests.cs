namespace Rsm.Conformance;

/// <summary>
/// Conformance area Lifetime: the process- and uid-level checks (items 30, 31, 36, 57, 62, 70 and the other-uid parts of
/// 81-84) that need a peer process, added with the SharedMemory provider. Until then they are listed in
/// <see cref="ConformanceCatalogue.ItemsNeedingPeer"/>; this class holds no tests.
/// </summary>
public abstract class LifetimeConformanceTests : ConformanceTestBase
{
}
