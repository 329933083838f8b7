namespace Rsm.Conformance.Tests;

[TestClass]
public sealed class SharedMemoryControllerConformanceTests : ControllerConformanceTests
{
    protected override RsmConformanceHarness CreateHarness() => new SharedMemoryConformanceHarness();
}

[TestClass]
public sealed class SharedMemoryExportConformanceTests : ExportConformanceTests
{
    protected override RsmConformanceHarness CreateHarness() => new SharedMemoryConformanceHarness();
}

[TestClass]
public sealed class SharedMemoryPublishConformanceTests : PublishConformanceTests
{
    protected override RsmConformanceHarness CreateHarness() => new SharedMemoryConformanceHarness();
}

[TestClass]
public sealed class SharedMemoryImportConformanceTests : ImportConformanceTests
{
    protected override RsmConformanceHarness CreateHarness() => new SharedMemoryConformanceHarness();
}

[TestClass]
public sealed class SharedMemoryDataAccessConformanceTests : DataAccessConformanceTests
{
    protected override RsmConformanceHarness CreateHarness() => new SharedMemoryConformanceHarness();
}

[TestClass]
public sealed class SharedMemoryScatterGatherConformanceTests : ScatterGatherConformanceTests
{
    protected override RsmConformanceHarness CreateHarness() => new SharedMemoryConformanceHarness();
}

[TestClass]
public sealed class SharedMemoryMapConformanceTests : MapConformanceTests
{
    protected override RsmConformanceHarness CreateHarness() => new SharedMemoryConformanceHarness();
}

[TestClass]
public sealed class SharedMemoryBarrierConformanceTests : BarrierConformanceTests
{
    protected override RsmConformanceHarness CreateHarness() => new SharedMemoryConformanceHarness();
}

[TestClass]
public sealed class SharedMemoryEventsConformanceTests : EventsConformanceTests
{
    protected override RsmConformanceHarness CreateHarness() => new SharedMemoryConformanceHarness();
}

[TestClass]
public sealed class SharedMemoryLockOperationsConformanceTests : LockOperationsConformanceTests
{
    protected override RsmConformanceHarness CreateHarness() => new SharedMemoryConformanceHarness();
}

[TestClass]
public sealed class SharedMemoryComplianceConformanceTests : ComplianceConformanceTests
{
    protected override RsmConformanceHarness CreateHarness() => new SharedMemoryConformanceHarness();
}

[TestClass]
public sealed class SharedMemoryLifetimeConformanceTests : LifetimeConformanceTests
{
    protected override RsmConformanceHarness CreateHarness() => new SharedMemoryConformanceHarness();
}

[TestClass]
public sealed class SharedMemoryConcurrencyConformanceTests : ConcurrencyConformanceTests
{
    protected override RsmConformanceHarness CreateHarness() => new SharedMemoryConformanceHarness();
}
