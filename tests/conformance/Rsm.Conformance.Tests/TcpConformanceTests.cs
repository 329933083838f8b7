namespace Rsm.Conformance.Tests;

[TestClass]
public sealed class TcpControllerConformanceTests : ControllerConformanceTests
{
    protected override RsmConformanceHarness CreateHarness() => new TcpConformanceHarness();
}

[TestClass]
public sealed class TcpExportConformanceTests : ExportConformanceTests
{
    protected override RsmConformanceHarness CreateHarness() => new TcpConformanceHarness();
}

[TestClass]
public sealed class TcpPublishConformanceTests : PublishConformanceTests
{
    protected override RsmConformanceHarness CreateHarness() => new TcpConformanceHarness();
}

[TestClass]
public sealed class TcpImportConformanceTests : ImportConformanceTests
{
    protected override RsmConformanceHarness CreateHarness() => new TcpConformanceHarness();
}

[TestClass]
public sealed class TcpDataAccessConformanceTests : DataAccessConformanceTests
{
    protected override RsmConformanceHarness CreateHarness() => new TcpConformanceHarness();
}

[TestClass]
public sealed class TcpScatterGatherConformanceTests : ScatterGatherConformanceTests
{
    protected override RsmConformanceHarness CreateHarness() => new TcpConformanceHarness();
}

[TestClass]
public sealed class TcpMapConformanceTests : MapConformanceTests
{
    protected override RsmConformanceHarness CreateHarness() => new TcpConformanceHarness();
}

[TestClass]
public sealed class TcpBarrierConformanceTests : BarrierConformanceTests
{
    protected override RsmConformanceHarness CreateHarness() => new TcpConformanceHarness();
}

[TestClass]
public sealed class TcpEventsConformanceTests : EventsConformanceTests
{
    protected override RsmConformanceHarness CreateHarness() => new TcpConformanceHarness();
}

[TestClass]
public sealed class TcpLockOperationsConformanceTests : LockOperationsConformanceTests
{
    protected override RsmConformanceHarness CreateHarness() => new TcpConformanceHarness();
}

[TestClass]
public sealed class TcpComplianceConformanceTests : ComplianceConformanceTests
{
    protected override RsmConformanceHarness CreateHarness() => new TcpConformanceHarness();
}

[TestClass]
public sealed class TcpConcurrencyConformanceTests : ConcurrencyConformanceTests
{
    protected override RsmConformanceHarness CreateHarness() => new TcpConformanceHarness();
}
