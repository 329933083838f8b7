using System.Xml.Linq;

namespace Rsm.Abstractions.Tests;

[TestClass]
public sealed class RsmErrorTests
{
    // The return codes of rsm_common.h (RSMAPI.md 2.1): the RSMAPI codes 0-45 and the RSMPI codes 100-134.
    private static readonly (int Value, string Constant)[] s_header =
    [
        (0, "RSM_SUCCESS"),
        (1, "RSMERR_BAD_LIBRARY_VERSION"),
        (2, "RSMERR_BAD_TOPOLOGY_PTR"),
        (3, "RSMERR_BAD_CTLR_HNDL"),
        (4, "RSMERR_CTLR_NOT_PRESENT"),
        (5, "RSMERR_BAD_SEG_HNDL"),
        (6, "RSMERR_SEG_ALREADY_PUBLISHED"),
        (7, "RSMERR_SEG_NOT_PUBLISHED"),
        (8, "RSMERR_SEG_NOT_PUBLISHED_TO_NODE"),
        (9, "RSMERR_SEG_ALREADY_MAPPED"),
        (10, "RSMERR_SEG_STILL_MAPPED"),
        (11, "RSMERR_SEG_NOT_MAPPED"),
        (12, "RSMERR_NOT_CREATOR"),
        (13, "RSMERR_BAD_BARRIER_PTR"),
        (14, "RSMERR_BAD_SGIO"),
        (15, "RSMERR_BAD_LOCALMEM_HNDL"),
        (16, "RSMERR_BAD_ADDR"),
        (17, "RSMERR_BAD_MEM_ALIGNMENT"),
        (18, "RSMERR_BAD_OFFSET"),
        (19, "RSMERR_MISALIGNED_OFFSET"),
        (20, "RSMERR_BAD_LENGTH"),
        (21, "RSMERR_BAD_ACL"),
        (22, "RSMERR_BAD_SEGID"),
        (23, "RSMERR_RESERVED_SEGID"),
        (24, "RSMERR_SEGID_IN_USE"),
        (25, "RSMERR_BAD_MODE"),
        (26, "RSMERR_BAD_PERMS"),
        (27, "RSMERR_PERM_DENIED"),
        (28, "RSMERR_LOCKS_NOT_SUPPORTED"),
        (29, "RSMERR_LOCKS_NOT_ENABLED"),
        (30, "RSMERR_REBIND_NOT_ALLOWED"),
        (31, "RSMERR_INSUFFICIENT_RESOURCES"),
        (32, "RSMERR_INSUFFICIENT_MEM"),
        (33, "RSMERR_MAP_FAILED"),
        (34, "RSMERR_POLLFD_IN_USE"),
        (35, "RSMERR_BARRIER_UNINITIALIZED"),
        (36, "RSMERR_BARRIER_OPEN_FAILED"),
        (37, "RSMERR_BARRIER_NOT_OPENED"),
        (38, "RSMERR_BARRIER_FAILURE"),
        (39, "RSMERR_REMOTE_NODE_UNREACHABLE"),
        (40, "RSMERR_CONN_ABORTED"),
        (41, "RSMERR_INTERRUPTED"),
        (42, "RSMERR_TIMEOUT"),
        (43, "RSMERR_BAD_APPID"),
        (44, "RSMERR_BAD_CONF"),
        (45, "RSMERR_SEG_NOT_CONNECTED"),
        (100, "RSMERR_INTERNAL_ERROR"),
        (101, "RSMERR_BAD_DRIVER_VERSION"),
        (102, "RSMERR_UNSUPPORTED_VERSION"),
        (103, "RSMERR_DRIVER_NAME_IN_USE"),
        (104, "RSMERR_DRIVER_NOT_REGISTERED"),
        (105, "RSMERR_DRIVER_THREAD_RUNNING"),
        (106, "RSMERR_NEED_THREAD_INIT"),
        (107, "RSMERR_THREAD_NOT_INITED"),
        (108, "RSMERR_CTLRS_REGISTERED"),
        (109, "RSMERR_CTLR_NOT_REGISTERED"),
        (110, "RSMERR_CTLR_ALREADY_REGISTERED"),
        (111, "RSMERR_CTLR_IN_USE"),
        (112, "RSMERR_NAME_TOO_LONG"),
        (113, "RSMERR_SEG_PUBLISHED"),
        (114, "RSMERR_SEG_NOT_PUBLISHED_TO_RSM_ADDR"),
        (115, "RSMERR_SEG_IN_USE"),
        (116, "RSMERR_BAD_SENDQ_HNDL"),
        (117, "RSMERR_BAD_ARGS_ERRORS"),
        (118, "RSMERR_BAD_MSTYPE"),
        (119, "RSMERR_NO_BACKING_MEM"),
        (120, "RSMERR_NOT_MEM"),
        (121, "RSMERR_MEM_ALREADY_BOUND"),
        (122, "RSMERR_MEM_NOT_BOUND"),
        (123, "RSMERR_HANDLER_NOT_REGISTERED"),
        (124, "RSMERR_NO_HANDLER"),
        (125, "RSMERR_UNBIND_REBIND_NOT_ALLOWED"),
        (126, "RSMERR_CALLBACKS_NOT_SUPPORTED"),
        (127, "RSMERR_UNSUPPORTED_OPERATION"),
        (128, "RSMERR_RSM_ADDR_UNREACHABLE"),
        (129, "RSMERR_UNKNOWN_RSM_ADDR"),
        (130, "RSMERR_BAD_BARRIER_HNDL"),
        (131, "RSMERR_COMM_ERR_MAYBE_DELIVERED"),
        (132, "RSMERR_COMM_ERR_NOT_DELIVERED"),
        (133, "RSMERR_QUEUE_FENCE_UP"),
        (134, "RSMERR_QUEUE_FULL"),
    ];

    [TestMethod]
    public void RsmError_HasExactlyTheHeaderValues()
    {
        int[] expected = [.. s_header.Select(h => h.Value)];
        int[] actual = [.. Enum.GetValues<RsmError>().Select(e => (int)e).Order()];

        CollectionAssert.AreEqual(expected, actual);
    }

    [TestMethod]
    public void RsmError_EachMemberDocNamesItsConstant()
    {
        string path = Path.Combine(AppContext.BaseDirectory, "Rsm.Abstractions.xml");
        XDocument docs = XDocument.Load(path);
        var summaries = docs.Descendants("member")
            .Where(m => ((string?)m.Attribute("name"))?.StartsWith("F:Rsm.RsmError.", StringComparison.Ordinal) == true)
            .ToDictionary(m => ((string)m.Attribute("name")!)["F:Rsm.RsmError.".Length..], m => m.Element("summary")?.Value ?? string.Empty);

        foreach ((int value, string constant) in s_header)
        {
            string name = ((RsmError)value).ToString();
            Assert.IsTrue(summaries.TryGetValue(name, out string? summary), $"RsmError.{name} has no documentation");
            Assert.Contains(constant, summary, $"RsmError.{name} ({value}) should name {constant}");
            Assert.Contains($"({value})", summary, $"RsmError.{name} should state its value");
        }
    }

    [TestMethod]
    public void RsmException_MessageNamesConstantValueAndDetail()
    {
        var ex = new RsmException(RsmError.BadLength, "length 0");

        Assert.AreEqual(RsmError.BadLength, ex.Error);
        Assert.AreEqual("RSMERR_BAD_LENGTH (20): length 0", ex.Message);
        Assert.IsInstanceOfType<IOException>(ex);
    }
}
