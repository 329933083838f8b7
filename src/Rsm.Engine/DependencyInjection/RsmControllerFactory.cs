using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Rsm.Diagnostics;
using Rsm.Engine;

namespace Rsm.DependencyInjection;

/// <summary>
/// <c>rsm_get_controller</c> over configuration: resolves a name to a configured controller and its provider,
/// opens it once and hands out the same reference-counted instance until its last reference is released.
/// </summary>
internal sealed class RsmControllerFactory : IRsmControllerFactory, IDisposable
{
    internal const string LoopbackName = "loopback";

    // The C library copies the type into a fixed buffer; a longer name can never name a controller.
    private const int MaxNameLength = 255;

    private static readonly char[] s_digits = "0123456789".ToCharArray();

    private readonly Dictionary<string, RsmControllerOptions> _controllers;
    private readonly string? _controllersPath;
    private readonly IRsmProvider[] _providers;
    private readonly ILogger _logger;
    private readonly Lock _gate = new();
    private readonly Dictionary<string, IRsmController> _open = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<IRsmController, int> _handedOut = new(ReferenceEqualityComparer.Instance);
    private bool _disposed;

    public RsmControllerFactory(RsmOptions options, IEnumerable<IRsmProvider> providers, ILoggerFactory? loggerFactory = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(providers);
        _controllers = new Dictionary<string, RsmControllerOptions>(options.Controllers, StringComparer.OrdinalIgnoreCase);
        _controllersPath = options.ControllersPath;
        _providers = [.. providers];
        _logger = loggerFactory?.CreateLogger("Rsm") ?? NullLogger.Instance;
    }

    public IRsmController GetController(string? name)
    {
        name ??= LoopbackName;
        (string resolved, RsmControllerOptions? options) = Resolve(name);

        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_open.TryGetValue(resolved, out IRsmController? existing))
            {
                if (existing is IRsmControllerLifetime lifetime && lifetime.TryAddReference())
                {
                    _handedOut[existing] = _handedOut.GetValueOrDefault(existing) + 1;
                    return existing;
                }

                // Its last reference is gone: the next caller gets a newly opened controller.
                _open.Remove(resolved);
                _handedOut.Remove(existing);
            }

            IRsmProvider provider = FindProvider(resolved, options);
            string path = RsmOptionsBinder.PathOf(resolved, options);
            IRsmController controller;
            try
            {
                controller = provider.CreateController(resolved, RsmOptionsBinder.SettingsOf(options), path);
            }
            catch (OptionsValidationException ex)
            {
                RsmLog.InvalidConfiguration(_logger, path, ex.Message);
                throw RsmThrow.Create(RsmError.BadConfiguration, $"controller '{resolved}' is not configured correctly: {ex.Message}", ex);
            }

            _open[resolved] = controller;
            _handedOut[controller] = 1;
            return controller;
        }
    }

    /// <summary>
    /// The open controller <paramref name="name"/> (resolved as <see cref="GetController"/> does), without adding a reference
    /// or opening it; null when it is not open. Also whether it is configured to open with the host.
    /// </summary>
    internal (IRsmController? Controller, bool StartWithHost) FindOpen(string name)
    {
        bool startWithHost = _controllers.TryGetValue(name, out RsmControllerOptions? options) && options.StartWithHost;
        lock (_gate)
        {
            if (_disposed || !_open.TryGetValue(name, out IRsmController? controller))
            {
                return (null, startWithHost);
            }

            bool open = controller is not RsmEngineController engine || engine.IsOpen;
            return (open ? controller : null, startWithHost);
        }
    }

    /// <summary>The names of the configured controllers, in configuration order.</summary>
    internal IReadOnlyList<string> ConfiguredNames => [.. _controllers.Keys];

    /// <summary>The configured controllers that open with the host (<see cref="RsmControllerOptions.StartWithHost"/>), in configuration order.</summary>
    internal IReadOnlyList<string> StartWithHost => [.. _controllers.Where(c => c.Value.StartWithHost).Select(c => c.Key)];

    /// <summary>
    /// Checks every configured controller without opening any: its provider is registered and of this library version,
    /// its <c>StartWithHost</c> is a boolean, and its provider accepts its settings
    /// (<see cref="IRsmProvider.ValidateSettings"/>). Every problem is reported at once.
    /// </summary>
    /// <exception cref="RsmException">BadConfiguration (44) naming the configuration path of each problem; ControllerNotPresent (4)
    /// or BadLibraryVersion (1) when those are the only problems (a missing or unregistered provider, a provider of another version).</exception>
    internal void ValidateConfigured()
    {
        var failures = new List<(RsmError Error, string Message, Exception? Inner)>();
        foreach ((string name, RsmControllerOptions options) in _controllers)
        {
            string path = RsmOptionsBinder.PathOf(name, options);
            if (options.InvalidStartWithHost is { } text)
            {
                string problem = $"{path}:{RsmOptionsBinder.StartWithHostKey} is '{text}', which is neither true nor false";
                RsmLog.InvalidConfiguration(_logger, path, problem);
                failures.Add((RsmError.BadConfiguration, problem, null));
            }

            IRsmProvider provider;
            try
            {
                provider = FindProvider(name, options);
            }
            catch (RsmException ex)
            {
                failures.Add((ex.Error, ex.Message, ex));
                continue;
            }

            try
            {
                provider.ValidateSettings(name, RsmOptionsBinder.SettingsOf(options), path);
            }
            catch (OptionsValidationException ex)
            {
                RsmLog.InvalidConfiguration(_logger, path, ex.Message);
                failures.Add((RsmError.BadConfiguration, ex.Message, ex));
            }
        }

        if (failures.Count == 0)
        {
            return;
        }

        RsmError error = failures.All(f => f.Error == failures[0].Error) ? failures[0].Error : RsmError.BadConfiguration;
        string all = string.Join("; ", failures.Select(f => f.Message));
        Exception[] inner = [.. failures.Where(f => f.Inner is not null).Select(f => f.Inner!)];
        string message = $"the Rsm configuration is not valid: {all}";
        throw inner.Length switch
        {
            0 => RsmThrow.Create(error, message),
            1 => RsmThrow.Create(error, message, inner[0]),
            _ => RsmThrow.Create(error, message, new AggregateException(inner)),
        };
    }

    /// <summary>Releases every reference this factory handed out that is still held.</summary>
    public void Dispose()
    {
        KeyValuePair<IRsmController, int>[] handedOut;
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            handedOut = [.. _handedOut];
            _handedOut.Clear();
            _open.Clear();
        }

        foreach ((IRsmController controller, int references) in handedOut)
        {
            try
            {
                // Each Dispose drops one reference; once the controller is closed, further calls do nothing or
                // report BadControllerHandle, so the loop is bounded by the references this factory handed out.
                for (int r = 0; r < references; r++)
                {
                    controller.Dispose();
                }
            }
            catch (RsmException)
            {
                // Already released by its users.
            }
        }
    }

    private (string Name, RsmControllerOptions? Options) Resolve(string name)
    {
        if (name.Length > MaxNameLength)
        {
            RsmThrow.Error(RsmError.ControllerNotPresent, $"a controller name of {name.Length} characters exceeds the limit of {MaxNameLength}");
        }

        if (_controllers.TryGetValue(name, out RsmControllerOptions? configured))
        {
            return (CanonicalName(name), configured);
        }

        // "<type><unit>": the unit is the trailing run of decimal digits; loopback ignores it (RSMAPI 3.1 step 3).
        string type = name.TrimEnd(s_digits);
        if (string.Equals(type, LoopbackName, StringComparison.OrdinalIgnoreCase))
        {
            if (_controllers.TryGetValue(LoopbackName, out RsmControllerOptions? loopback))
            {
                return (CanonicalName(LoopbackName), loopback);
            }

            if (_providers.Any(p => string.Equals(p.Name, "Loopback", StringComparison.OrdinalIgnoreCase)))
            {
                return (LoopbackName, new RsmControllerOptions { Provider = "Loopback" });
            }
        }

        string searched = _controllersPath is null
            ? $"the controllers defined in code do not include '{name}'"
            : $"configuration section {_controllersPath} has no entry '{name}'";
        string names = _controllers.Count == 0 ? "none" : string.Join(", ", _controllers.Keys.Order(StringComparer.OrdinalIgnoreCase));
        RsmThrow.Error(RsmError.ControllerNotPresent, $"no controller named '{name}' is configured: {searched} (configured: {names})");
        return default;
    }

    private string CanonicalName(string name)
    {
        foreach (string key in _controllers.Keys)
        {
            if (string.Equals(key, name, StringComparison.OrdinalIgnoreCase))
            {
                return key;
            }
        }

        return name;
    }

    private IRsmProvider FindProvider(string name, RsmControllerOptions? options)
    {
        string path = $"{RsmOptionsBinder.PathOf(name, options)}:{RsmOptionsBinder.ProviderKey}";
        if (string.IsNullOrWhiteSpace(options?.Provider) && options?.OptionsType is null)
        {
            string message = $"controller '{name}' names no provider: set {path}";
            RsmLog.InvalidConfiguration(_logger, path, message);
            RsmThrow.Error(RsmError.ControllerNotPresent, message);
        }

        IRsmProvider? provider = RsmProviderSelector.Select(_providers, options);
        if (provider is null)
        {
            string registered = _providers.Length == 0 ? "none" : string.Join(", ", _providers.Select(p => p.Name).Distinct(StringComparer.OrdinalIgnoreCase));
            string message = string.IsNullOrWhiteSpace(options.Provider)
                ? $"controller '{name}' is defined with {options.OptionsType!.Name}, and no registered provider uses those options (registered: {registered})"
                : $"controller '{name}' asks for provider '{options.Provider}' ({path}), which is not registered (registered: {registered})";
            RsmLog.InvalidConfiguration(_logger, path, message);
            RsmThrow.Error(RsmError.ControllerNotPresent, message);
        }

        if (options.OptionsType is { } type && (provider as IRsmEngineProvider)?.OptionsType != type)
        {
            string message = $"controller '{name}' is defined in code with {type.Name}, but its provider '{provider.Name}' ({path}) does not use those options";
            RsmLog.InvalidConfiguration(_logger, path, message);
            RsmThrow.Error(RsmError.BadConfiguration, message);
        }

        if (provider.Version != IRsmProvider.CurrentVersion)
        {
            RsmThrow.Error(RsmError.BadLibraryVersion, $"provider '{provider.Name}' implements library version {provider.Version}, not {IRsmProvider.CurrentVersion}");
        }

        return provider;
    }
}
