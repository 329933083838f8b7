using Rsm.Engine;

namespace Rsm.Providers.Loopback;

/// <summary>Options of a Loopback controller, bound from <c>Rsm:Controllers:&lt;name&gt;</c>: the node id and the node's limits.</summary>
public sealed class LoopbackProviderOptions : RsmProviderOptions
{
}
