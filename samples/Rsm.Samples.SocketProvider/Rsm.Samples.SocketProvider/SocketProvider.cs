using System.Diagnostics.Metrics;
using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Rsm.Engine;
using Rsm.Samples.Sockets.Internal;

namespace Rsm.Samples.Sockets;

/// <summary>
/// Opens Socket controllers: exported memory is used in place, and every importer, in this process or another one on
/// the host, reaches it through copies over a Unix domain socket named after the segment. Controllers of one provider
/// instance with the same <see cref="SocketProviderOptions.SocketPrefix"/> and node id share one node.
/// </summary>
public sealed class SocketProvider : RsmEngineProvider<SocketProviderOptions>
{
    /// <summary>The provider name used in configuration.</summary>
    public const string ProviderName = "Socket";

    private readonly HashSet<IProviderResource> _resources = [];
    private bool _stopped;

    /// <summary>Creates the provider.</summary>
    /// <param name="defaults">The registered defaults (<c>AddSocketProvider(configure)</c>).</param>
    /// <param name="loggerFactory">The application's logger factory, or null for none.</param>
    /// <param name="meterFactory">The application's meter factory, which creates the meter the controllers record on; null for the process-wide one.</param>
    public SocketProvider(IOptionsFactory<SocketProviderOptions> defaults, ILoggerFactory? loggerFactory = null, IMeterFactory? meterFactory = null)
        : base(ProviderName, defaults, loggerFactory, meterFactory)
    {
    }

    /// <summary>How exporters read an importer's credentials from its socket: the kernel's, unless a test stands in for it.</summary>
    internal Func<Socket, RsmCredentials?> PeerCredentials { get; set; } = PeerCredentialReader.Read;

    /// <summary>Registers a listener or connection, so that <see cref="Dispose(bool)"/> stops it; false once the provider is disposed.</summary>
    internal bool Track(IProviderResource resource)
    {
        lock (_resources)
        {
            return !_stopped && _resources.Add(resource);
        }
    }

    /// <summary>Forgets a resource that stopped on its own.</summary>
    internal void Untrack(IProviderResource resource)
    {
        lock (_resources)
        {
            _ = _resources.Remove(resource);
        }
    }

    /// <inheritdoc/>
    protected override void Validate(SocketProviderOptions options, string path, List<string> failures)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(failures);
        if (!OperatingSystem.IsLinux())
        {
            throw new PlatformNotSupportedException("The Socket provider needs Linux (abstract Unix socket names, SOCK_SEQPACKET, SO_PEERCRED and SO_PEERGROUPS).");
        }

        string? prefix = options.SocketPrefix;
        if (string.IsNullOrEmpty(prefix) || prefix.Contains('\0', StringComparison.Ordinal)
            || prefix.Length > SocketProviderOptions.MaxPrefixLength || Encoding.UTF8.GetByteCount(prefix) > SocketProviderOptions.MaxPrefixLength)
        {
            failures.Add($"{path}:SocketPrefix: '{prefix}' must be 1 to {SocketProviderOptions.MaxPrefixLength} characters (and UTF-8 bytes) without NUL.");
        }

        if (options.RequestTimeout <= TimeSpan.Zero || options.RequestTimeout > TimeSpan.FromHours(1))
        {
            failures.Add($"{path}:RequestTimeout: {options.RequestTimeout} must be positive and at most one hour.");
        }
    }

    /// <inheritdoc/>
    protected override void BindSettings(IConfiguration settings, SocketProviderOptions options) => settings.Bind(options);

    /// <inheritdoc/>
    protected override RsmCapabilities GetCapabilities(SocketProviderOptions options) =>
        RsmCapabilities.Mapping | RsmCapabilities.LockOperations | RsmCapabilities.TransparentRebind;

    /// <inheritdoc/>
    protected override RsmTransport CreateTransport(SocketProviderOptions options, RsmControllerAttributes attributes)
    {
        ArgumentNullException.ThrowIfNull(options);
        RsmNode node = GetOrAddNode((options.SocketPrefix, options.NodeId), () => new RsmNode(options.NodeId, attributes));
        return new SocketTransport(this, node, attributes, options);
    }

    /// <summary>Stops every listener and connection: their names are freed, their threads end, and their imports are aborted.</summary>
    /// <param name="disposing">True from <see cref="RsmEngineProvider{TOptions}.Dispose()"/>.</param>
    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            IProviderResource[] resources;
            lock (_resources)
            {
                _stopped = true;
                resources = [.. _resources];
                _resources.Clear();
            }

            foreach (IProviderResource resource in resources)
            {
                resource.Stop();
            }
        }

        base.Dispose(disposing);
    }
}
