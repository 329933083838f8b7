#pragma warning disable CA1707, IDE1006 // The wrappers keep the names of the header's static inline functions.

namespace Rsm.Providers.Fabric.Interop;

/// <summary>
/// The static inline wrappers of the libfabric 1.17 headers, each calling the same slot of the same operation table with
/// the same arguments as its C counterpart.
/// </summary>
internal static unsafe class FabricCalls
{
    /// <summary>fi_close: fid->ops->close(fid).</summary>
    public static int fi_close(Fid* fid) => fid->ops->close(fid);

    /// <summary>fi_control: fid->ops->control(fid, command, arg).</summary>
    public static int fi_control(Fid* fid, int command, void* arg) => fid->ops->control(fid, command, arg);

    /// <summary>fi_domain: fabric->ops->domain(fabric, info, domain, context).</summary>
    public static int fi_domain(FidFabric* fabric, FiInfo* info, FidDomain** domain, void* context) =>
        fabric->ops->domain(fabric, info, domain, context);

    /// <summary>fi_cq_open: domain->ops->cq_open(domain, attr, cq, context).</summary>
    public static int fi_cq_open(FidDomain* domain, FiCqAttr* attr, FidCq** cq, void* context) =>
        domain->ops->cq_open(domain, attr, cq, context);

    /// <summary>fi_av_open: domain->ops->av_open(domain, attr, av, context).</summary>
    public static int fi_av_open(FidDomain* domain, FiAvAttr* attr, FidAv** av, void* context) =>
        domain->ops->av_open(domain, attr, av, context);

    /// <summary>fi_endpoint: domain->ops->endpoint(domain, info, ep, context).</summary>
    public static int fi_endpoint(FidDomain* domain, FiInfo* info, FidEp** ep, void* context) =>
        domain->ops->endpoint(domain, info, ep, context);

    /// <summary>fi_ep_bind: ep->fid.ops->bind(&amp;ep->fid, bfid, flags).</summary>
    public static int fi_ep_bind(FidEp* ep, Fid* bfid, ulong flags) => ep->fid.ops->bind(&ep->fid, bfid, flags);

    /// <summary>fi_enable: ep->fid.ops->control(&amp;ep->fid, FI_ENABLE, NULL).</summary>
    public static int fi_enable(FidEp* ep) => ep->fid.ops->control(&ep->fid, FabricConstants.FI_ENABLE, null);

    /// <summary>fi_getname: ep->cm->getname(fid, addr, addrlen), the endpoint found from its fid (the fid is its first member).</summary>
    public static int fi_getname(Fid* fid, void* addr, nuint* addrlen)
    {
        FidEp* ep = (FidEp*)fid;
        return ep->cm->getname(fid, addr, addrlen);
    }

    /// <summary>fi_mr_reg: domain->mr->reg(&amp;domain->fid, buf, len, acs, offset, requested_key, flags, mr, context).</summary>
    public static int fi_mr_reg(FidDomain* domain, void* buf, nuint len, ulong acs, ulong offset, ulong requestedKey, ulong flags, FidMr** mr, void* context) =>
        domain->mr->reg(&domain->fid, buf, len, acs, offset, requestedKey, flags, mr, context);

    /// <summary>fi_mr_desc: mr->mem_desc.</summary>
    public static void* fi_mr_desc(FidMr* mr) => mr->mem_desc;

    /// <summary>fi_mr_key: mr->key.</summary>
    public static ulong fi_mr_key(FidMr* mr) => mr->key;

    /// <summary>fi_mr_bind: mr->fid.ops->bind(&amp;mr->fid, bfid, flags).</summary>
    public static int fi_mr_bind(FidMr* mr, Fid* bfid, ulong flags) => mr->fid.ops->bind(&mr->fid, bfid, flags);

    /// <summary>fi_mr_enable: mr->fid.ops->control(&amp;mr->fid, FI_ENABLE, NULL).</summary>
    public static int fi_mr_enable(FidMr* mr) => mr->fid.ops->control(&mr->fid, FabricConstants.FI_ENABLE, null);

    /// <summary>fi_av_insert: av->ops->insert(av, addr, count, fi_addr, flags, context).</summary>
    public static int fi_av_insert(FidAv* av, void* addr, nuint count, ulong* fiAddr, ulong flags, void* context) =>
        av->ops->insert(av, addr, count, fiAddr, flags, context);

    /// <summary>fi_av_remove: av->ops->remove(av, fi_addr, count, flags).</summary>
    public static int fi_av_remove(FidAv* av, ulong* fiAddr, nuint count, ulong flags) => av->ops->remove(av, fiAddr, count, flags);

    /// <summary>fi_cq_read: cq->ops->read(cq, buf, count).</summary>
    public static nint fi_cq_read(FidCq* cq, void* buf, nuint count) => cq->ops->read(cq, buf, count);

    /// <summary>fi_cq_readerr: cq->ops->readerr(cq, buf, flags).</summary>
    public static nint fi_cq_readerr(FidCq* cq, FiCqErrEntry* buf, ulong flags) => cq->ops->readerr(cq, buf, flags);

    /// <summary>fi_cq_sread: cq->ops->sread(cq, buf, count, cond, timeout).</summary>
    public static nint fi_cq_sread(FidCq* cq, void* buf, nuint count, void* cond, int timeout) => cq->ops->sread(cq, buf, count, cond, timeout);

    /// <summary>fi_cq_signal: cq->ops->signal(cq).</summary>
    public static int fi_cq_signal(FidCq* cq) => cq->ops->signal(cq);

    /// <summary>fi_read: ep->rma->read(ep, buf, len, desc, src_addr, addr, key, context).</summary>
    public static nint fi_read(FidEp* ep, void* buf, nuint len, void* desc, ulong srcAddr, ulong addr, ulong key, void* context) =>
        ep->rma->read(ep, buf, len, desc, srcAddr, addr, key, context);

    /// <summary>fi_readmsg: ep->rma->readmsg(ep, msg, flags).</summary>
    public static nint fi_readmsg(FidEp* ep, FiMsgRma* msg, ulong flags) => ep->rma->readmsg(ep, msg, flags);

    /// <summary>fi_write: ep->rma->write(ep, buf, len, desc, dest_addr, addr, key, context).</summary>
    public static nint fi_write(FidEp* ep, void* buf, nuint len, void* desc, ulong destAddr, ulong addr, ulong key, void* context) =>
        ep->rma->write(ep, buf, len, desc, destAddr, addr, key, context);

    /// <summary>fi_writemsg: ep->rma->writemsg(ep, msg, flags).</summary>
    public static nint fi_writemsg(FidEp* ep, FiMsgRma* msg, ulong flags) => ep->rma->writemsg(ep, msg, flags);

    /// <summary>fi_atomic: ep->atomic->write(ep, buf, count, desc, dest_addr, addr, key, datatype, op, context).</summary>
    public static nint fi_atomic(FidEp* ep, void* buf, nuint count, void* desc, ulong destAddr, ulong addr, ulong key, int datatype, int op, void* context) =>
        ep->atomic->write(ep, buf, count, desc, destAddr, addr, key, datatype, op, context);

    /// <summary>fi_fetch_atomic: ep->atomic->readwrite(ep, buf, count, desc, result, result_desc, dest_addr, addr, key, datatype, op, context).</summary>
    public static nint fi_fetch_atomic(FidEp* ep, void* buf, nuint count, void* desc, void* result, void* resultDesc, ulong destAddr, ulong addr, ulong key, int datatype, int op, void* context) =>
        ep->atomic->readwrite(ep, buf, count, desc, result, resultDesc, destAddr, addr, key, datatype, op, context);

    /// <summary>fi_compare_atomic: ep->atomic->compwrite(ep, buf, count, desc, compare, compare_desc, result, result_desc, dest_addr, addr, key, datatype, op, context).</summary>
    public static nint fi_compare_atomic(FidEp* ep, void* buf, nuint count, void* desc, void* compare, void* compareDesc, void* result, void* resultDesc, ulong destAddr, ulong addr, ulong key, int datatype, int op, void* context) =>
        ep->atomic->compwrite(ep, buf, count, desc, compare, compareDesc, result, resultDesc, destAddr, addr, key, datatype, op, context);

    /// <summary>fi_atomicvalid: ep->atomic->writevalid(ep, datatype, op, count).</summary>
    public static int fi_atomicvalid(FidEp* ep, int datatype, int op, nuint* count) => ep->atomic->writevalid(ep, datatype, op, count);

    /// <summary>fi_fetch_atomicvalid: ep->atomic->readwritevalid(ep, datatype, op, count).</summary>
    public static int fi_fetch_atomicvalid(FidEp* ep, int datatype, int op, nuint* count) => ep->atomic->readwritevalid(ep, datatype, op, count);

    /// <summary>fi_compare_atomicvalid: ep->atomic->compwritevalid(ep, datatype, op, count).</summary>
    public static int fi_compare_atomicvalid(FidEp* ep, int datatype, int op, nuint* count) => ep->atomic->compwritevalid(ep, datatype, op, count);

    /// <summary>
    /// fi_query_atomic: domain->ops->query_atomic(domain, datatype, op, attr, flags) when FI_CHECK_OP finds the slot
    /// (the table is larger than its offset and the slot is set), else -FI_ENOSYS.
    /// </summary>
    public static int fi_query_atomic(FidDomain* domain, int datatype, int op, FiAtomicAttr* attr, ulong flags)
    {
        FiOpsDomain* ops = domain->ops;
        nuint offset = (nuint)((byte*)&ops->query_atomic - (byte*)ops);
        return ops is not null && ops->size > offset && ops->query_atomic is not null
            ? ops->query_atomic(domain, datatype, op, attr, flags)
            : -FabricConstants.FI_ENOSYS;
    }
}
