using System.Diagnostics;
using System.Globalization;
using Rsm.Providers.Fabric.Interop;
using static Rsm.Providers.Fabric.Tests.FabricTestSupport;

namespace Rsm.Providers.Fabric.Tests;

/// <summary>
/// A quick Stopwatch loop per transport, both domains in this process (the exporter served by its progress thread):
/// the latency of an 8-byte write with its completion, the rate of 1 MiB reads and writes, fetch-adds per second. It
/// writes the numbers and checks only that every operation succeeded.
/// </summary>
[TestClass]
[DoNotParallelize]
public sealed unsafe class FabricMeasurementTests
{
    public TestContext TestContext { get; set; } = null!;

    [TestMethod]
    [DataRow("tcp;ofi_rxm", false)]
    [DataRow("shm", false)]
    [DataRow("tcp;ofi_rxm", true)]
    [DataRow("shm", true)]
    public void MeasuresLatencyBandwidthAndAtomicRate(string provider, bool registerLocal)
    {
        RequireProvider(provider);
        const int Large = 1 << 20;
        using var memory = new NativeBuffer(Large);
        using var local = new NativeBuffer(Large);
        using FabricDomain exporter = FabricDomain.Open(provider, null, registerLocal);
        using FabricDomain importer = FabricDomain.Open(provider, null, registerLocal);
        using FabricRegistration registration = exporter.Register(memory.Address, memory.Length, true, true, 0x3001);
        ulong peer = importer.InsertPeer(exporter.Address);
        ulong remote = registration.RemoteBase;
        ulong key = registration.Key;

        for (int i = 0; i < 200; i++)
        {
            Check(importer.Write(peer, local.Address, 8, remote, key, false, OperationTimeout));
        }

        double writeSmall = Loop(5000, () => Check(importer.Write(peer, local.Address, 8, remote, key, false, OperationTimeout)));
        double writeSmallDelivered = Loop(5000, () => Check(importer.Write(peer, local.Address, 8, remote, key, true, OperationTimeout)));
        double readSmall = Loop(5000, () => Check(importer.Read(peer, local.Address, 8, remote, key, OperationTimeout)));
        double writeLarge = Loop(200, () => Check(importer.Write(peer, local.Address, Large, remote, key, true, OperationTimeout)));
        double readLarge = Loop(200, () => Check(importer.Read(peer, local.Address, Large, remote, key, OperationTimeout)));
        double fetchAdd = Loop(5000, () =>
        {
            _ = importer.FetchAdd(peer, remote, key, 1, 8, OperationTimeout, out int status);
            Check(status);
        });

        string line = string.Create(
            CultureInfo.InvariantCulture,
            $"{provider}{(registerLocal ? " registering local buffers" : string.Empty)} ({importer.ProviderName}, mr_mode 0x{importer.MrMode:x}, threading {importer.Threading}, progress control {importer.ControlProgress} data {importer.DataProgress}, wait object {importer.HasWaitObject}): " +
            $"8 B write {writeSmall * 1e6:F1} µs, 8 B delivery-complete write {writeSmallDelivered * 1e6:F1} µs, 8 B read {readSmall * 1e6:F1} µs, " +
            $"1 MiB write {Large / writeLarge / 1e9:F2} GB/s, 1 MiB read {Large / readLarge / 1e9:F2} GB/s, fetch-add {1 / fetchAdd:F0}/s");
        TestContext.WriteLine(line);
        Console.WriteLine(line);
    }

    private static double Loop(int count, Action operation)
    {
        var watch = Stopwatch.StartNew();
        for (int i = 0; i < count; i++)
        {
            operation();
        }

        return watch.Elapsed.TotalSeconds / count;
    }

    private static void Check(int status) => Assert.AreEqual(0, status, FabricLibrary.ErrorText(status));
}
