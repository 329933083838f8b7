namespace Rsm;

/// <summary>How an I/O vector names its local memory (<c>rsm_iovec_t.io_type</c>).</summary>
public enum RsmIoVectorType
{
    /// <summary><c>RSM_HANDLE_TYPE</c> (1): a local memory handle.</summary>
    Handle = 1,

    /// <summary><c>RSM_VA_TYPE</c> (2): a virtual address.</summary>
    Address = 2,
}
