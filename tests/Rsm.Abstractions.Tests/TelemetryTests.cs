using System.Diagnostics;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Rsm.Diagnostics;
using Rsm.Engine;
using Rsm.Tests;

namespace Rsm.Abstractions.Tests;

/// <summary>
/// The engine's instruments and activities. Each test records on a meter of a private <see cref="IMeterFactory"/> and
/// picks activities by a controller name of its own, so tests running side by side never see each other's telemetry.
/// </summary>
[TestClass]
public sealed class TelemetryTests
{
    // Bits outside 0600 are always PermissionDenied (27), whoever the caller is (RSMAPI A7).
    private const RsmPermissions OutsideMode0600 = (RsmPermissions)0x1C0;

    private const string ProviderControllerKeys = "rsm.controller,rsm.provider";

    [TestMethod]
    public void Names_ArePublicConstants_OfTheMeterAndTheActivitySource()
    {
        Assert.AreEqual("Rsm", RsmInstrumentation.MeterName);
        Assert.AreEqual("Rsm", RsmInstrumentation.ActivitySourceName);
        Assert.AreEqual(RsmInstrumentation.ActivitySourceName, RsmTelemetry.ActivitySource.Name);
        Assert.AreEqual(RsmInstrumentation.MeterName, RsmTelemetry.SharedMeter.Name);
    }

    [TestMethod]
    public void Io_PutsAndGetsOfKnownSizes_OneMeasurementEachWithItsDirection()
    {
        using ServiceProvider services = PrivateMetrics(out IMeterFactory factory);
        using var log = new MeasurementLog(factory);
        using var node = new TestNode("io-test", meter: RsmTelemetry.CreateMeter(factory));
        uint id = node.Create().Publish(0);
        IImportSegment import = node.Controller.Connect(1, id, RsmPermissions.ReadWrite);
        _ = import.InitBarrier();

        import.Put(0, new byte[16]);
        import.Get(0, new byte[8]);
        import.Put32(64, new uint[3]);
        import.Get64(128, new ulong[5]);
        import.Disconnect();

        Instrument instrument = log.Instrument("rsm.io");
        Assert.IsInstanceOfType<Counter<long>>(instrument);
        Assert.AreEqual("By", instrument.Unit);
        Assert.AreEqual(RsmInstrumentation.MeterName, instrument.Meter.Name);
        Measured[] io = log.Of("rsm.io");
        Assert.AreEqual("16 put|8 get|12 put|40 get", string.Join("|", io.Select(m => $"{m.Value} {m.Tag("rsm.io.direction")}")));
        Assert.IsTrue(io.All(m => m.Keys == "rsm.controller,rsm.io.direction,rsm.provider"), string.Join("; ", io.Select(m => m.Keys)));
        Assert.IsTrue(io.All(m => (string?)m.Tag("rsm.provider") == "Test" && (string?)m.Tag("rsm.controller") == "io-test"));
    }

    [TestMethod]
    public void Segments_CountsRiseAndFall_ForcedDisconnectsAndBarrierFailuresCountedWithErrorType()
    {
        using ServiceProvider services = PrivateMetrics(out IMeterFactory factory);
        using var log = new MeasurementLog(factory);
        using var node = new TestNode("segments-test", meter: RsmTelemetry.CreateMeter(factory));
        IExportSegment export = node.Create();
        uint id = export.Publish(0x600000);
        Assert.AreEqual("export 1, import 0", Counts(log), "observed: the export exists, no import yet");
        IImportSegment import = node.Controller.Connect(1, id, RsmPermissions.ReadWrite);
        Assert.AreEqual("export 1, import 1", Counts(log));
        RsmBarrier barrier = import.InitBarrier();
        barrier.Open();
        export.Unpublish();
        Assert.AreEqual(RsmError.ConnectionAborted, Assert.ThrowsExactly<RsmException>(barrier.Close).Error);
        import.Disconnect();

        AssertInstrument<ObservableUpDownCounter<long>>(log, "rsm.export.count", "{segment}");
        AssertInstrument<ObservableUpDownCounter<long>>(log, "rsm.import.count", "{segment}");
        AssertInstrument<Counter<long>>(log, "rsm.import.forced_disconnects", "{import}");
        AssertInstrument<Counter<long>>(log, "rsm.barrier.failures", "{failure}");
        Assert.AreEqual("export 1, import 0", Counts(log), "connected once, disconnected once");
        Assert.AreEqual("1", string.Join("|", log.Of("rsm.import.forced_disconnects").Select(m => m.Value)));
        Measured failure = log.Of("rsm.barrier.failures").Single();
        Assert.AreEqual(1d, failure.Value);
        Assert.AreEqual("ConnectionAborted", failure.Tag("error.type"));
        Assert.AreEqual("error.type,rsm.controller,rsm.provider", failure.Keys);
        Assert.IsTrue(
            log.Of("rsm.export.count").Concat(log.Of("rsm.import.count")).Concat(log.Of("rsm.import.forced_disconnects")).All(m => m.Keys == ProviderControllerKeys));
        Assert.IsTrue(log.Of("rsm.export.count").All(m => (string?)m.Tag("rsm.controller") == "segments-test"), "only this controller's series");

        export.Destroy();
        Assert.AreEqual("export 0, import 0", Counts(log), "created once, destroyed once");

        // What a listener that starts now sees: the counts as they are, not the changes since it started.
        IExportSegment later = node.Create();
        using (var lateLog = new MeasurementLog(factory))
        {
            Assert.AreEqual("export 1, import 0", Counts(lateLog), "a late listener sees the export that exists");
        }

        later.Destroy();

        static string Counts(MeasurementLog log)
        {
            log.Observe();
            return $"export {log.Of("rsm.export.count").Last().Value}, import {log.Of("rsm.import.count").Last().Value}";
        }
    }

    [TestMethod]
    public void OperationDuration_FailedConnect_RecordedWithTheRsmErrorNameAsErrorType()
    {
        using ServiceProvider services = PrivateMetrics(out IMeterFactory factory);
        using var log = new MeasurementLog(factory);
        using var node = new TestNode("duration-test", meter: RsmTelemetry.CreateMeter(factory));
        uint id = node.Create().Publish(0);

        RsmException denied = Assert.ThrowsExactly<RsmException>(() => node.Controller.Connect(1, id, OutsideMode0600));
        node.Controller.Connect(1, id, RsmPermissions.Read).Disconnect();

        Assert.AreEqual(RsmError.PermissionDenied, denied.Error);
        Instrument instrument = AssertInstrument<Histogram<double>>(log, "rsm.operation.duration", "s");
        Assert.AreEqual(RsmInstrumentation.MeterName, instrument.Meter.Name);
        Measured[] durations = log.Of("rsm.operation.duration");
        Assert.AreEqual("create -|publish -|connect PermissionDenied|connect -|disconnect -", string.Join("|", durations.Select(m => $"{m.Tag("rsm.operation")} {m.Tag("error.type") ?? "-"}")));
        Measured failed = durations[2];
        Assert.AreEqual("error.type,rsm.controller,rsm.operation,rsm.provider", failed.Keys);
        Assert.AreEqual("duration-test", failed.Tag("rsm.controller"));
        Assert.AreEqual("Test", failed.Tag("rsm.provider"));
        Assert.IsTrue(durations.Where(m => m.Tag("error.type") is null).All(m => m.Keys == "rsm.controller,rsm.operation,rsm.provider"));
        Assert.IsTrue(durations.All(m => m.Value is >= 0 and < 10), string.Join(", ", durations.Select(m => m.Value)));
    }

    [TestMethod]
    public void OperationDuration_FailedMapAndDestroy_RecordedWithTheirErrors()
    {
        using ServiceProvider services = PrivateMetrics(out IMeterFactory factory);
        using var log = new MeasurementLog(factory);
        using var node = new TestNode("map-test", meter: RsmTelemetry.CreateMeter(factory));
        IExportSegment export = node.Create();
        IImportSegment import = node.Controller.Connect(1, export.Publish(0), RsmPermissions.ReadWrite);

        Assert.AreEqual(RsmError.BadLength, Assert.ThrowsExactly<RsmException>(() => import.Map(RsmPermissions.Read, 0, 0)).Error);
        import.Map(RsmPermissions.Read, 0, RsmPageMemory.PageSize);
        import.Unmap();
        import.Disconnect();
        export.Destroy();
        Assert.AreEqual(RsmError.BadSegmentHandle, Assert.ThrowsExactly<RsmException>(export.Destroy).Error);

        Assert.AreEqual("create -|publish -|connect -|map BadLength|map -|unmap -|disconnect -|destroy -|destroy BadSegmentHandle", string.Join("|", log.Of("rsm.operation.duration").Select(m => $"{m.Tag("rsm.operation")} {m.Tag("error.type") ?? "-"}")));
    }

    [TestMethod]
    public void ErrorType_OfOtherExceptions_IsTheirFullTypeName()
    {
        Assert.AreEqual("PermissionDenied", RsmTelemetry.ErrorType(new RsmException(RsmError.PermissionDenied, "denied")));
        Assert.AreEqual("System.InvalidOperationException", RsmTelemetry.ErrorType(new InvalidOperationException()));
    }

    [TestMethod]
    public void Activities_FailedConnect_StatusErrorWithErrorTypeAndException_SuccessfulOnesUnset()
    {
        var stopped = new List<Activity>();
        using ActivityListener listener = ListenTo("activity-error-test", stopped);
        using var node = new TestNode("activity-error-test");
        uint id = node.Create().Publish(0);

        RsmException denied = Assert.ThrowsExactly<RsmException>(() => node.Controller.Connect(1, id, OutsideMode0600));

        Activity[] seen;
        lock (stopped)
        {
            seen = [.. stopped];
        }

        Assert.AreEqual("rsm.create|rsm.publish|rsm.connect", string.Join("|", seen.Select(a => a.OperationName)));
        Activity failed = seen[2];
        Assert.AreEqual(ActivityStatusCode.Error, failed.Status);
        Assert.AreEqual(denied.Message, failed.StatusDescription);
        Assert.AreEqual("PermissionDenied", failed.GetTagItem("error.type"));
        Assert.AreEqual("connect", failed.GetTagItem("rsm.operation"));
        Assert.AreEqual(1u, failed.GetTagItem("rsm.node.id"));
        Assert.AreEqual(id, failed.GetTagItem("rsm.segment.id"));
        ActivityEvent exception = failed.Events.Single();
        Assert.AreEqual("exception", exception.Name);
        Assert.AreEqual(typeof(RsmException).FullName, exception.Tags.Single(t => t.Key == "exception.type").Value);
        foreach (Activity succeeded in seen[..2])
        {
            Assert.AreEqual(ActivityStatusCode.Unset, succeeded.Status, succeeded.OperationName);
            Assert.IsNull(succeeded.GetTagItem("error.type"), succeeded.OperationName);
        }

        Assert.AreEqual(id, seen[1].GetTagItem("rsm.segment.id"), "publish tags the id it published");
    }

    [TestMethod]
    public void Activities_ControlOperations_OneEachWithProviderControllerAndOperation()
    {
        var stopped = new List<Activity>();
        using ActivityListener listener = ListenTo("activity-test", stopped);
        using var node = new TestNode("activity-test");
        IExportSegment export = node.Create();
        uint id = export.Publish(0);
        IImportSegment import = node.Controller.Connect(1, id, RsmPermissions.Read);
        _ = import.InitBarrier();
        import.Get(0, new byte[8]);
        import.Disconnect();
        export.Republish([]);
        export.Unpublish();

        Activity[] seen;
        lock (stopped)
        {
            seen = [.. stopped];
        }

        Assert.AreEqual(
            "rsm.create|rsm.publish|rsm.connect|rsm.disconnect|rsm.republish|rsm.unpublish",
            string.Join("|", seen.Select(a => a.OperationName)),
            "one activity per control operation, none for a put");
        Assert.IsTrue(seen.All(a => (string?)a.GetTagItem("rsm.provider") == "Test" && (string?)a.GetTagItem("rsm.operation") == a.OperationName["rsm.".Length..]));
    }

    [TestMethod]
    public void Provider_WithMeterFactory_ControllersRecordOnTheFactorysMeter_WithoutOne_OnTheProcessWideMeter()
    {
        using ServiceProvider services = PrivateMetrics(out IMeterFactory factory);
        using var factoryLog = new MeasurementLog(factory);
        using var sharedLog = new MeasurementLog(meter => ReferenceEquals(meter, RsmTelemetry.SharedMeter));
        using var withFactory = new TestProvider(factory);
        using var withoutFactory = new TestProvider(meterFactory: null);

        Assert.AreSame(factory, withFactory.ProviderMeter.Scope);
        Assert.AreEqual(RsmInstrumentation.MeterName, withFactory.ProviderMeter.Name);
        Assert.AreSame(RsmTelemetry.SharedMeter, withoutFactory.ProviderMeter);
        using (var memory = RsmPageMemory.Allocate(RsmPageMemory.PageSize))
        {
            using IRsmController scoped = withFactory.CreateController("factory-meter-test", Empty, "Rsm:Controllers:factory-meter-test");
            using IRsmController shared = withoutFactory.CreateController("shared-meter-test", Empty, "Rsm:Controllers:shared-meter-test");
            IExportSegment scopedExport = scoped.CreateExportSegment(memory.Address, memory.Length);
            IExportSegment sharedExport = shared.CreateExportSegment(memory.Address, memory.Length);
            Assert.AreEqual("factory-meter-test 1", string.Join("|", ExportCounts(factoryLog)));
            Assert.AreEqual("shared-meter-test 1", string.Join("|", ExportCounts(sharedLog).Where(m => m.StartsWith("shared-meter-test", StringComparison.Ordinal))));
            Assert.IsFalse(ExportCounts(sharedLog).Any(m => m.StartsWith("factory-meter-test", StringComparison.Ordinal)), "the factory's controller recorded on the process-wide meter");
            scopedExport.Destroy();
            sharedExport.Destroy();
        }

        static string[] ExportCounts(MeasurementLog log)
        {
            int before = log.Of("rsm.export.count").Length;
            log.Observe();
            return [.. log.Of("rsm.export.count").Skip(before).Select(m => $"{m.Tag("rsm.controller")} {m.Value}")];
        }
    }

    private static IConfiguration Empty { get; } = new ConfigurationBuilder().Build();

    private static ServiceProvider PrivateMetrics(out IMeterFactory factory)
    {
        ServiceProvider services = new ServiceCollection().AddMetrics().BuildServiceProvider();
        factory = services.GetRequiredService<IMeterFactory>();
        return services;
    }

    private static Instrument AssertInstrument<T>(MeasurementLog log, string name, string unit)
    {
        Instrument instrument = log.Instrument(name);
        Assert.IsInstanceOfType<T>(instrument, name);
        Assert.AreEqual(unit, instrument.Unit, name);
        Assert.IsFalse(string.IsNullOrEmpty(instrument.Description), name);
        return instrument;
    }

    private static ActivityListener ListenTo(string controller, List<Activity> stopped)
    {
        var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == RsmInstrumentation.ActivitySourceName,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = activity =>
            {
                if ((string?)activity.GetTagItem("rsm.controller") == controller)
                {
                    lock (stopped)
                    {
                        stopped.Add(activity);
                    }
                }
            },
        };
        ActivitySource.AddActivityListener(listener);
        return listener;
    }

    private sealed class TestProviderOptions : RsmProviderOptions;

    /// <summary>An engine provider over the minimal transport, to see where its controllers record.</summary>
    private sealed class TestProvider(IMeterFactory? meterFactory)
        : RsmEngineProvider<TestProviderOptions>("Test", new OptionsFactory<TestProviderOptions>([], []), loggerFactory: null, meterFactory)
    {
        public Meter ProviderMeter => Meter;

        protected override void BindSettings(IConfiguration settings, TestProviderOptions options)
        {
        }

        protected override RsmCapabilities GetCapabilities(TestProviderOptions options) => RsmCapabilities.Mapping;

        protected override RsmTransport CreateTransport(TestProviderOptions options, RsmControllerAttributes attributes) =>
            new Transport(GetOrAddNode(options.NodeId, () => new RsmNode(options.NodeId, attributes)), attributes);
    }
}
