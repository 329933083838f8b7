using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;

namespace Rsm.Conformance.Tests;

/// <summary>
/// Two nodes on two "hosts": network namespaces joined by a veth pair, a peer process in each, on Tcp and on Fabric over
/// <c>tcp;ofi_rxm</c> (whose endpoint is bound to the veth interface, so its bytes cross the link). The test creates the
/// namespaces and the link, and removes them whatever happens; without uid 0, the <c>ip</c> tool or libfabric it is skipped.
/// </summary>
[TestClass]
public sealed class MultiHostTests
{
    private const uint Id = 0x620000;
    private static readonly TimeSpan s_bound = TimeSpan.FromSeconds(10);

    [ConformanceTest]
    [DataRow("Tcp", null)]
    [DataRow("Fabric", "tcp;ofi_rxm")]
    public void MultiHost_ConnectPutGetMirrorAndKilledPeer_AcrossNamespaces(string provider, string? fabric)
    {
        if (fabric is not null)
        {
            FabricProcessTests.RequireFabric(fabric);
        }

        if (!Engine.RsmCredentials.ReadCurrent().IsPrivileged)
        {
            Assert.Inconclusive("creating network namespaces needs uid 0; .ci/run runs this test as root");
        }

        if (!File.Exists("/usr/sbin/ip") && !File.Exists("/sbin/ip") && !File.Exists("/usr/bin/ip"))
        {
            Assert.Inconclusive("the ip tool (iproute2) is not installed; .ci/run installs it");
        }

        string tag = Convert.ToHexString(RandomNumberGenerator.GetBytes(3)).ToLowerInvariant();
        int subnet = 100 + RandomNumberGenerator.GetInt32(100);
        string a = $"rsm-a-{tag}", b = $"rsm-b-{tag}";
        string addressA = $"10.231.{subnet}.1", addressB = $"10.231.{subnet}.2";
        var peers = new List<ConformancePeer>();
        try
        {
            Ip($"netns add {a}");
            Ip($"netns add {b}");
            Ip($"link add rsma{tag} type veth peer name rsmb{tag}");
            Ip($"link set rsma{tag} netns {a}");
            Ip($"link set rsmb{tag} netns {b}");
            Ip($"-n {a} addr add {addressA}/24 dev rsma{tag}");
            Ip($"-n {b} addr add {addressB}/24 dev rsmb{tag}");
            Ip($"-n {a} link set rsma{tag} up");
            Ip($"-n {b} link set rsmb{tag} up");
            Ip($"-n {a} link set lo up");
            Ip($"-n {b} link set lo up");

            string key = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
            ConformancePeer exporter = Peer(peers, provider, fabric, a, $"rsma{tag}", 1, $"{addressA}:7401", 2, $"{addressB}:7402", key);
            ConformancePeer importer = Peer(peers, provider, fabric, b, $"rsmb{tag}", 2, $"{addressB}:7402", 1, $"{addressA}:7401", key);

            Assert.AreEqual("e1", exporter.Call("export 4"));
            exporter.Call(string.Create(CultureInfo.InvariantCulture, $"publish e1 {Id:x} 2:600"));
            Assert.AreEqual("i1", importer.Call(string.Create(CultureInfo.InvariantCulture, $"connect 1 {Id:x} 600")));

            // Put and get across the link, checked in the exporter's own memory.
            importer.Call("put i1 16 C0FFEE");
            Assert.AreEqual("C0FFEE", exporter.Call("read e1 16 3"));
            exporter.Call("write e1 4096 5A5B5C5D");
            Assert.AreEqual("5A5B5C5D", importer.Call("get i1 4096 4"));
            if (fabric is not null)
            {
                // The bytes crossed on the fabric: besides the control connections (to 7401, and any from the exporter to
                // 7402), the importer's namespace holds an established connection of libfabric's tcp endpoint to the
                // exporter's address. ss prints Recv-Q, Send-Q, the local and the peer address of each.
                string connections = Run("ip", $"netns exec {b} ss -Htn state established").Output;
                bool fabricLink = connections.Split('\n', StringSplitOptions.RemoveEmptyEntries)
                    .Select(static line => line.Split(' ', StringSplitOptions.RemoveEmptyEntries))
                    .Any(columns => columns.Length >= 4 && columns[3].StartsWith(addressA + ":", StringComparison.Ordinal)
                        && columns[3] != addressA + ":7401" && columns[2] != addressB + ":7402");
                Assert.IsTrue(
                    fabricLink,
                    $"no fabric connection from {addressB} to {addressA}: {connections}");
            }

            // A map (of a second import: the first is implicitly mapped by its accesses) is a mirror: it holds the
            // exporter's bytes at map time, its stores ship at close barrier, and an open barrier refreshes it.
            Assert.AreEqual("i2", importer.Call(string.Create(CultureInfo.InvariantCulture, $"connect 1 {Id:x} 600")));
            importer.Call("map i2 600");
            Assert.AreEqual("5A5B5C5D", importer.Call("read i2 4096 4"));
            importer.Call("barrier i2 open");
            importer.Call("write i2 8192 0102");
            importer.Call("barrier i2 close");
            Assert.AreEqual("0102", exporter.Call("read e1 8192 2"));
            exporter.Call("write e1 12288 7788");
            importer.Call("barrier i2 open");
            Assert.AreEqual("7788", importer.Call("read i2 12288 2"));

            // The exporter's host dies: the importer's next implicit access reports CONN_ABORTED (40).
            exporter.Kill();
            long deadline = Environment.TickCount64 + (long)s_bound.TotalMilliseconds;
            while (importer.Outcome("get i1 0 4") != RsmError.ConnectionAborted)
            {
                Assert.IsLessThan(deadline, Environment.TickCount64, "the importer did not see CONN_ABORTED (40) after the exporter was killed");
                Thread.Sleep(20);
            }

            importer.Call("unmap i2");
            importer.Call("disconnect i2");
            importer.Call("disconnect i1");
        }
        finally
        {
            foreach (ConformancePeer peer in peers)
            {
                peer.Dispose();
            }

            // Deleting a namespace deletes its end of the veth pair, and with it the pair.
            _ = TryIp($"netns del {a}");
            _ = TryIp($"netns del {b}");
        }

        string namespaces = Run("ip", "netns list").Output;
        Assert.DoesNotContain(tag, namespaces, "a namespace of the test remains");
    }

    private static ConformancePeer Peer(List<ConformancePeer> peers, string provider, string? fabric, string space, string device, uint node, string listen, uint other, string otherEndpoint, string key)
    {
        // A Fabric node's endpoint is on the namespace's veth interface: lo would give it an address the other host cannot reach.
        string[] fabricSettings = fabric is null ? [] : [$"FabricProvider={fabric}", $"FabricDomain={device}"];
        ConformancePeer peer = ConformancePeer.Start(
            Path.Combine(AppContext.BaseDirectory, "Rsm.Conformance.Peer.dll"),
            [
                $"Provider={provider}",
                .. fabricSettings,
                string.Create(CultureInfo.InvariantCulture, $"NodeId={node}"),
                $"Listen={listen}",
                string.Create(CultureInfo.InvariantCulture, $"Nodes:{other}={otherEndpoint}"),
                $"ClusterKey={key}",
                "ConnectTimeout=00:00:05",
                "KeepAliveInterval=00:00:01",
                "SilenceLimit=00:00:05",

                // The veth pair joins two namespaces of this test's own, which nothing else can reach.
                "AllowUnprotectedFrames=true",
            ],
            new ConformancePeerIdentity { NetworkNamespace = space });
        peers.Add(peer);
        return peer;
    }

    private static void Ip(string arguments)
    {
        (int code, string output) = Run("ip", arguments);
        Assert.AreEqual(0, code, $"ip {arguments}: {output}");
    }

    private static bool TryIp(string arguments) => Run("ip", arguments).Code == 0;

    private static (int Code, string Output) Run(string program, string arguments)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string argument in arguments.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            start.ArgumentList.Add(argument);
        }

        using Process process = Process.Start(start)!;
        string output = process.StandardOutput.ReadToEnd() + process.StandardError.ReadToEnd();
        Assert.IsTrue(process.WaitForExit(s_bound), $"{program} {arguments} did not finish");
        return (process.ExitCode, output);
    }
}
