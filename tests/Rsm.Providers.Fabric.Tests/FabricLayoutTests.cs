using System.Diagnostics;
using System.Globalization;
using System.Text;
using Rsm.Providers.Fabric.Interop;

namespace Rsm.Providers.Fabric.Tests;

/// <summary>
/// Compiles a C program against the installed libfabric headers that prints every size, field offset, operation-table
/// slot and constant of <see cref="FabricLayout"/>, and compares each with the managed value: one wrong offset would
/// call the wrong slot or read the wrong field.
/// </summary>
[TestClass]
public sealed class FabricLayoutTests
{
    private static readonly string[] Headers =
    [
        "rdma/fabric.h", "rdma/fi_domain.h", "rdma/fi_endpoint.h", "rdma/fi_rma.h", "rdma/fi_atomic.h", "rdma/fi_cm.h", "rdma/fi_eq.h", "rdma/fi_errno.h",
    ];

    public TestContext TestContext { get; set; } = null!;

    [TestMethod]
    public void EveryLayoutSlotAndConstantMatchesTheHeaders()
    {
        string? gcc = Find("gcc");
        if (gcc is null)
        {
            Assert.Inconclusive("gcc is not installed: install gcc and libfabric-dev (apt-get install gcc libfabric-dev) to check the layouts");
        }

        if (!File.Exists("/usr/include/rdma/fabric.h"))
        {
            Assert.Inconclusive("the libfabric headers are not installed: install gcc and libfabric-dev (apt-get install gcc libfabric-dev) to check the layouts");
        }

        string directory = Path.Combine(Path.GetTempPath(), "rsm-fabric-layout-" + Environment.ProcessId.ToString(CultureInfo.InvariantCulture));
        Directory.CreateDirectory(directory);
        try
        {
            string source = Path.Combine(directory, "layout.c");
            string program = Path.Combine(directory, "layout");
            File.WriteAllText(source, Program(FabricLayout.Entries));
            (int compiled, string compilerOutput) = Run(gcc, $"-Wall -Werror -o {program} {source}");
            Assert.AreEqual(0, compiled, $"gcc failed:\n{compilerOutput}");
            (int ran, string output) = Run(program, string.Empty);
            Assert.AreEqual(0, ran, output);

            string[] lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
            Assert.HasCount(FabricLayout.Entries.Count, lines);
            var mismatches = new List<string>();
            for (int i = 0; i < lines.Length; i++)
            {
                FabricLayout.Entry entry = FabricLayout.Entries[i];
                ulong native = ulong.Parse(lines[i], CultureInfo.InvariantCulture);
                if (native != entry.Value)
                {
                    mismatches.Add($"{entry.Expression}: C {native}, managed {entry.Value}");
                }
            }

            TestContext.WriteLine($"{FabricLayout.Entries.Count} sizes, offsets, slots and constants compared");
            Assert.IsEmpty(mismatches, string.Join("\n", mismatches));
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [TestMethod]
    public void EveryStructureAndTableOfTheBindingsIsListed()
    {
        // Each managed layout appears with its size, and each of its fields with its offset.
        string[] structures =
        [
            "fi_info", "fi_tx_attr", "fi_rx_attr", "fi_ep_attr", "fi_domain_attr", "fi_fabric_attr", "fi_cq_attr", "fi_av_attr", "fi_cq_entry",
            "fi_cq_err_entry", "fi_msg_rma", "fi_rma_iov", "fi_ioc", "fi_rma_ioc", "fi_msg_atomic", "fi_atomic_attr", "fi_context2", "fid", "fi_ops",
            "fid_fabric", "fi_ops_fabric", "fid_domain", "fi_ops_domain", "fi_ops_mr", "fid_mr", "fid_av", "fi_ops_av", "fid_cq", "fi_ops_cq", "fid_ep",
            "fi_ops_ep", "fi_ops_cm", "fi_ops_rma", "fi_ops_atomic", "iovec",
        ];
        HashSet<string> expressions = [.. FabricLayout.Entries.Select(static e => e.Expression)];
        foreach (string structure in structures)
        {
            Assert.Contains($"sizeof(struct {structure})", expressions);
        }

        string[] slots =
        [
            "fi_ops, close", "fi_ops, bind", "fi_ops, control", "fi_ops_fabric, domain", "fi_ops_domain, av_open", "fi_ops_domain, cq_open",
            "fi_ops_domain, endpoint", "fi_ops_domain, query_atomic", "fi_ops_mr, reg", "fi_ops_av, insert", "fi_ops_av, remove", "fi_ops_cq, read",
            "fi_ops_cq, readerr", "fi_ops_cq, sread", "fi_ops_cq, signal", "fi_ops_cm, getname", "fi_ops_rma, read", "fi_ops_rma, readmsg",
            "fi_ops_rma, write", "fi_ops_rma, writemsg", "fi_ops_atomic, write", "fi_ops_atomic, readwrite", "fi_ops_atomic, compwrite",
            "fi_ops_atomic, writevalid", "fi_ops_atomic, readwritevalid", "fi_ops_atomic, compwritevalid", "fid_ep, rma", "fid_ep, atomic", "fid_ep, cm",
            "fid_domain, mr", "fid_mr, mem_desc", "fid_mr, key",
        ];
        foreach (string slot in slots)
        {
            Assert.Contains($"offsetof(struct {slot})", expressions);
        }
    }

    private static string Program(IReadOnlyList<FabricLayout.Entry> entries)
    {
        var text = new StringBuilder();
        text.AppendLine("#include <stddef.h>").AppendLine("#include <stdio.h>").AppendLine("#include <sys/uio.h>");
        foreach (string header in Headers)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"#include <{header}>");
        }

        text.AppendLine("int main(void)").AppendLine("{");
        foreach (FabricLayout.Entry entry in entries)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"    printf(\"%llu\\n\", (unsigned long long)({entry.Expression}));");
        }

        text.AppendLine("    return 0;").AppendLine("}");
        return text.ToString();
    }

    private static (int ExitCode, string Output) Run(string file, string arguments)
    {
        var start = new ProcessStartInfo(file, arguments) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        using Process process = Process.Start(start)!;
        Task<string> output = process.StandardOutput.ReadToEndAsync();
        Task<string> error = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromSeconds(60)))
        {
            process.Kill();
            Assert.Fail($"{file} did not finish in 60 s");
        }

        return (process.ExitCode, output.Result + error.Result);
    }

    private static string? Find(string program) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "/usr/bin:/bin").Split(':').Select(d => Path.Combine(d, program)).FirstOrDefault(File.Exists);
}
