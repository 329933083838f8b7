// The layouts of libfabric 1.17 (rdma/fabric.h, fi_domain.h, fi_endpoint.h, fi_rma.h, fi_atomic.h, fi_cm.h, fi_eq.h) for
// x86-64 Linux (LP64: size_t, pointers and uint64_t are 8 bytes, enums and int 4). Every field is declared in the order of
// the header, so the compiler pads exactly as gcc does; FabricLayout lists each offset and the layout test compares it
// with a C program compiled against the installed headers.
#pragma warning disable CA1707, CA1051, SA1307, IDE1006 // Native names are kept so each field is found in the header.

using System.Runtime.InteropServices;

namespace Rsm.Providers.Fabric.Interop;

/// <summary>struct iovec.</summary>
[StructLayout(LayoutKind.Sequential)]
internal unsafe struct IoVec
{
    public void* iov_base;
    public nuint iov_len;
}

/// <summary>struct fi_info.</summary>
[StructLayout(LayoutKind.Sequential)]
internal unsafe struct FiInfo
{
    public FiInfo* next;
    public ulong caps;
    public ulong mode;
    public uint addr_format;
    public nuint src_addrlen;
    public nuint dest_addrlen;
    public void* src_addr;
    public void* dest_addr;
    public Fid* handle;
    public FiTxAttr* tx_attr;
    public FiRxAttr* rx_attr;
    public FiEpAttr* ep_attr;
    public FiDomainAttr* domain_attr;
    public FiFabricAttr* fabric_attr;
    public void* nic;
}

/// <summary>struct fi_tx_attr.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct FiTxAttr
{
    public ulong caps;
    public ulong mode;
    public ulong op_flags;
    public ulong msg_order;
    public ulong comp_order;
    public nuint inject_size;
    public nuint size;
    public nuint iov_limit;
    public nuint rma_iov_limit;
    public uint tclass;
}

/// <summary>struct fi_rx_attr.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct FiRxAttr
{
    public ulong caps;
    public ulong mode;
    public ulong op_flags;
    public ulong msg_order;
    public ulong comp_order;
    public nuint total_buffered_recv;
    public nuint size;
    public nuint iov_limit;
}

/// <summary>struct fi_ep_attr.</summary>
[StructLayout(LayoutKind.Sequential)]
internal unsafe struct FiEpAttr
{
    public int type;
    public uint protocol;
    public uint protocol_version;
    public nuint max_msg_size;
    public nuint msg_prefix_size;
    public nuint max_order_raw_size;
    public nuint max_order_war_size;
    public nuint max_order_waw_size;
    public ulong mem_tag_format;
    public nuint tx_ctx_cnt;
    public nuint rx_ctx_cnt;
    public nuint auth_key_size;
    public byte* auth_key;
}

/// <summary>struct fi_domain_attr.</summary>
[StructLayout(LayoutKind.Sequential)]
internal unsafe struct FiDomainAttr
{
    public FidDomain* domain;
    public byte* name;
    public int threading;
    public int control_progress;
    public int data_progress;
    public int resource_mgmt;
    public int av_type;
    public int mr_mode;
    public nuint mr_key_size;
    public nuint cq_data_size;
    public nuint cq_cnt;
    public nuint ep_cnt;
    public nuint tx_ctx_cnt;
    public nuint rx_ctx_cnt;
    public nuint max_ep_tx_ctx;
    public nuint max_ep_rx_ctx;
    public nuint max_ep_stx_ctx;
    public nuint max_ep_srx_ctx;
    public nuint cntr_cnt;
    public nuint mr_iov_limit;
    public ulong caps;
    public ulong mode;
    public byte* auth_key;
    public nuint auth_key_size;
    public nuint max_err_data;
    public nuint mr_cnt;
    public uint tclass;
}

/// <summary>struct fi_fabric_attr.</summary>
[StructLayout(LayoutKind.Sequential)]
internal unsafe struct FiFabricAttr
{
    public FidFabric* fabric;
    public byte* name;
    public byte* prov_name;
    public uint prov_version;
    public uint api_version;
}

/// <summary>struct fi_cq_attr.</summary>
[StructLayout(LayoutKind.Sequential)]
internal unsafe struct FiCqAttr
{
    public nuint size;
    public ulong flags;
    public int format;
    public int wait_obj;
    public int signaling_vector;
    public int wait_cond;
    public void* wait_set;
}

/// <summary>struct fi_av_attr.</summary>
[StructLayout(LayoutKind.Sequential)]
internal unsafe struct FiAvAttr
{
    public int type;
    public int rx_ctx_bits;
    public nuint count;
    public nuint ep_per_node;
    public byte* name;
    public void* map_addr;
    public ulong flags;
}

/// <summary>struct fi_cq_entry (FI_CQ_FORMAT_CONTEXT).</summary>
[StructLayout(LayoutKind.Sequential)]
internal unsafe struct FiCqEntry
{
    public void* op_context;
}

/// <summary>struct fi_cq_err_entry.</summary>
[StructLayout(LayoutKind.Sequential)]
internal unsafe struct FiCqErrEntry
{
    public void* op_context;
    public ulong flags;
    public nuint len;
    public void* buf;
    public ulong data;
    public ulong tag;
    public nuint olen;
    public int err;
    public int prov_errno;
    public void* err_data;
    public nuint err_data_size;
}

/// <summary>struct fi_rma_iov.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct FiRmaIov
{
    public ulong addr;
    public nuint len;
    public ulong key;
}

/// <summary>struct fi_msg_rma.</summary>
[StructLayout(LayoutKind.Sequential)]
internal unsafe struct FiMsgRma
{
    public IoVec* msg_iov;
    public void** desc;
    public nuint iov_count;
    public ulong addr;
    public FiRmaIov* rma_iov;
    public nuint rma_iov_count;
    public void* context;
    public ulong data;
}

/// <summary>struct fi_ioc.</summary>
[StructLayout(LayoutKind.Sequential)]
internal unsafe struct FiIoc
{
    public void* addr;
    public nuint count;
}

/// <summary>struct fi_rma_ioc.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct FiRmaIoc
{
    public ulong addr;
    public nuint count;
    public ulong key;
}

/// <summary>struct fi_msg_atomic.</summary>
[StructLayout(LayoutKind.Sequential)]
internal unsafe struct FiMsgAtomic
{
    public FiIoc* msg_iov;
    public void** desc;
    public nuint iov_count;
    public ulong addr;
    public FiRmaIoc* rma_iov;
    public nuint rma_iov_count;
    public int datatype;
    public int op;
    public void* context;
    public ulong data;
}

/// <summary>struct fi_atomic_attr.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct FiAtomicAttr
{
    public nuint count;
    public nuint size;
}

/// <summary>struct fi_context2: the space a provider may use in the context of each operation (FI_CONTEXT2 mode).</summary>
[StructLayout(LayoutKind.Sequential)]
internal unsafe struct FiContext2
{
    public fixed ulong @internal[8];
}

/// <summary>struct fid: the head of every libfabric object.</summary>
[StructLayout(LayoutKind.Sequential)]
internal unsafe struct Fid
{
    public nuint fclass;
    public void* context;
    public FiOps* ops;
}

/// <summary>struct fi_ops.</summary>
[StructLayout(LayoutKind.Sequential)]
internal unsafe struct FiOps
{
    public nuint size;
    public delegate* unmanaged<Fid*, int> close;
    public delegate* unmanaged<Fid*, Fid*, ulong, int> bind;
    public delegate* unmanaged<Fid*, int, void*, int> control;
    public void* ops_open;
    public void* tostr;
    public void* ops_set;
}

/// <summary>struct fid_fabric.</summary>
[StructLayout(LayoutKind.Sequential)]
internal unsafe struct FidFabric
{
    public Fid fid;
    public FiOpsFabric* ops;
    public uint api_version;
}

/// <summary>struct fi_ops_fabric.</summary>
[StructLayout(LayoutKind.Sequential)]
internal unsafe struct FiOpsFabric
{
    public nuint size;
    public delegate* unmanaged<FidFabric*, FiInfo*, FidDomain**, void*, int> domain;
    public void* passive_ep;
    public void* eq_open;
    public void* wait_open;
    public void* trywait;
    public void* domain2;
}

/// <summary>struct fid_domain.</summary>
[StructLayout(LayoutKind.Sequential)]
internal unsafe struct FidDomain
{
    public Fid fid;
    public FiOpsDomain* ops;
    public FiOpsMr* mr;
}

/// <summary>struct fi_ops_domain.</summary>
[StructLayout(LayoutKind.Sequential)]
internal unsafe struct FiOpsDomain
{
    public nuint size;
    public delegate* unmanaged<FidDomain*, FiAvAttr*, FidAv**, void*, int> av_open;
    public delegate* unmanaged<FidDomain*, FiCqAttr*, FidCq**, void*, int> cq_open;
    public delegate* unmanaged<FidDomain*, FiInfo*, FidEp**, void*, int> endpoint;
    public void* scalable_ep;
    public void* cntr_open;
    public void* poll_open;
    public void* stx_ctx;
    public void* srx_ctx;
    public delegate* unmanaged<FidDomain*, int, int, FiAtomicAttr*, ulong, int> query_atomic;
    public void* query_collective;
    public void* endpoint2;
}

/// <summary>struct fi_ops_mr.</summary>
[StructLayout(LayoutKind.Sequential)]
internal unsafe struct FiOpsMr
{
    public nuint size;
    public delegate* unmanaged<Fid*, void*, nuint, ulong, ulong, ulong, ulong, FidMr**, void*, int> reg;
    public void* regv;
    public void* regattr;
}

/// <summary>struct fid_mr.</summary>
[StructLayout(LayoutKind.Sequential)]
internal unsafe struct FidMr
{
    public Fid fid;
    public void* mem_desc;
    public ulong key;
}

/// <summary>struct fid_av.</summary>
[StructLayout(LayoutKind.Sequential)]
internal unsafe struct FidAv
{
    public Fid fid;
    public FiOpsAv* ops;
}

/// <summary>struct fi_ops_av.</summary>
[StructLayout(LayoutKind.Sequential)]
internal unsafe struct FiOpsAv
{
    public nuint size;
    public delegate* unmanaged<FidAv*, void*, nuint, ulong*, ulong, void*, int> insert;
    public void* insertsvc;
    public void* insertsym;
    public delegate* unmanaged<FidAv*, ulong*, nuint, ulong, int> remove;
    public void* lookup;
    public void* straddr;
    public void* av_set;
}

/// <summary>struct fid_cq.</summary>
[StructLayout(LayoutKind.Sequential)]
internal unsafe struct FidCq
{
    public Fid fid;
    public FiOpsCq* ops;
}

/// <summary>struct fi_ops_cq.</summary>
[StructLayout(LayoutKind.Sequential)]
internal unsafe struct FiOpsCq
{
    public nuint size;
    public delegate* unmanaged<FidCq*, void*, nuint, nint> read;
    public void* readfrom;
    public delegate* unmanaged<FidCq*, FiCqErrEntry*, ulong, nint> readerr;
    public delegate* unmanaged<FidCq*, void*, nuint, void*, int, nint> sread;
    public void* sreadfrom;
    public delegate* unmanaged<FidCq*, int> signal;
    public void* strerror;
}

/// <summary>struct fid_ep.</summary>
[StructLayout(LayoutKind.Sequential)]
internal unsafe struct FidEp
{
    public Fid fid;
    public FiOpsEp* ops;
    public FiOpsCm* cm;
    public void* msg;
    public FiOpsRma* rma;
    public void* tagged;
    public FiOpsAtomic* atomic;
    public void* collective;
}

/// <summary>struct fi_ops_ep.</summary>
[StructLayout(LayoutKind.Sequential)]
internal unsafe struct FiOpsEp
{
    public nuint size;
    public void* cancel;
    public void* getopt;
    public void* setopt;
    public void* tx_ctx;
    public void* rx_ctx;
    public void* rx_size_left;
    public void* tx_size_left;
}

/// <summary>struct fi_ops_cm.</summary>
[StructLayout(LayoutKind.Sequential)]
internal unsafe struct FiOpsCm
{
    public nuint size;
    public void* setname;
    public delegate* unmanaged<Fid*, void*, nuint*, int> getname;
    public void* getpeer;
    public void* connect;
    public void* listen;
    public void* accept;
    public void* reject;
    public void* shutdown;
    public void* join;
}

/// <summary>struct fi_ops_rma.</summary>
[StructLayout(LayoutKind.Sequential)]
internal unsafe struct FiOpsRma
{
    public nuint size;
    public delegate* unmanaged<FidEp*, void*, nuint, void*, ulong, ulong, ulong, void*, nint> read;
    public void* readv;
    public delegate* unmanaged<FidEp*, FiMsgRma*, ulong, nint> readmsg;
    public delegate* unmanaged<FidEp*, void*, nuint, void*, ulong, ulong, ulong, void*, nint> write;
    public void* writev;
    public delegate* unmanaged<FidEp*, FiMsgRma*, ulong, nint> writemsg;
    public void* inject;
    public void* writedata;
    public void* injectdata;
}

/// <summary>struct fi_ops_atomic.</summary>
[StructLayout(LayoutKind.Sequential)]
internal unsafe struct FiOpsAtomic
{
    public nuint size;
    public delegate* unmanaged<FidEp*, void*, nuint, void*, ulong, ulong, ulong, int, int, void*, nint> write;
    public void* writev;
    public void* writemsg;
    public void* inject;
    public delegate* unmanaged<FidEp*, void*, nuint, void*, void*, void*, ulong, ulong, ulong, int, int, void*, nint> readwrite;
    public void* readwritev;
    public void* readwritemsg;
    public delegate* unmanaged<FidEp*, void*, nuint, void*, void*, void*, void*, void*, ulong, ulong, ulong, int, int, void*, nint> compwrite;
    public void* compwritev;
    public void* compwritemsg;
    public delegate* unmanaged<FidEp*, int, int, nuint*, int> writevalid;
    public delegate* unmanaged<FidEp*, int, int, nuint*, int> readwritevalid;
    public delegate* unmanaged<FidEp*, int, int, nuint*, int> compwritevalid;
}
