using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Rsm.Abstractions.Tests;

[TestClass]
[DoNotParallelize]
public sealed class TelemetryTests
{
    private static readonly string[] s_expectedActivities = ["rsm.publish", "rsm.connect"];

    [TestMethod]
    public void Instruments_CountBytesConnectionsAbortsAndBarrierFailures_TaggedWithProviderAndController()
    {
        var measurements = new List<(string Instrument, long Value, string? Provider, string? Controller)>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == "Rsm")
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
        {
            string? provider = null, controller = null;
            foreach (KeyValuePair<string, object?> tag in tags)
            {
                provider = tag.Key == "rsm.provider" ? (string?)tag.Value : provider;
                controller = tag.Key == "rsm.controller" ? (string?)tag.Value : controller;
            }

            lock (measurements)
            {
                measurements.Add((instrument.Name, value, provider, controller));
            }
        });
        listener.Start();

        using var node = new TestNode("telemetry-test");
        IExportSegment export = node.Create();
        uint id = export.Publish(0x600000);
        IImportSegment import = node.Controller.Connect(1, id, RsmPermissions.ReadWrite);
        RsmBarrier barrier = import.InitBarrier();
        import.Put(0, new byte[16]);
        import.Get(0, new byte[8]);
        barrier.Open();
        export.Unpublish();
        Assert.AreEqual(RsmError.ConnectionAborted, Assert.ThrowsExactly<RsmException>(barrier.Close).Error);
        import.Disconnect();

        (string, long, string?, string?)[] mine;
        lock (measurements)
        {
            mine = [.. measurements.Where(m => m.Controller == "telemetry-test")];
        }

        Assert.IsTrue(mine.All(m => m.Item3 == "Test"), "every measurement names the provider");
        Assert.AreEqual(16, Sum(mine, "rsm.bytes.put"));
        Assert.AreEqual(8, Sum(mine, "rsm.bytes.got"));
        Assert.AreEqual(1, Sum(mine, "rsm.connections"));
        Assert.AreEqual(1, Sum(mine, "rsm.segments.exported"));
        Assert.AreEqual(0, Sum(mine, "rsm.segments.imported"), "connected once, disconnected once");
        Assert.AreEqual(1, Sum(mine, "rsm.forced_disconnects"));
        Assert.AreEqual(1, Sum(mine, "rsm.barrier.failures"));
    }

    [TestMethod]
    public void ActivitySource_ConnectAndPublish_StartActivities()
    {
        var started = new List<string>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == "Rsm",
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllData,
            ActivityStarted = activity =>
            {
                if ((string?)activity.GetTagItem("rsm.controller") == "activity-test")
                {
                    lock (started)
                    {
                        started.Add(activity.OperationName);
                    }
                }
            },
        };
        ActivitySource.AddActivityListener(listener);

        using var node = new TestNode("activity-test");
        uint id = node.Create().Publish(0);
        node.Controller.Connect(1, id, RsmPermissions.Read).Disconnect();

        lock (started)
        {
            CollectionAssert.AreEqual(s_expectedActivities, started);
        }
    }

    private static long Sum((string Instrument, long Value, string?, string?)[] measurements, string instrument) =>
        measurements.Where(m => m.Instrument == instrument).Sum(m => m.Value);
}
