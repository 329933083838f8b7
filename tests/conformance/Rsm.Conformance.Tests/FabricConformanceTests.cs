namespace Rsm.Conformance.Tests;

[TestClass]
public sealed class FabricRxmControllerConformanceTests : ControllerConformanceTests
{
    protected override RsmConformanceHarness CreateHarness() => new FabricRxmConformanceHarness();
}

[TestClass]
public sealed class FabricRxmExportConformanceTests : ExportConformanceTests
{
    protected override RsmConformanceHarness CreateHarness() => new FabricRxmConformanceHarness();
}

[TestClass]
public sealed class FabricRxmPublishConformanceTests : PublishConformanceTests
{
    protected override RsmConformanceHarness CreateHarness() => new FabricRxmConformanceHarness();
}

[TestClass]
public sealed class FabricRxmImportConformanceTests : ImportConformanceTests
{
    protected override RsmConformanceHarness CreateHarness() => new FabricRxmConformanceHarness();
}

[TestClass]
public sealed class FabricRxmDataAccessConformanceTests : DataAccessConformanceTests
{
    protected override RsmConformanceHarness CreateHarness() => new FabricRxmConformanceHarness();
}

[TestClass]
public sealed class FabricRxmScatterGatherConformanceTests : ScatterGatherConformanceTests
{
    protected override RsmConformanceHarness CreateHarness() => new FabricRxmConformanceHarness();
}

[TestClass]
public sealed class FabricRxmMapConformanceTests : MapConformanceTests
{
    protected override RsmConformanceHarness CreateHarness() => new FabricRxmConformanceHarness();
}

[TestClass]
public sealed class FabricRxmBarrierConformanceTests : BarrierConformanceTests
{
    protected override RsmConformanceHarness CreateHarness() => new FabricRxmConformanceHarness();
}

[TestClass]
public sealed class FabricRxmEventsConformanceTests : EventsConformanceTests
{
    protected override RsmConformanceHarness CreateHarness() => new FabricRxmConformanceHarness();
}

[TestClass]
public sealed class FabricRxmLockOperationsConformanceTests : LockOperationsConformanceTests
{
    protected override RsmConformanceHarness CreateHarness() => new FabricRxmConformanceHarness();
}

[TestClass]
public sealed class FabricRxmComplianceConformanceTests : ComplianceConformanceTests
{
    protected override RsmConformanceHarness CreateHarness() => new FabricRxmConformanceHarness();
}

[TestClass]
public sealed class FabricRxmConcurrencyConformanceTests : ConcurrencyConformanceTests
{
    protected override RsmConformanceHarness CreateHarness() => new FabricRxmConformanceHarness();
}

[TestClass]
public sealed class FabricShmControllerConformanceTests : ControllerConformanceTests
{
    protected override RsmConformanceHarness CreateHarness() => new FabricShmConformanceHarness();
}

[TestClass]
public sealed class FabricShmExportConformanceTests : ExportConformanceTests
{
    protected override RsmConformanceHarness CreateHarness() => new FabricShmConformanceHarness();
}

[TestClass]
public sealed class FabricShmPublishConformanceTests : PublishConformanceTests
{
    protected override RsmConformanceHarness CreateHarness() => new FabricShmConformanceHarness();
}

[TestClass]
public sealed class FabricShmImportConformanceTests : ImportConformanceTests
{
    protected override RsmConformanceHarness CreateHarness() => new FabricShmConformanceHarness();
}

[TestClass]
public sealed class FabricShmDataAccessConformanceTests : DataAccessConformanceTests
{
    protected override RsmConformanceHarness CreateHarness() => new FabricShmConformanceHarness();
}

[TestClass]
public sealed class FabricShmScatterGatherConformanceTests : ScatterGatherConformanceTests
{
    protected override RsmConformanceHarness CreateHarness() => new FabricShmConformanceHarness();
}

[TestClass]
public sealed class FabricShmMapConformanceTests : MapConformanceTests
{
    protected override RsmConformanceHarness CreateHarness() => new FabricShmConformanceHarness();
}

[TestClass]
public sealed class FabricShmBarrierConformanceTests : BarrierConformanceTests
{
    protected override RsmConformanceHarness CreateHarness() => new FabricShmConformanceHarness();
}

[TestClass]
public sealed class FabricShmEventsConformanceTests : EventsConformanceTests
{
    protected override RsmConformanceHarness CreateHarness() => new FabricShmConformanceHarness();
}

[TestClass]
public sealed class FabricShmLockOperationsConformanceTests : LockOperationsConformanceTests
{
    protected override RsmConformanceHarness CreateHarness() => new FabricShmConformanceHarness();
}

[TestClass]
public sealed class FabricShmComplianceConformanceTests : ComplianceConformanceTests
{
    protected override RsmConformanceHarness CreateHarness() => new FabricShmConformanceHarness();
}

[TestClass]
public sealed class FabricShmConcurrencyConformanceTests : ConcurrencyConformanceTests
{
    protected override RsmConformanceHarness CreateHarness() => new FabricShmConformanceHarness();
}

/// <summary>The per-node Lifetime checks on Fabric over <c>tcp;ofi_rxm</c>.</summary>
[TestClass]
public sealed class FabricRxmLifetimeConformanceTests() : NodeLifetimeConformanceTests("tcp;ofi_rxm");

/// <summary>The per-node Lifetime checks on Fabric over <c>shm</c>.</summary>
[TestClass]
public sealed class FabricShmLifetimeConformanceTests() : NodeLifetimeConformanceTests("shm");
