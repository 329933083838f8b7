#pragma warning disable CA1707 // Native names are kept so each constant is found in the header.

namespace Rsm.Providers.Fabric.Interop;

/// <summary>The constants of libfabric 1.17 the bindings use, with the values of the installed headers.</summary>
internal static class FabricConstants
{
    // fabric.h: capabilities and operation flags.
    public const ulong FI_MSG = 1UL << 1;
    public const ulong FI_RMA = 1UL << 2;
    public const ulong FI_ATOMIC = 1UL << 4;
    public const ulong FI_READ = 1UL << 8;
    public const ulong FI_WRITE = 1UL << 9;
    public const ulong FI_RECV = 1UL << 10;
    public const ulong FI_SEND = 1UL << 11;
    public const ulong FI_TRANSMIT = FI_SEND;
    public const ulong FI_REMOTE_READ = 1UL << 12;
    public const ulong FI_REMOTE_WRITE = 1UL << 13;
    public const ulong FI_COMPLETION = 1UL << 24;
    public const ulong FI_INJECT = 1UL << 25;
    public const ulong FI_INJECT_COMPLETE = 1UL << 26;
    public const ulong FI_TRANSMIT_COMPLETE = 1UL << 27;
    public const ulong FI_DELIVERY_COMPLETE = 1UL << 28;
    public const ulong FI_RMA_EVENT = 1UL << 56;

    // fabric.h: mode bits.
    public const ulong FI_CONTEXT = 1UL << 59;
    public const ulong FI_CONTEXT2 = 1UL << 52;

    // fabric.h: memory registration modes.
    public const int FI_MR_BASIC = 1;
    public const int FI_MR_SCALABLE = 2;
    public const int FI_MR_LOCAL = 1 << 2;
    public const int FI_MR_RAW = 1 << 3;
    public const int FI_MR_VIRT_ADDR = 1 << 4;
    public const int FI_MR_ALLOCATED = 1 << 5;
    public const int FI_MR_PROV_KEY = 1 << 6;
    public const int FI_MR_MMU_NOTIFY = 1 << 7;
    public const int FI_MR_RMA_EVENT = 1 << 8;
    public const int FI_MR_ENDPOINT = 1 << 9;
    public const int FI_MR_HMEM = 1 << 10;

    // fabric.h: enum fi_ep_type, fi_threading, fi_progress, fi_av_type.
    public const int FI_EP_RDM = 3;
    public const int FI_THREAD_UNSPEC = 0;
    public const int FI_THREAD_SAFE = 1;
    public const int FI_THREAD_FID = 2;
    public const int FI_THREAD_DOMAIN = 3;
    public const int FI_THREAD_COMPLETION = 4;
    public const int FI_THREAD_ENDPOINT = 5;
    public const int FI_PROGRESS_UNSPEC = 0;
    public const int FI_PROGRESS_AUTO = 1;
    public const int FI_PROGRESS_MANUAL = 2;
    public const int FI_AV_UNSPEC = 0;
    public const int FI_AV_MAP = 1;
    public const int FI_AV_TABLE = 2;

    // fabric.h: control commands, fi_tostr types.
    public const int FI_ENABLE = 6;
    public const int FI_TYPE_INFO = 0;

    // fi_eq.h: enum fi_cq_format, fi_wait_obj, fi_cq_wait_cond.
    public const int FI_CQ_FORMAT_CONTEXT = 1;
    public const int FI_WAIT_NONE = 0;
    public const int FI_WAIT_UNSPEC = 1;
    public const int FI_CQ_COND_NONE = 0;

    // fi_domain.h: enum fi_datatype, fi_op.
    public const int FI_UINT32 = 5;
    public const int FI_UINT64 = 7;
    public const int FI_SUM = 2;
    public const int FI_ATOMIC_READ = 10;
    public const int FI_ATOMIC_WRITE = 11;
    public const int FI_CSWAP = 12;

    // fi_atomic.h: fi_query_atomic flags.
    public const ulong FI_FETCH_ATOMIC = 1UL << 58;
    public const ulong FI_COMPARE_ATOMIC = 1UL << 59;

    // fi_errno.h (the Linux errno values, and the libfabric ones from 256).
    public const int FI_SUCCESS = 0;
    public const int FI_ENOENT = 2;
    public const int FI_EINTR = 4;
    public const int FI_EIO = 5;
    public const int FI_EAGAIN = 11;
    public const int FI_ENOMEM = 12;
    public const int FI_EACCES = 13;
    public const int FI_EFAULT = 14;
    public const int FI_EBUSY = 16;
    public const int FI_ENODEV = 19;
    public const int FI_EINVAL = 22;
    public const int FI_ENOSYS = 38;
    public const int FI_ENODATA = 61;
    public const int FI_EOVERFLOW = 75;
    public const int FI_EMSGSIZE = 90;
    public const int FI_EOPNOTSUPP = 95;
    public const int FI_ECONNABORTED = 103;
    public const int FI_ECONNRESET = 104;
    public const int FI_ENOTCONN = 107;
    public const int FI_ESHUTDOWN = 108;
    public const int FI_ETIMEDOUT = 110;
    public const int FI_ECONNREFUSED = 111;
    public const int FI_EHOSTUNREACH = 113;
    public const int FI_EREMOTEIO = 121;
    public const int FI_ECANCELED = 125;
    public const int FI_EKEYREJECTED = 129;
    public const int FI_EOTHER = 256;
    public const int FI_ETOOSMALL = 257;
    public const int FI_EAVAIL = 259;
    public const int FI_ENOKEY = 266;

    // fabric.h: FI_VERSION(1, 17), the API the bindings are written against, and the oldest they accept.
    public const uint ApiVersion = (1 << 16) | 17;
    public const uint OldestVersion = (1 << 16) | 9;

    /// <summary>FI_VERSION(major, minor).</summary>
    public static uint Version(uint major, uint minor) => (major << 16) | minor;
}
