using System.Globalization;

namespace Rsm.Conformance.Tests;

/// <summary>
/// libfabric's shm endpoint keeps its queues in a 16 MiB file of /dev/shm named <c>pid:uid:n</c>, which it removes when
/// it closes. The peers of the Fabric tests end by being killed, so theirs would stay in memory until reboot: at the end
/// of the run the files of processes that no longer exist and were written during the run are removed.
/// </summary>
[TestClass]
public static class ShmRegionCleanup
{
    private static DateTime s_start;

    [AssemblyInitialize]
    public static void Start(TestContext context)
    {
        _ = context;
        s_start = DateTime.UtcNow;
    }

    [AssemblyCleanup]
    public static void RemoveRegionsOfEndedPeers()
    {
        if (!Directory.Exists("/dev/shm"))
        {
            return;
        }

        foreach (string file in Directory.EnumerateFiles("/dev/shm", "*:*:*"))
        {
            string[] fields = Path.GetFileName(file).Split(':');
            if (fields.Length == 3 && int.TryParse(fields[0], NumberStyles.None, CultureInfo.InvariantCulture, out int pid)
                && !Directory.Exists(string.Create(CultureInfo.InvariantCulture, $"/proc/{pid}"))
                && File.GetLastWriteTimeUtc(file) >= s_start)
            {
                File.Delete(file);
            }
        }
    }
}
