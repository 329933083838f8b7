using Rsm.Engine;

namespace Rsm.Samples.Sockets;

/// <summary>
/// Settings of a Socket controller, bound from its configuration section (<c>Rsm:Controllers:&lt;name&gt;</c>) over the
/// defaults registered with <c>AddSocketProvider(configure)</c>. Processes on one host that use the same
/// <see cref="SocketPrefix"/> and <see cref="RsmProviderOptions.NodeId"/> form one node.
/// </summary>
public sealed class SocketProviderOptions : RsmProviderOptions
{
    /// <summary>The longest <see cref="SocketPrefix"/>, in characters and in UTF-8 bytes.</summary>
    public const int MaxPrefixLength = 64;

    /// <summary>
    /// The prefix of the segments' socket names in the Linux abstract namespace
    /// (<c>@{prefix}/node{N}/segment{id:x8}</c>). Processes with different prefixes never see each other's segments.
    /// 1 to 64 characters (and UTF-8 bytes), without NUL. Default <c>rsm-socket</c>.
    /// </summary>
    public string SocketPrefix { get; set; } = "rsm-socket";

    /// <summary>
    /// How long an importer waits for each answer of the exporter (connect, get, put, lock operation, signal, close
    /// barrier), and an unpublish for each importer to see its abort. Positive, at most one hour. Default 5 seconds.
    /// </summary>
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(5);
}
