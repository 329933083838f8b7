using System.Diagnostics;
using System.Globalization;
using Rsm.Providers.Fabric.Interop;
using static Rsm.Providers.Fabric.Tests.FabricTestSupport;

namespace Rsm.Providers.Fabric.Tests;

/// <summary>
/// An importer in this process against an exporter in another (the peer program): the bytes and atomics cross, and once
/// the peer is killed a later operation fails or times out within its bound.
/// </summary>
[TestClass]
public sealed unsafe class FabricProcessTests
{
    private const int Length = 1 << 20;

    public TestContext TestContext { get; set; } = null!;

    [TestMethod]
    [DataRow("tcp;ofi_rxm")]
    [DataRow("shm")]
    public void ReadsWritesAndAtomicsCrossProcessesAndAKilledPeerIsAnErrorOrATimeout(string provider)
    {
        RequireProvider(provider);
        using var peer = PeerProcess.Start(provider, Length);
        using FabricDomain importer = FabricDomain.Open(provider);
        ulong handle = importer.InsertPeer(peer.Address);
        using var local = new NativeBuffer(Length);

        int status = importer.Read(handle, local.Address, Length, peer.Base, peer.Key, OperationTimeout);
        Assert.AreEqual(0, status, FabricLibrary.ErrorText(status));
        for (int i = 0; i < Length; i++)
        {
            if (local.Pointer[i] != PeerPattern(i))
            {
                Assert.Fail($"byte {i} read from the peer is {local.Pointer[i]}, not {PeerPattern(i)}");
            }
        }

        for (int i = 0; i < 4096; i++)
        {
            local.Pointer[i] = Pattern(i, 9);
        }

        Assert.AreEqual(0, importer.Write(handle, local.Address, 4096, peer.Base + 100, peer.Key, deliveryComplete: true, OperationTimeout));
        local.Span.Clear();
        Assert.AreEqual(0, importer.Read(handle, local.Address, 4196, peer.Base, peer.Key, OperationTimeout));
        for (int i = 0; i < 4196; i++)
        {
            byte expected = i < 100 ? PeerPattern(i) : Pattern(i - 100, 9);
            Assert.AreEqual(expected, local.Pointer[i], $"byte {i}");
        }

        Assert.AreEqual(0, importer.Write(handle, local.Address + 8192, 8, peer.Base + 8192, peer.Key, deliveryComplete: true, OperationTimeout));
        for (ulong i = 0; i < 100; i++)
        {
            Assert.AreEqual(i * 5, importer.FetchAdd(handle, peer.Base + 8192, peer.Key, 5, 8, OperationTimeout, out status));
            Assert.AreEqual(0, status);
        }

        Assert.AreEqual(500UL, importer.CompareSwap(handle, peer.Base + 8192, peer.Key, 7, 500, 8, OperationTimeout, out status));
        Assert.AreEqual(7UL, importer.Swap(handle, peer.Base + 8192, peer.Key, 0, 8, OperationTimeout, out status));
        Assert.AreEqual(0, status);

        // SIGKILL while a thread keeps transfers in flight: the peer closes nothing.
        TimeSpan bound = TimeSpan.FromSeconds(2);
        var killed = new Stopwatch();
        int inFlight = 0;
        double inFlightAt = 0;
        var reader = new Thread(() =>
        {
            using var buffer = new NativeBuffer(65536);
            while (true)
            {
                int result = importer.Read(handle, buffer.Address, 65536, peer.Base, peer.Key, bound);
                if (result != 0)
                {
                    inFlight = result;
                    inFlightAt = killed.Elapsed.TotalMilliseconds;
                    return;
                }
            }
        });
        reader.Start();
        Thread.Sleep(100);
        killed.Start();
        peer.Kill();
        Assert.IsTrue(reader.Join(TimeSpan.FromSeconds(20)), "the transfer in flight returned");
        TestContext.WriteLine(string.Create(
            CultureInfo.InvariantCulture,
            $"{provider}: after SIGKILL, the transfer in flight returned {FabricLibrary.ErrorText(inFlight)} {inFlightAt:F1} ms after the kill"));
        Assert.AreNotEqual(0, inFlight);

        // An operation posted after the death fails or times out within its bound too.
        double posted = killed.Elapsed.TotalMilliseconds;
        var operation = Stopwatch.StartNew();
        int failed = importer.Read(handle, local.Address, 64, peer.Base, peer.Key, bound);
        operation.Stop();
        TestContext.WriteLine(string.Create(
            CultureInfo.InvariantCulture,
            $"{provider}: a read posted {posted:F0} ms after the kill returned {FabricLibrary.ErrorText(failed)} after {operation.Elapsed.TotalMilliseconds:F1} ms"));
        Assert.AreNotEqual(0, failed, "an operation on the killed peer fails or times out");
        Assert.IsLessThan(bound.TotalMilliseconds + 2000, operation.Elapsed.TotalMilliseconds, "within its bound");

        // The importer stays usable: another operation on the dead peer is bounded too, and dispose is prompt.
        operation.Restart();
        _ = importer.FetchAdd(handle, peer.Base + 8192, peer.Key, 1, 8, bound, out int again);
        operation.Stop();
        TestContext.WriteLine($"{provider}: a fetch-add afterwards returned {FabricLibrary.ErrorText(again)} after {operation.Elapsed.TotalMilliseconds:F1} ms");
        Assert.AreNotEqual(0, again);
        Assert.IsLessThan(bound.TotalMilliseconds + 2000, operation.Elapsed.TotalMilliseconds);
    }

    /// <summary>The peer program, started with dotnet, whose one line describes its registration.</summary>
    private sealed class PeerProcess : IDisposable
    {
        private readonly Process _process;

        private PeerProcess(Process process, byte[] address, ulong key, ulong remoteBase)
        {
            _process = process;
            Address = address;
            Key = key;
            Base = remoteBase;
        }

        public byte[] Address { get; }

        public ulong Key { get; }

        public ulong Base { get; }

        public static PeerProcess Start(string provider, int length)
        {
            string program = Path.Combine(AppContext.BaseDirectory, "Rsm.Providers.Fabric.Peer.dll");
            var start = new ProcessStartInfo("dotnet") { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            start.ArgumentList.Add(program);
            start.ArgumentList.Add(provider);
            start.ArgumentList.Add(length.ToString(CultureInfo.InvariantCulture));
            Process process = Process.Start(start)!;
            Task<string?> line = process.StandardOutput.ReadLineAsync();
            if (!line.Wait(TimeSpan.FromSeconds(60)) || line.Result is not { } ready || !ready.StartsWith("READY ", StringComparison.Ordinal))
            {
                process.Kill();
                process.WaitForExit(5000);
                Assert.Fail($"the peer did not start: {process.StandardError.ReadToEnd()}");
                throw new InvalidOperationException();
            }

            string[] parts = ready.Split(' ');
            return new PeerProcess(
                process,
                Convert.FromHexString(parts[1]),
                ulong.Parse(parts[2], CultureInfo.InvariantCulture),
                ulong.Parse(parts[3], CultureInfo.InvariantCulture));
        }

        public void Kill()
        {
            _process.Kill();
            Assert.IsTrue(_process.WaitForExit(10_000), "the peer died");

            // A killed process cannot remove the 16 MiB queue file of its shm endpoint (/dev/shm/pid:uid:n).
            foreach (string file in Directory.Exists("/dev/shm")
                ? Directory.EnumerateFiles("/dev/shm", string.Create(CultureInfo.InvariantCulture, $"{_process.Id}:*:*"))
                : [])
            {
                File.Delete(file);
            }
        }

        public void Dispose()
        {
            if (!_process.HasExited)
            {
                _process.StandardInput.Close();
                if (!_process.WaitForExit(10_000))
                {
                    _process.Kill();
                }
            }

            _process.Dispose();
        }
    }
}
