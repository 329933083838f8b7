using System.Collections.Concurrent;
using Rsm.Providers.Fabric.Interop;

namespace Rsm.Providers.Fabric.Internal;

/// <summary>
/// What a libfabric provider offers here, learnt once per process from a domain opened and closed for the purpose:
/// the capabilities of a controller are decided before its node starts.
/// </summary>
internal static class FabricProbe
{
    private static readonly ConcurrentDictionary<(string Provider, string? Domain), Lazy<bool>> Atomics = new();

    /// <summary>Whether the provider runs the lock operations (fetch-add, compare-and-swap, swap on 4- and 8-byte words).</summary>
    /// <exception cref="RsmException">ControllerNotPresent (4): libfabric or the provider is not there.</exception>
    public static bool LockOperations(string provider, string? domain)
    {
        Lazy<bool> probe = Atomics.GetOrAdd((provider, domain), key => new Lazy<bool>(() =>
        {
            using FabricDomain opened = FabricDomain.Open(key.Provider, key.Domain);
            return SupportsLockOperations(opened);
        }));
        try
        {
            return probe.Value;
        }
        catch (RsmException)
        {
            // Not cached: libfabric may be installed, or the fabric come up, before the next controller opens.
            Atomics.TryRemove(new KeyValuePair<(string, string?), Lazy<bool>>((provider, domain), probe));
            throw;
        }
    }

    /// <summary>Whether <paramref name="domain"/> runs every lock operation on both word sizes.</summary>
    public static bool SupportsLockOperations(FabricDomain domain) =>
        domain.SupportsAtomic(FabricAtomic.FetchAdd, 4) && domain.SupportsAtomic(FabricAtomic.FetchAdd, 8)
        && domain.SupportsAtomic(FabricAtomic.CompareSwap, 4) && domain.SupportsAtomic(FabricAtomic.CompareSwap, 8)
        && domain.SupportsAtomic(FabricAtomic.Swap, 4) && domain.SupportsAtomic(FabricAtomic.Swap, 8);
}
