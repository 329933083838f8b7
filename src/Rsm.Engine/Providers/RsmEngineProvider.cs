using System.Diagnostics.Metrics;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Rsm.Diagnostics;

namespace Rsm.Engine;

/// <summary>
/// The base of an engine-based provider: binds a controller's configuration section over the registered defaults,
/// validates the limits and the provider's own settings in one <see cref="OptionsValidationException"/> that names the
/// configuration path, and opens an <see cref="RsmEngineController"/> on the transport the provider creates. Controllers
/// of one provider instance that name the same node share one node (<see cref="GetOrAddNode{TNode}"/>).
/// </summary>
/// <typeparam name="TOptions">The provider's options.</typeparam>
public abstract class RsmEngineProvider<TOptions> : IRsmProvider, IRsmEngineProvider, IDisposable
    where TOptions : RsmProviderOptions
{
    private readonly IOptionsFactory<TOptions> _defaults;
    private readonly Dictionary<object, object> _nodes = [];
    private readonly RsmMetrics _metrics;
    private int _disposed;

    /// <summary>Creates the provider; its controllers record on the process-wide <c>Rsm</c> meter.</summary>
    /// <param name="name">The provider name used in configuration.</param>
    /// <param name="defaults">The options factory: the registered defaults (<c>Add&lt;Provider&gt;Provider(configure)</c>) and, through
    /// <c>AddRsm</c>, each controller's named options.</param>
    /// <param name="loggerFactory">The application's logger factory, or null for none.</param>
    protected RsmEngineProvider(string name, IOptionsFactory<TOptions> defaults, ILoggerFactory? loggerFactory)
        : this(name, defaults, loggerFactory, meterFactory: null)
    {
    }

    /// <summary>Creates the provider, whose controllers record on the <c>Rsm</c> meter of <paramref name="meterFactory"/>.</summary>
    /// <param name="name">The provider name used in configuration.</param>
    /// <param name="defaults">The registered defaults (<c>Add&lt;Provider&gt;Provider(configure)</c>).</param>
    /// <param name="loggerFactory">The application's logger factory, or null for none.</param>
    /// <param name="meterFactory">
    /// The application's meter factory (registered by the .NET hosts, or by <c>AddMetrics()</c>), which creates the
    /// provider's meter (<see cref="RsmInstrumentation.MeterName"/>); null for the meter of that name shared by the process.
    /// </param>
    protected RsmEngineProvider(string name, IOptionsFactory<TOptions> defaults, ILoggerFactory? loggerFactory, IMeterFactory? meterFactory)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(defaults);
        Name = name;
        _defaults = defaults;
        LoggerFactory = loggerFactory ?? NullLoggerFactory.Instance;
        Logger = LoggerFactory.CreateLogger("Rsm." + name);
        Meter = RsmTelemetry.CreateMeter(meterFactory);
        _metrics = RsmMetrics.For(Meter);
    }

    /// <inheritdoc/>
    public string Name { get; }

    /// <inheritdoc/>
    public int Version => IRsmProvider.CurrentVersion;

    /// <summary>The application's logger factory (a null one when none was registered).</summary>
    protected ILoggerFactory LoggerFactory { get; }

    /// <summary>The provider's logger, category <c>Rsm.&lt;Name&gt;</c>; its controllers log through it.</summary>
    protected ILogger Logger { get; }

    /// <summary>
    /// The meter the provider's controllers record on, named <see cref="RsmInstrumentation.MeterName"/>: created by the
    /// application's <see cref="IMeterFactory"/>, or the process-wide one without a factory. A provider adds the
    /// instruments of its transport to it, named <c>rsm.&lt;provider&gt;.*</c> (the Tcp provider's are <c>rsm.tcp.*</c>),
    /// once per meter: providers of one application share it.
    /// </summary>
    protected Meter Meter { get; }

    /// <inheritdoc/>
    public IRsmController CreateController(string name, IConfiguration settings, string configurationPath)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(settings);
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        (TOptions options, EngineLimits limits) = BindAndValidate(name, settings, configurationPath);
        RsmControllerAttributes attributes = limits.ToAttributes(GetCapabilities(options));
        return new RsmEngineController(name, CreateTransport(options, attributes), Logger, _metrics);
    }

    /// <inheritdoc/>
    public void ValidateSettings(string name, IConfiguration settings, string configurationPath)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(settings);
        _ = BindAndValidate(name, settings, configurationPath);
    }

    /// <summary>Releases the provider: <see cref="Dispose(bool)"/> stops what its nodes run.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            Dispose(true);
        }

        GC.SuppressFinalize(this);
    }

    /// <inheritdoc/>
    Type IRsmEngineProvider.OptionsType => typeof(TOptions);

    /// <inheritdoc/>
    void IRsmEngineProvider.BindSettings(IConfiguration settings, object options) => BindSettings(settings, (TOptions)options);

    /// <inheritdoc/>
    List<string> IRsmEngineProvider.Check(object options, string path) => Check((TOptions)options, path);

    /// <summary>
    /// A fresh instance per controller, the named options of <paramref name="name"/>. Registered through <c>AddRsm</c>, the
    /// options pipeline has applied the defaults, the controller's code and its section, and validated them (an invalid
    /// result throws <see cref="OptionsValidationException"/> there). Otherwise (a provider built by hand, a controller not
    /// in the configuration) the section is bound and checked here.
    /// </summary>
    private (TOptions Options, EngineLimits Limits) BindAndValidate(string name, IConfiguration settings, string configurationPath)
    {
        TOptions options = _defaults.Create(name);
        if (options.ControllerPath is null)
        {
            BindSettings(settings, options);
            EngineLimits.ThrowIfAny<TOptions>(configurationPath, Check(options, configurationPath));
        }

        return (options, options.ToLimits());
    }

    private List<string> Check(TOptions options, string path)
    {
        List<string> failures = options.ToLimits().Check(path);
        Validate(options, path, failures);
        return failures;
    }

    /// <summary>
    /// Binds a controller's configuration section onto its options (the registered defaults). Implement it as
    /// <c>settings.Bind(options)</c> in a project that sets <c>EnableConfigurationBindingGenerator</c>: the binding is then
    /// generated for <typeparamref name="TOptions"/> at compile time, so the provider needs no reflection and stays
    /// usable in trimmed and NativeAOT applications.
    /// </summary>
    /// <param name="settings">The controller's section (may be empty).</param>
    /// <param name="options">The options to bind onto.</param>
    protected abstract void BindSettings(IConfiguration settings, TOptions options);

    /// <summary>Adds what is wrong with the provider's own settings to <paramref name="failures"/>, each naming <paramref name="path"/>.</summary>
    /// <param name="options">The bound options.</param>
    /// <param name="path">The controller's configuration path, for example <c>Rsm:Controllers:tcp0</c>.</param>
    /// <param name="failures">The failures found so far (the limits'); empty means valid.</param>
    protected virtual void Validate(TOptions options, string path, List<string> failures)
    {
    }

    /// <summary>What the transport can do with these options; the attributes report it.</summary>
    /// <param name="options">The validated options.</param>
    /// <returns>The capabilities.</returns>
    protected abstract RsmCapabilities GetCapabilities(TOptions options);

    /// <summary>Creates the transport of one controller.</summary>
    /// <param name="options">The validated options.</param>
    /// <param name="attributes">The controller attributes the limits give.</param>
    /// <returns>The transport; the controller keeps it.</returns>
    protected abstract RsmTransport CreateTransport(TOptions options, RsmControllerAttributes attributes);

    /// <summary>
    /// The node registered under <paramref name="key"/>, created by <paramref name="create"/> the first time: controllers
    /// of this provider instance with the same key share it (its export table, segment ids and quota).
    /// </summary>
    /// <typeparam name="TNode">What the provider keeps for a node (an <see cref="RsmNode"/>, or a type of its own that holds one).</typeparam>
    /// <param name="key">The node's key, for example its node id.</param>
    /// <param name="create">Creates the node; called under the provider's table lock, so it must not wait for a peer.</param>
    /// <returns>The node.</returns>
    protected TNode GetOrAddNode<TNode>(object key, Func<TNode> create)
        where TNode : class
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(create);
        lock (_nodes)
        {
            if (!_nodes.TryGetValue(key, out object? node))
            {
                node = create();
                _nodes.Add(key, node);
            }

            return (TNode)node;
        }
    }

    /// <summary>Takes every node out of the table, for <see cref="Dispose(bool)"/>.</summary>
    /// <typeparam name="TNode">The node type.</typeparam>
    /// <returns>The nodes that were registered.</returns>
    protected TNode[] RemoveNodes<TNode>()
        where TNode : class
    {
        lock (_nodes)
        {
            TNode[] nodes = [.. _nodes.Values.OfType<TNode>()];
            _nodes.Clear();
            return nodes;
        }
    }

    /// <summary>Looks up a node without creating it.</summary>
    /// <typeparam name="TNode">The node type.</typeparam>
    /// <param name="key">The node's key.</param>
    /// <returns>The node, or null.</returns>
    protected TNode? FindNode<TNode>(object key)
        where TNode : class
    {
        lock (_nodes)
        {
            return _nodes.TryGetValue(key, out object? node) ? node as TNode : null;
        }
    }

    /// <summary>Releases what the provider runs.</summary>
    /// <param name="disposing">True from <see cref="Dispose()"/>.</param>
    protected virtual void Dispose(bool disposing)
    {
    }
}
