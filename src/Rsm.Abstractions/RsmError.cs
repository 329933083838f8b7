namespace Rsm;

/// <summary>
/// The outcome codes of RSMAPI, with exactly the numeric values of <c>rsm_common.h</c>.
/// Every member's documentation names its C constant.
/// </summary>
public enum RsmError
{
    /// <summary><c>RSM_SUCCESS</c> (0): The operation succeeded.</summary>
    Success = 0,

    /// <summary><c>RSMERR_BAD_LIBRARY_VERSION</c> (1): A provider reported a library version other than 1.</summary>
    BadLibraryVersion = 1,

    /// <summary><c>RSMERR_BAD_TOPOLOGY_PTR</c> (2): The topology out-pointer was null.</summary>
    BadTopologyPointer = 2,

    /// <summary><c>RSMERR_BAD_CTLR_HNDL</c> (3): The controller handle is null or already released.</summary>
    BadControllerHandle = 3,

    /// <summary><c>RSMERR_CTLR_NOT_PRESENT</c> (4): No controller of that name exists, or the node cannot be reached through it.</summary>
    ControllerNotPresent = 4,

    /// <summary><c>RSMERR_BAD_SEG_HNDL</c> (5): The segment handle is invalid, destroyed, disconnected or of the wrong kind.</summary>
    BadSegmentHandle = 5,

    /// <summary><c>RSMERR_SEG_ALREADY_PUBLISHED</c> (6): The export segment is already published.</summary>
    SegmentAlreadyPublished = 6,

    /// <summary><c>RSMERR_SEG_NOT_PUBLISHED</c> (7): The segment is not published.</summary>
    SegmentNotPublished = 7,

    /// <summary><c>RSMERR_SEG_NOT_PUBLISHED_TO_NODE</c> (8): The segment's access list does not name the importing node.</summary>
    SegmentNotPublishedToNode = 8,

    /// <summary><c>RSMERR_SEG_ALREADY_MAPPED</c> (9): The import segment is already mapped, explicitly or implicitly.</summary>
    SegmentAlreadyMapped = 9,

    /// <summary><c>RSMERR_SEG_STILL_MAPPED</c> (10): The import segment is still explicitly mapped.</summary>
    SegmentStillMapped = 10,

    /// <summary><c>RSMERR_SEG_NOT_MAPPED</c> (11): The import segment is not mapped.</summary>
    SegmentNotMapped = 11,

    /// <summary><c>RSMERR_NOT_CREATOR</c> (12): The caller is not the process that created the export segment.</summary>
    NotCreator = 12,

    /// <summary><c>RSMERR_BAD_BARRIER_PTR</c> (13): The barrier reference was null.</summary>
    BadBarrierPointer = 13,

    /// <summary><c>RSMERR_BAD_SGIO</c> (14): The scatter/gather request is null or its request count is out of range.</summary>
    BadScatterGather = 14,

    /// <summary><c>RSMERR_BAD_LOCALMEM_HNDL</c> (15): The local memory handle is null or already freed.</summary>
    BadLocalMemoryHandle = 15,

    /// <summary><c>RSMERR_BAD_ADDR</c> (16): An address is null, unmapped or misaligned where an address error applies.</summary>
    BadAddress = 16,

    /// <summary><c>RSMERR_BAD_MEM_ALIGNMENT</c> (17): An address, offset or length is not aligned as required.</summary>
    BadMemoryAlignment = 17,

    /// <summary><c>RSMERR_BAD_OFFSET</c> (18): An access falls outside the mapped window.</summary>
    BadOffset = 18,

    /// <summary><c>RSMERR_MISALIGNED_OFFSET</c> (19): Documented but never returned: misaligned offsets give BadMemoryAlignment (17).</summary>
    MisalignedOffset = 19,

    /// <summary><c>RSMERR_BAD_LENGTH</c> (20): A length is zero, too large, or a range exceeds the segment.</summary>
    BadLength = 20,

    /// <summary><c>RSMERR_BAD_ACL</c> (21): The access list is malformed.</summary>
    BadAccessList = 21,

    /// <summary><c>RSMERR_BAD_SEGID</c> (22): The segment id argument was missing.</summary>
    BadSegmentId = 22,

    /// <summary><c>RSMERR_RESERVED_SEGID</c> (23): The segment id lies in a reserved range.</summary>
    ReservedSegmentId = 23,

    /// <summary><c>RSMERR_SEGID_IN_USE</c> (24): Another published segment on the node already uses the segment id.</summary>
    SegmentIdInUse = 24,

    /// <summary><c>RSMERR_BAD_MODE</c> (25): The barrier mode is neither Explicit (0) nor Implicit (1).</summary>
    BadMode = 25,

    /// <summary><c>RSMERR_BAD_PERMS</c> (26): The requested mapping permission is invalid or exceeds what was granted.</summary>
    BadPermissions = 26,

    /// <summary><c>RSMERR_PERM_DENIED</c> (27): The requested access is not permitted.</summary>
    PermissionDenied = 27,

    /// <summary><c>RSMERR_LOCKS_NOT_SUPPORTED</c> (28): The provider cannot perform lock operations atomically.</summary>
    LocksNotSupported = 28,

    /// <summary><c>RSMERR_LOCKS_NOT_ENABLED</c> (29): The segment was not created with the lock-operations flag.</summary>
    LocksNotEnabled = 29,

    /// <summary><c>RSMERR_REBIND_NOT_ALLOWED</c> (30): The segment was not created with the allow-rebind flag.</summary>
    RebindNotAllowed = 30,

    /// <summary><c>RSMERR_INSUFFICIENT_RESOURCES</c> (31): A node resource (segment table, auto ids, descriptors) is exhausted.</summary>
    InsufficientResources = 31,

    /// <summary><c>RSMERR_INSUFFICIENT_MEM</c> (32): Memory or the exported-memory quota is exhausted.</summary>
    InsufficientMemory = 32,

    /// <summary><c>RSMERR_MAP_FAILED</c> (33): Mapping the segment failed.</summary>
    MapFailed = 33,

    /// <summary><c>RSMERR_POLLFD_IN_USE</c> (34): Poll handle references are still held.</summary>
    PollDescriptorInUse = 34,

    /// <summary><c>RSMERR_BARRIER_UNINITIALIZED</c> (35): The barrier is not initialised, or implicit mode has no barrier.</summary>
    BarrierUninitialized = 35,

    /// <summary><c>RSMERR_BARRIER_OPEN_FAILED</c> (36): Opening the barrier failed.</summary>
    BarrierOpenFailed = 36,

    /// <summary><c>RSMERR_BARRIER_NOT_OPENED</c> (37): Documented but never returned.</summary>
    BarrierNotOpened = 37,

    /// <summary><c>RSMERR_BARRIER_FAILURE</c> (38): A transfer error was detected while the barrier was open.</summary>
    BarrierFailure = 38,

    /// <summary><c>RSMERR_REMOTE_NODE_UNREACHABLE</c> (39): The remote node cannot be reached.</summary>
    RemoteNodeUnreachable = 39,

    /// <summary><c>RSMERR_CONN_ABORTED</c> (40): The import connection was forcibly disconnected.</summary>
    ConnectionAborted = 40,

    /// <summary><c>RSMERR_INTERRUPTED</c> (41): A wait was interrupted.</summary>
    Interrupted = 41,

    /// <summary><c>RSMERR_TIMEOUT</c> (42): A wait timed out, or the event was consumed by another waiter.</summary>
    Timeout = 42,

    /// <summary><c>RSMERR_BAD_APPID</c> (43): No line of the segment-id range file names the application id.</summary>
    BadAppId = 43,

    /// <summary><c>RSMERR_BAD_CONF</c> (44): The segment-id range file is missing or malformed.</summary>
    BadConfiguration = 44,

    /// <summary><c>RSMERR_SEG_NOT_CONNECTED</c> (45): Documented but never returned.</summary>
    SegmentNotConnected = 45,

    /// <summary><c>RSMERR_INTERNAL_ERROR</c> (100): An internal error, such as a failed hardware address lookup (RSMPI).</summary>
    InternalError = 100,

    /// <summary><c>RSMERR_BAD_DRIVER_VERSION</c> (101): The remote node speaks another protocol version (RSMPI).</summary>
    BadDriverVersion = 101,

    /// <summary><c>RSMERR_UNSUPPORTED_VERSION</c> (102): Unsupported version (RSMPI).</summary>
    UnsupportedVersion = 102,

    /// <summary><c>RSMERR_DRIVER_NAME_IN_USE</c> (103): Driver name in use (RSMPI).</summary>
    DriverNameInUse = 103,

    /// <summary><c>RSMERR_DRIVER_NOT_REGISTERED</c> (104): Driver not registered (RSMPI).</summary>
    DriverNotRegistered = 104,

    /// <summary><c>RSMERR_DRIVER_THREAD_RUNNING</c> (105): Driver thread running (RSMPI).</summary>
    DriverThreadRunning = 105,

    /// <summary><c>RSMERR_NEED_THREAD_INIT</c> (106): Thread initialisation needed (RSMPI).</summary>
    NeedThreadInit = 106,

    /// <summary><c>RSMERR_THREAD_NOT_INITED</c> (107): Thread not initialised (RSMPI).</summary>
    ThreadNotInitialized = 107,

    /// <summary><c>RSMERR_CTLRS_REGISTERED</c> (108): Controllers registered (RSMPI).</summary>
    ControllersRegistered = 108,

    /// <summary><c>RSMERR_CTLR_NOT_REGISTERED</c> (109): Controller not registered (RSMPI).</summary>
    ControllerNotRegistered = 109,

    /// <summary><c>RSMERR_CTLR_ALREADY_REGISTERED</c> (110): Controller already registered (RSMPI).</summary>
    ControllerAlreadyRegistered = 110,

    /// <summary><c>RSMERR_CTLR_IN_USE</c> (111): Controller in use (RSMPI).</summary>
    ControllerInUse = 111,

    /// <summary><c>RSMERR_NAME_TOO_LONG</c> (112): Name too long (RSMPI).</summary>
    NameTooLong = 112,

    /// <summary><c>RSMERR_SEG_PUBLISHED</c> (113): Segment published (RSMPI).</summary>
    SegmentPublished = 113,

    /// <summary><c>RSMERR_SEG_NOT_PUBLISHED_TO_RSM_ADDR</c> (114): Segment not published to the address (RSMPI; reported as 8 on connect).</summary>
    SegmentNotPublishedToRsmAddress = 114,

    /// <summary><c>RSMERR_SEG_IN_USE</c> (115): Segment in use (RSMPI).</summary>
    SegmentInUse = 115,

    /// <summary><c>RSMERR_BAD_SENDQ_HNDL</c> (116): Bad send queue handle (RSMPI).</summary>
    BadSendQueueHandle = 116,

    /// <summary><c>RSMERR_BAD_ARGS_ERRORS</c> (117): Bad arguments, such as an invalid descriptor count in a poll wait (RSMPI).</summary>
    BadArgumentsErrors = 117,

    /// <summary><c>RSMERR_BAD_MSTYPE</c> (118): Bad memory storage type (RSMPI).</summary>
    BadMemoryStorageType = 118,

    /// <summary><c>RSMERR_NO_BACKING_MEM</c> (119): No backing memory (RSMPI).</summary>
    NoBackingMemory = 119,

    /// <summary><c>RSMERR_NOT_MEM</c> (120): Not memory (RSMPI; reported as 32 on publish).</summary>
    NotMemory = 120,

    /// <summary><c>RSMERR_MEM_ALREADY_BOUND</c> (121): Memory already bound (RSMPI).</summary>
    MemoryAlreadyBound = 121,

    /// <summary><c>RSMERR_MEM_NOT_BOUND</c> (122): Memory not bound (RSMPI).</summary>
    MemoryNotBound = 122,

    /// <summary><c>RSMERR_HANDLER_NOT_REGISTERED</c> (123): Handler not registered (RSMPI).</summary>
    HandlerNotRegistered = 123,

    /// <summary><c>RSMERR_NO_HANDLER</c> (124): No handler (RSMPI).</summary>
    NoHandler = 124,

    /// <summary><c>RSMERR_UNBIND_REBIND_NOT_ALLOWED</c> (125): Unbind or rebind not allowed (RSMPI).</summary>
    UnbindRebindNotAllowed = 125,

    /// <summary><c>RSMERR_CALLBACKS_NOT_SUPPORTED</c> (126): Callbacks not supported (RSMPI).</summary>
    CallbacksNotSupported = 126,

    /// <summary><c>RSMERR_UNSUPPORTED_OPERATION</c> (127): Unsupported operation (RSMPI).</summary>
    UnsupportedOperation = 127,

    /// <summary><c>RSMERR_RSM_ADDR_UNREACHABLE</c> (128): Address unreachable (RSMPI; reported as 39).</summary>
    RsmAddressUnreachable = 128,

    /// <summary><c>RSMERR_UNKNOWN_RSM_ADDR</c> (129): Unknown address (RSMPI; reported as 39).</summary>
    UnknownRsmAddress = 129,

    /// <summary><c>RSMERR_BAD_BARRIER_HNDL</c> (130): Bad barrier handle (RSMPI).</summary>
    BadBarrierHandle = 130,

    /// <summary><c>RSMERR_COMM_ERR_MAYBE_DELIVERED</c> (131): Communication error, message may have been delivered (RSMPI).</summary>
    CommunicationErrorMaybeDelivered = 131,

    /// <summary><c>RSMERR_COMM_ERR_NOT_DELIVERED</c> (132): Communication error, message not delivered (RSMPI).</summary>
    CommunicationErrorNotDelivered = 132,

    /// <summary><c>RSMERR_QUEUE_FENCE_UP</c> (133): Queue fence up (RSMPI).</summary>
    QueueFenceUp = 133,

    /// <summary><c>RSMERR_QUEUE_FULL</c> (134): Queue full (RSMPI).</summary>
    QueueFull = 134,
}
