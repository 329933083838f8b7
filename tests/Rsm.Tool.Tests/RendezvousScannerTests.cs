using Rsm.Tool.Shm;

namespace Rsm.Tool.Tests;

/// <summary>The rendezvous scanner on a socket table and a process table written by the test, so every case is exact.</summary>
[TestClass]
public sealed class RendezvousScannerTests
{
    private const string Header = "Num       RefCount Protocol Flags    Type St Inode Path";

    private string _directory = "";

    [TestInitialize]
    public void CreateDirectory() => _directory = Directory.CreateTempSubdirectory("rsm-tool-test-").FullName;

    [TestCleanup]
    public void DeleteDirectory() => Directory.Delete(_directory, recursive: true);

    [TestMethod]
    public void Scan_KeepsOnlyListeningSequencedPacketSocketsWithARendezvousName()
    {
        string table = WriteTable(
            "0000000000000001: 00000002 00000000 00010000 0005 01 1001 @demo/node1/segment00400100",
            // The same name on an accepted connection (not listening): the exporter's side of one importer.
            "0000000000000002: 00000003 00000000 00000000 0005 03 1002 @demo/node1/segment00400100",
            // A listening stream socket, a listening socket with another name, a file socket.
            "0000000000000003: 00000002 00000000 00010000 0001 01 1003 @demo/node1/segment00400101",
            "0000000000000004: 00000002 00000000 00010000 0005 01 1004 @demo/node1/segment-not-hex",
            "0000000000000005: 00000002 00000000 00010000 0005 01 1005 /run/demo/node1/segment00400102",
            "0000000000000006: 00000002 00000000 00010000 0005 01 1006 @a/b/node12/segmentdeadbeef");
        string proc = Directory.CreateDirectory(Path.Combine(_directory, "proc")).FullName;

        IReadOnlyList<RendezvousSocket> sockets = RendezvousScanner.Scan(null, table, proc);

        Assert.AreEqual(
            "a/b node 12 0xdeadbeef inode 1006 gone; demo node 1 0x00400100 inode 1001 gone",
            string.Join("; ", sockets.Select(s => $"{s.Prefix} node {s.NodeId} {s.SegmentIdText} inode {s.Inode} {s.State}")));
        Assert.HasCount(1, RendezvousScanner.Scan("a/b", table, proc));
        Assert.IsEmpty(RendezvousScanner.Scan("a", table, proc));
    }

    [TestMethod]
    public void Scan_NamesTheProcessThatHoldsTheSocket_AndMarksAnUnheldOneGone()
    {
        string table = WriteTable(
            "0000000000000001: 00000002 00000000 00010000 0005 01 2001 @demo/node1/segment00400100",
            "0000000000000002: 00000002 00000000 00010000 0005 01 2002 @demo/node2/segment00400100");
        string proc = Directory.CreateDirectory(Path.Combine(_directory, "proc")).FullName;
        string owner = Directory.CreateDirectory(Path.Combine(proc, "4242", "fd")).Parent!.FullName;
        File.CreateSymbolicLink(Path.Combine(owner, "fd", "0"), "/dev/null");
        File.CreateSymbolicLink(Path.Combine(owner, "fd", "7"), "socket:[2001]");
        File.CreateSymbolicLink(Path.Combine(owner, "fd", "8"), "socket:[9999]");
        File.WriteAllText(Path.Combine(owner, "status"), "Name:\tdotnet\nUid:\t1000\t1000\t1000\t1000\nGid:\t1000\t1000\t1000\t1000\n");
        File.WriteAllBytes(Path.Combine(owner, "cmdline"), "dotnet\0Rsm.HostedNode.dll\0"u8.ToArray());
        Directory.CreateDirectory(Path.Combine(proc, "self"));

        IReadOnlyList<RendezvousSocket> sockets = RendezvousScanner.Scan(null, table, proc);

        Assert.HasCount(2, sockets);
        Assert.AreEqual(RendezvousSocket.Alive, sockets[0].State);
        Assert.AreEqual(new SocketOwner(4242, 1000, "dotnet Rsm.HostedNode.dll"), sockets[0].Owners.Single());
        Assert.AreEqual(2u, sockets[1].NodeId);
        Assert.AreEqual(RendezvousSocket.Gone, sockets[1].State);
        Assert.IsEmpty(sockets[1].Owners);
    }

    [TestMethod]
    public void Scan_MissingTable_IsAOneLineFailure()
    {
        string missing = Path.Combine(_directory, "unix");

        ToolException failure = Assert.ThrowsExactly<ToolException>(() => RendezvousScanner.Scan(null, missing, _directory));

        Assert.AreEqual(ExitCodes.Failure, failure.ExitCode);
        Assert.StartsWith($"cannot read {missing} (", failure.Message);
    }

    private string WriteTable(params string[] lines)
    {
        string path = Path.Combine(_directory, "unix");
        File.WriteAllLines(path, [Header, .. lines]);
        return path;
    }
}
