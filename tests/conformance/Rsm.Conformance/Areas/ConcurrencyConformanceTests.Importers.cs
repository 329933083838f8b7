using System.Collections.Concurrent;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Security.Cryptography;

namespace Rsm.Conformance;

/// <summary>The importers of the Concurrency checks: threads of this process and, where the provider starts them, peer processes.</summary>
public abstract partial class ConcurrencyConformanceTests
{
    private static readonly TimeSpan s_joinLimit = TimeSpan.FromSeconds(60);

    /// <summary>
    /// Connects the importers of a check to segment <paramref name="segmentId"/> of <paramref name="exporterNode"/>:
    /// <see cref="LocalImporters"/> imports of this process, each on a controller of its own node where the provider has
    /// <see cref="ConformanceCapabilities.SecondNode"/> (else on the exporter's controller), and <see cref="PeerImporters"/>
    /// peer processes where it has <see cref="ConformanceCapabilities.SecondProcess"/>.
    /// </summary>
    /// <param name="exporterNode">The exporter's controller.</param>
    /// <param name="segmentId">The segment id.</param>
    /// <param name="localBytes">The largest transfer of an importer of this process.</param>
    /// <returns>The importers, this process's first; every one is connected, in Implicit mode, with a barrier initialised.</returns>
    private List<Importer> NewImporters(IRsmController exporterNode, uint segmentId, int localBytes)
    {
        bool nodes = (Harness.Capabilities & ConformanceCapabilities.SecondNode) != 0;
        int pages = (int)((((nuint)localBytes) + PS - 1) / PS);
        var importers = new List<Importer>();
        for (int k = 0; k < LocalImporters; k++)
        {
            IRsmController controller = nodes ? NewController(exporterNode.LocalNodeId + 1 + (uint)k) : exporterNode;
            RsmPageMemory source = NewBuffer(pages);
            RsmPageMemory destination = NewBuffer(pages);
            RsmLocalMemoryHandle sourceHandle = controller.CreateLocalMemoryHandle(source.Address, source.Length);
            Defer(() => controller.FreeLocalMemoryHandle(sourceHandle));
            RsmLocalMemoryHandle destinationHandle = controller.CreateLocalMemoryHandle(destination.Address, destination.Length);
            Defer(() => controller.FreeLocalMemoryHandle(destinationHandle));
            var importer = new LocalImporter($"importer {k} (node {controller.LocalNodeId})", controller, exporterNode.LocalNodeId, segmentId,
                source, sourceHandle, destination, destinationHandle);
            Defer(importer.Release);
            importer.Connect();
            importers.Add(importer);
        }

        if ((Harness.Capabilities & ConformanceCapabilities.SecondProcess) != 0)
        {
            for (int p = 0; p < PeerImporters; p++)
            {
                uint node = nodes ? exporterNode.LocalNodeId + 1 + LocalImporters + (uint)p : exporterNode.LocalNodeId;
                ConformancePeer peer = Harness.StartPeer(new ConformanceNodeOptions { NodeId = node }, ConformancePeerIdentity.Same);
                Defer(peer.Dispose);
                var importer = new PeerImporter($"peer {p} (process {peer.ProcessId}, node {node})", peer, exporterNode.LocalNodeId, segmentId);
                importer.Connect();
                importers.Add(importer);
            }
        }

        return importers;
    }

    /// <summary>
    /// Runs every action on a thread of its own, released together, waits at most 60 s for each (a hang fails instead of
    /// blocking the run) and fails with what every thread failed with.
    /// </summary>
    /// <param name="what">What the threads do, for the messages.</param>
    /// <param name="actions">The actions.</param>
    private static void RunConcurrently(string what, IEnumerable<Action> actions)
    {
        Action[] all = [.. actions];
        var failures = new ConcurrentQueue<string>();
        using var start = new Barrier(all.Length);
        var threads = new Thread[all.Length];
        for (int t = 0; t < all.Length; t++)
        {
            Action action = all[t];
            int index = t;
            threads[t] = new Thread(() =>
            {
                try
                {
                    if (!start.SignalAndWait(s_joinLimit))
                    {
                        throw new TimeoutException("the other threads did not start");
                    }

                    action();
                }
                catch (Exception ex)
                {
                    failures.Enqueue($"thread {index}: {ex.GetType().Name}: {ex.Message}");
                }
            })
            {
                IsBackground = true,
                Name = $"concurrency check thread {t}",
            };
        }

        foreach (Thread thread in threads)
        {
            thread.Start();
        }

        for (int t = 0; t < threads.Length; t++)
        {
            Assert.IsTrue(threads[t].Join(s_joinLimit), $"{what}: thread {t} did not finish within {s_joinLimit.TotalSeconds} s");
        }

        Assert.IsTrue(failures.IsEmpty, $"{what}:{Environment.NewLine}{string.Join(Environment.NewLine, failures)}");
    }

    /// <summary>One importer of a check, used by one thread at a time.</summary>
    private abstract class Importer(string name)
    {
        public string Name { get; } = name;

        /// <summary>The barrier mode; a new connection gets it too.</summary>
        public RsmBarrierMode Mode { get; private set; } = RsmBarrierMode.Implicit;

        public abstract bool IsConnected { get; }

        /// <summary>Connects, initialises a barrier and sets <see cref="Mode"/>.</summary>
        public abstract void Connect();

        public abstract void Disconnect();

        public void SetMode(RsmBarrierMode mode)
        {
            Mode = mode;
            if (IsConnected)
            {
                ApplyMode();
            }
        }

        public abstract void Open();

        public abstract void Close();

        /// <summary>Puts <paramref name="count"/> bytes of pattern <paramref name="seed"/> at <paramref name="offset"/>.</summary>
        public abstract void Put(ConformanceTransferForm form, long offset, int count, uint seed);

        /// <summary>Gets <paramref name="count"/> bytes at <paramref name="offset"/>, for <see cref="Mismatch"/> or <see cref="Differs"/>.</summary>
        public abstract void Get(ConformanceTransferForm form, long offset, int count);

        /// <summary>What is wrong with the bytes of the last <see cref="Get"/> if they are not pattern <paramref name="seed"/>, or null.</summary>
        public abstract string? Mismatch(long offset, int count, uint seed);

        /// <summary>What is wrong with the bytes of the last <see cref="Get"/> if they are not <paramref name="expected"/>, or null.</summary>
        public abstract string? Differs(ReadOnlySpan<byte> expected);

        /// <summary>
        /// put64 of writer <paramref name="writer"/>'s words at <paramref name="offset"/>, again and again for
        /// <paramref name="milliseconds"/> (at least once), each between an open and a close barrier in Explicit mode.
        /// </summary>
        /// <returns>The number of puts.</returns>
        public abstract int PutWords(long offset, int count, int writer, int milliseconds);

        /// <summary>
        /// Puts pattern <paramref name="seed"/> and reads it back, each between an open and a close barrier in Explicit mode,
        /// and fails unless every byte read is the pattern's.
        /// </summary>
        public void Transfer(ConformanceTransferForm form, long offset, int count, uint seed)
        {
            bool bracket = Mode == RsmBarrierMode.Explicit;
            try
            {
                if (bracket)
                {
                    Open();
                }

                Put(form, offset, count, seed);
                if (bracket)
                {
                    Close();
                    Open();
                }

                Get(form, offset, count);
                if (bracket)
                {
                    Close();
                }
            }
            catch (RsmException ex)
            {
                throw new AssertFailedException($"{Describe(form, offset, count, seed)}: {ex.Message}", ex);
            }

            if (Mismatch(offset, count, seed) is { } problem)
            {
                throw new AssertFailedException($"{Describe(form, offset, count, seed)}: read back {problem}");
            }
        }

        public string Describe(ConformanceTransferForm form, long offset, int count, uint seed) =>
            string.Create(CultureInfo.InvariantCulture, $"{Name}, {form} of {count} bytes at offset {offset}, pattern {seed}, {Mode} mode");

        protected abstract void ApplyMode();
    }

    /// <summary>An import of this process, with page-aligned source and destination memory and a local memory handle over each.</summary>
    private sealed class LocalImporter(
        string name,
        IRsmController controller,
        uint exporterNode,
        uint segmentId,
        RsmPageMemory source,
        RsmLocalMemoryHandle sourceHandle,
        RsmPageMemory destination,
        RsmLocalMemoryHandle destinationHandle) : Importer(name)
    {
        private IImportSegment? _import;
        private RsmBarrier? _barrier;

        public IImportSegment Import => _import ?? throw new InvalidOperationException($"{Name} is not connected");

        public override bool IsConnected => _import is not null;

        public override void Connect()
        {
            _import = controller.Connect(exporterNode, segmentId, RsmPermissions.ReadWrite);
            _barrier = _import.InitBarrier();
            ApplyMode();
        }

        public override void Disconnect()
        {
            Import.Disconnect();
            _import = null;
        }

        /// <summary>Disconnects at cleanup if still connected.</summary>
        public void Release()
        {
            if (_import is { } import)
            {
                _import = null;
                import.Disconnect();
            }
        }

        public override void Open() => Barrier.Open();

        public override void Close() => Barrier.Close();

        public override void Put(ConformanceTransferForm form, long offset, int count, uint seed)
        {
            ConformanceTransfer.FillPattern(source.GetSpan()[..count], offset, seed);
            ConformanceTransfer.Put(Import, form, offset, source, count, sourceHandle);
        }

        public override void Get(ConformanceTransferForm form, long offset, int count)
        {
            // A byte the get does not write must not pass for one it read.
            destination.GetSpan()[..count].Fill(0x5A);
            ConformanceTransfer.Get(Import, form, offset, destination, count, destinationHandle);
        }

        public override string? Mismatch(long offset, int count, uint seed)
        {
            int at = ConformanceTransfer.FirstMismatch(destination.GetSpan()[..count], offset, seed);
            if (at < 0)
            {
                return null;
            }

            byte expected = ConformanceTransfer.PatternByte(offset + at, seed);
            return string.Create(CultureInfo.InvariantCulture, $"byte {at} (offset {offset + at}) is 0x{destination.GetSpan()[at]:x2}, the pattern has 0x{expected:x2}");
        }

        public override string? Differs(ReadOnlySpan<byte> expected)
        {
            int same = destination.GetSpan()[..expected.Length].CommonPrefixLength(expected);
            return same == expected.Length
                ? null
                : string.Create(CultureInfo.InvariantCulture, $"byte {same} of {expected.Length} is 0x{destination.GetSpan()[same]:x2}, the exporter has 0x{expected[same]:x2}");
        }

        public override int PutWords(long offset, int count, int writer, int milliseconds)
        {
            Span<ulong> words = MemoryMarshal.Cast<byte, ulong>(source.GetSpan()[..(count * 8)]);
            ConformanceTransfer.FillWords(words, offset / 8, writer);
            bool bracket = Mode == RsmBarrierMode.Explicit;
            long deadline = Environment.TickCount64 + milliseconds;
            int puts = 0;
            do
            {
                if (bracket)
                {
                    Open();
                }

                Import.Put64(offset, words);
                if (bracket)
                {
                    Close();
                }

                puts++;
            }
            while (Environment.TickCount64 < deadline);
            return puts;
        }

        protected override void ApplyMode() => Import.SetMode(Mode);

        private RsmBarrier Barrier => _barrier ?? throw new InvalidOperationException($"{Name} is not connected");
    }

    /// <summary>A peer process with one import at a time, driven through <see cref="ConformancePeerHost"/> requests.</summary>
    private sealed class PeerImporter(string name, ConformancePeer peer, uint exporterNode, uint segmentId) : Importer(name)
    {
        private string? _handle;
        private string? _digest;

        public ConformancePeer Peer => peer;

        public string Handle => _handle ?? throw new InvalidOperationException($"{Name} is not connected");

        public override bool IsConnected => _handle is not null;

        public override void Connect()
        {
            _handle = peer.Call(string.Create(CultureInfo.InvariantCulture, $"connect {exporterNode} {segmentId:x} 600"));
            ApplyMode();
        }

        public override void Disconnect()
        {
            _ = peer.Call($"disconnect {Handle}");
            _handle = null;
        }

        public override void Open() => peer.Call($"barrier {Handle} open");

        public override void Close() => peer.Call($"barrier {Handle} close");

        public override void Put(ConformanceTransferForm form, long offset, int count, uint seed) =>
            peer.Call(string.Create(CultureInfo.InvariantCulture, $"fill {Handle} {ConformanceTransfer.Name(form)} {offset} {count} {seed}"));

        public override void Get(ConformanceTransferForm form, long offset, int count)
        {
            _digest = null;
            _digest = peer.Call(string.Create(CultureInfo.InvariantCulture, $"sha {Handle} {ConformanceTransfer.Name(form)} {offset} {count}"));
        }

        public override string? Mismatch(long offset, int count, uint seed)
        {
            byte[] expected = new byte[count];
            ConformanceTransfer.FillPattern(expected, offset, seed);
            return Differs(expected);
        }

        public override string? Differs(ReadOnlySpan<byte> expected)
        {
            string wanted = Convert.ToHexString(SHA256.HashData(expected));
            return _digest == wanted ? null : $"bytes whose SHA-256 is {_digest}, not the expected {wanted}";
        }

        public override int PutWords(long offset, int count, int writer, int milliseconds) =>
            int.Parse(peer.Call(string.Create(CultureInfo.InvariantCulture, $"words {Handle} {offset} {count} {writer} {milliseconds}")), CultureInfo.InvariantCulture);

        protected override void ApplyMode() => peer.Call(string.Create(CultureInfo.InvariantCulture, $"mode {Handle} {(int)Mode}"));
    }
}
