namespace Rsm.Conformance.Tests;

[TestClass]
public sealed class LoopbackControllerConformanceTests : ControllerConformanceTests
{
    protected override RsmConformanceHarness CreateHarness() => new LoopbackConformanceHarness();
}

[TestClass]
public sealed class LoopbackExportConformanceTests : ExportConformanceTests
{
    protected override RsmConformanceHarness CreateHarness() => new LoopbackConformanceHarness();
}

[TestClass]
public sealed class LoopbackPublishConformanceTests : PublishConformanceTests
{
    protected override RsmConformanceHarness CreateHarness() => new LoopbackConformanceHarness();
}

[TestClass]
public sealed class LoopbackImportConformanceTests : ImportConformanceTests
{
    protected override RsmConformanceHarness CreateHarness() => new LoopbackConformanceHarness();
}

[TestClass]
public sealed class LoopbackDataAccessConformanceTests : DataAccessConformanceTests
{
    protected override RsmConformanceHarness CreateHarness() => new LoopbackConformanceHarness();
}

[TestClass]
public sealed class LoopbackScatterGatherConformanceTests : ScatterGatherConformanceTests
{
    protected override RsmConformanceHarness CreateHarness() => new LoopbackConformanceHarness();
}

[TestClass]
public sealed class LoopbackMapConformanceTests : MapConformanceTests
{
    protected override RsmConformanceHarness CreateHarness() => new LoopbackConformanceHarness();
}

[TestClass]
public sealed class LoopbackBarrierConformanceTests : BarrierConformanceTests
{
    protected override RsmConformanceHarness CreateHarness() => new LoopbackConformanceHarness();
}

[TestClass]
public sealed class LoopbackEventsConformanceTests : EventsConformanceTests
{
    protected override RsmConformanceHarness CreateHarness() => new LoopbackConformanceHarness();
}

[TestClass]
public sealed class LoopbackLockOperationsConformanceTests : LockOperationsConformanceTests
{
    protected override RsmConformanceHarness CreateHarness() => new LoopbackConformanceHarness();
}

[TestClass]
public sealed class LoopbackComplianceConformanceTests : ComplianceConformanceTests
{
    protected override RsmConformanceHarness CreateHarness() => new LoopbackConformanceHarness();
}

[TestClass]
public sealed class LoopbackConcurrencyConformanceTests : ConcurrencyConformanceTests
{
    protected override RsmConformanceHarness CreateHarness() => new LoopbackConformanceHarness();
}
