using System.Runtime.InteropServices;
using Rsm.Engine;

namespace Rsm.Providers.Fabric.Interop;

/// <summary>
/// libfabric.so.1, loaded at the first use. Only a few functions are exported (fi_getinfo, fi_freeinfo, fi_dupinfo,
/// fi_fabric, fi_version, fi_strerror, fi_tostr); they are called through unmanaged function pointers read with
/// <see cref="NativeLibrary"/>. Everything else is a static inline wrapper in the headers over the operation tables of the
/// objects, mirrored by <see cref="FabricCalls"/>.
/// </summary>
internal static unsafe class FabricLibrary
{
    /// <summary>The soname loaded.</summary>
    public const string LibraryName = "libfabric.so.1";

    private static readonly Lock Gate = new();
    private static volatile Loaded? _loaded;
    private static string? _failure;

    /// <summary>Whether libfabric.so.1 could be loaded (loads it at the first call).</summary>
    public static bool IsAvailable => TryLoad() is not null;

    /// <summary>The version fi_version reports, FI_VERSION(major, minor); 0 when the library is not there.</summary>
    public static uint Version => TryLoad()?.LibraryVersion ?? 0;

    /// <summary>The API version requested of fi_getinfo and fi_fabric: FI_VERSION(1, 17), or the library's own when older.</summary>
    public static uint ApiVersion => EnsureLoadedCore().ApiVersion;

    /// <summary>The version as text, for example <c>1.17</c>.</summary>
    public static string VersionText(uint version) => $"{version >> 16}.{version & 0xFFFF}";

    /// <summary>Loads libfabric.so.1 unless loaded.</summary>
    /// <exception cref="RsmException">ControllerNotPresent (4): the library is not installed, or older than 1.9.</exception>
    public static void EnsureLoaded() => EnsureLoadedCore();

    /// <summary>The text of a status an operation returned: a negative libfabric errno, a timeout or a closed domain.</summary>
    public static string ErrorText(int code)
    {
        if (code == FabricDomain.TimedOut)
        {
            return "the operation did not complete in time";
        }

        if (code == FabricDomain.Closed)
        {
            return "the fabric domain was closed";
        }

        Loaded? loaded = TryLoad();
        if (loaded is null)
        {
            return $"libfabric error {code}";
        }

        byte* text = loaded.fi_strerror(code < 0 ? -code : code);
        return text is null ? $"libfabric error {code}" : $"{Marshal.PtrToStringUTF8((nint)text)} ({code})";
    }

    internal static Loaded EnsureLoadedCore() =>
        TryLoad() ?? throw RsmThrow.Create(RsmError.ControllerNotPresent, _failure ?? NotFound);

    private const string NotFound =
        "libfabric.so.1 was not found: install the Debian/Ubuntu package libfabric1 (apt-get install libfabric1), or the vendor's libfabric build on LD_LIBRARY_PATH";

    private static Loaded? TryLoad()
    {
        Loaded? loaded = _loaded;
        if (loaded is not null || _failure is not null)
        {
            return loaded;
        }

        lock (Gate)
        {
            if (_loaded is null && _failure is null)
            {
                if (!NativeLibrary.TryLoad(LibraryName, out nint handle))
                {
                    _failure = NotFound;
                    return null;
                }

                try
                {
                    _loaded = new Loaded(handle);
                }
                catch (EntryPointNotFoundException ex)
                {
                    _failure = $"{LibraryName} lacks {ex.Message}: install libfabric 1.9 or later (Debian/Ubuntu package libfabric1)";
                    return null;
                }

                if (_loaded.LibraryVersion < FabricConstants.OldestVersion)
                {
                    _failure = $"{LibraryName} is version {VersionText(_loaded.LibraryVersion)}; 1.9 or later is needed (Debian/Ubuntu package libfabric1)";
                    _loaded = null;
                    return null;
                }
            }

            return _loaded;
        }
    }

    /// <summary>The entry points of the loaded library. The handle stays loaded for the life of the process.</summary>
    internal sealed class Loaded
    {
        public readonly delegate* unmanaged<uint, byte*, byte*, ulong, FiInfo*, FiInfo**, int> fi_getinfo;
        public readonly delegate* unmanaged<FiInfo*, void> fi_freeinfo;
        public readonly delegate* unmanaged<FiInfo*, FiInfo*> fi_dupinfo;
        public readonly delegate* unmanaged<FiFabricAttr*, FidFabric**, void*, int> fi_fabric;
        public readonly delegate* unmanaged<uint> fi_version;
        public readonly delegate* unmanaged<int, byte*> fi_strerror;
        public readonly delegate* unmanaged<void*, int, byte*> fi_tostr;

        public Loaded(nint handle)
        {
            fi_getinfo = (delegate* unmanaged<uint, byte*, byte*, ulong, FiInfo*, FiInfo**, int>)NativeLibrary.GetExport(handle, "fi_getinfo");
            fi_freeinfo = (delegate* unmanaged<FiInfo*, void>)NativeLibrary.GetExport(handle, "fi_freeinfo");
            fi_dupinfo = (delegate* unmanaged<FiInfo*, FiInfo*>)NativeLibrary.GetExport(handle, "fi_dupinfo");
            fi_fabric = (delegate* unmanaged<FiFabricAttr*, FidFabric**, void*, int>)NativeLibrary.GetExport(handle, "fi_fabric");
            fi_version = (delegate* unmanaged<uint>)NativeLibrary.GetExport(handle, "fi_version");
            fi_strerror = (delegate* unmanaged<int, byte*>)NativeLibrary.GetExport(handle, "fi_strerror");
            fi_tostr = (delegate* unmanaged<void*, int, byte*>)NativeLibrary.GetExport(handle, "fi_tostr");
            LibraryVersion = fi_version();
            ApiVersion = LibraryVersion < FabricConstants.ApiVersion ? LibraryVersion : FabricConstants.ApiVersion;
        }

        /// <summary>What fi_version reports.</summary>
        public uint LibraryVersion { get; }

        /// <summary>The version requested: 1.17, or the library's when lower (not below 1.9).</summary>
        public uint ApiVersion { get; }
    }
}
