using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Rsm.Engine;
using Rsm.Providers.SharedMemory;
using Rsm.Providers.Tcp;

namespace Rsm.Tool.Topology;

/// <summary>
/// Reads the <c>Rsm</c> section of a configuration file and checks each controller the way the application's host start
/// does (the providers' own validation), without opening anything: no socket is bound, no node id is taken.
/// </summary>
internal static class TopologyReader
{
    public const string Loopback = "Loopback";
    public const string SharedMemory = "SharedMemory";
    public const string Tcp = "Tcp";

    /// <summary>Loads <paramref name="file"/>.</summary>
    /// <exception cref="ToolException">The file is missing or is not valid JSON (<see cref="ExitCodes.Usage"/>).</exception>
    public static IConfigurationRoot Load(string file)
    {
        string full = Path.GetFullPath(file);
        if (!File.Exists(full))
        {
            throw new ToolException($"{file}: no such file", ExitCodes.Usage);
        }

        try
        {
            return new ConfigurationBuilder().AddJsonFile(full, optional: false, reloadOnChange: false).Build();
        }
        catch (Exception ex) when (ex is FormatException or InvalidDataException or JsonException or IOException or UnauthorizedAccessException)
        {
            string reason = ex.InnerException is JsonException json ? json.Message : ex.Message;
            throw new ToolException($"{file}: not a valid JSON configuration file: {reason}", ExitCodes.Usage);
        }
    }

    /// <summary>The controllers of <paramref name="configuration"/>'s <c>Rsm:Controllers</c>, or only <paramref name="only"/>.</summary>
    /// <exception cref="ToolException">A controller's settings are wrong, each problem named by its configuration path (<see cref="ExitCodes.Usage"/>).</exception>
    public static List<ControllerReport> Read(IConfiguration configuration, string file, string? only)
    {
        IConfigurationSection rsm = configuration.GetSection("Rsm");
        IConfigurationSection[] sections = [.. rsm.GetSection("Controllers").GetChildren()];
        if (sections.Length == 0)
        {
            throw new ToolException($"{file}: Rsm:Controllers is missing or empty: no controller is configured", ExitCodes.Usage);
        }

        if (only is not null)
        {
            IConfigurationSection? chosen = sections.FirstOrDefault(s => string.Equals(s.Key, only, StringComparison.OrdinalIgnoreCase));
            if (chosen is null)
            {
                throw new ToolException($"{file}: no controller '{only}' in Rsm:Controllers (configured: {string.Join(", ", sections.Select(s => s.Key))})", ExitCodes.Usage);
            }

            sections = [chosen];
        }

        // The built-in providers, as the application registers them, for their own checks of the settings.
        var services = new ServiceCollection();
        services.AddRsm(rsm).AddLoopbackProvider().AddSharedMemoryProvider().AddTcpProvider();
        using ServiceProvider provider = services.BuildServiceProvider();
        IRsmProvider[] providers = [.. provider.GetServices<IRsmProvider>()];

        var problems = new List<string>();
        var reports = new List<ControllerReport>();
        foreach (IConfigurationSection section in sections)
        {
            ControllerReport? report = ReadController(section, providers, problems);
            if (report is not null)
            {
                reports.Add(report);
            }
        }

        if (problems.Count > 0)
        {
            throw new ToolException($"{file}: {string.Join("; ", problems)}", ExitCodes.Usage);
        }

        return reports;
    }

    private static ControllerReport? ReadController(IConfigurationSection section, IRsmProvider[] providers, List<string> problems)
    {
        string path = section.Path;
        string? providerName = section["Provider"];
        if (string.IsNullOrWhiteSpace(providerName))
        {
            problems.Add($"{path}:Provider is missing: name the controller's provider (Loopback, SharedMemory, Tcp)");
            return null;
        }

        bool startWithHost = false;
        if (section["StartWithHost"] is { } startText && !bool.TryParse(startText, out startWithHost))
        {
            problems.Add($"{path}:StartWithHost is '{startText}', which is neither true nor false");
        }

        IRsmProvider? known = providers.FirstOrDefault(p => string.Equals(p.Name, providerName, StringComparison.OrdinalIgnoreCase));
        if (known is null)
        {
            // A third-party provider: the application registers it, the tool cannot check or probe it.
            var unknown = new ControllerReport { Name = section.Key, Path = path, Provider = providerName, StartWithHost = startWithHost };
            unknown.Note = $"provider '{providerName}' is not built into Rsm (Loopback, SharedMemory, Tcp): its settings are not checked and its nodes not probed";
            return unknown;
        }

        var warnings = new List<string>();
        try
        {
            known.ValidateSettings(section.Key, section, path);
        }
        catch (OptionsValidationException ex)
        {
            foreach (string failure in ex.Failures)
            {
                // The cluster key and TLS material are files only the node's account may read; the application checks them at its start.
                if (failure.StartsWith($"{path}:ClusterKey", StringComparison.Ordinal) || failure.StartsWith($"{path}:Tls", StringComparison.Ordinal))
                {
                    warnings.Add($"{failure.TrimEnd('.')} (not checked further: the node checks it at its start)");
                }
                else
                {
                    problems.Add(failure.TrimEnd('.'));
                }
            }
        }
        catch (InvalidOperationException ex)
        {
            // The binder names the key whose value does not convert.
            problems.Add($"{path}: {ex.Message.TrimEnd('.')}");
            return null;
        }

        ControllerReport report;
        try
        {
            report = Describe(section, known.Name, startWithHost);
        }
        catch (InvalidOperationException ex)
        {
            problems.Add($"{path}: {ex.Message.TrimEnd('.')}");
            return null;
        }

        report.Warnings.AddRange(warnings);
        return report;
    }

    private static ControllerReport Describe(IConfigurationSection section, string provider, bool startWithHost)
    {
        string path = section.Path;
        switch (provider)
        {
            case Tcp:
            {
                var o = new TcpProviderOptions();
                section.Bind(o);
                var settings = new List<KeyValuePair<string, string>>
                {
                    new("Listen", o.Listen),
                    new("Nodes", o.Nodes.Count == 0 ? "(none)" : string.Join(", ", o.Nodes.OrderBy(n => n.Key, StringComparer.Ordinal).Select(n => $"{n.Key}={n.Value}"))),
                    new("ClusterKey", o.ClusterKeyFile is { Length: > 0 } keyFile ? $"file {keyFile}" : string.IsNullOrEmpty(o.ClusterKey) ? "(none)" : "inline"),
                    new("Tls", o.Tls is null ? "off" : "on"),
                    new("AllowUnprotectedFrames", Text(o.AllowUnprotectedFrames)),
                    new("AcceptListedNodesOnly", Text(o.AcceptListedNodesOnly)),
                    new("ConnectTimeout", o.ConnectTimeout.ToString("c", CultureInfo.InvariantCulture)),
                };
                return new ControllerReport { Name = section.Key, Path = path, Provider = provider, NodeId = o.NodeId, StartWithHost = startWithHost, Settings = settings };
            }

            case SharedMemory:
            {
                var o = new SharedMemoryProviderOptions();
                section.Bind(o);
                var settings = new List<KeyValuePair<string, string>>
                {
                    new("RendezvousPrefix", o.RendezvousPrefix),
                    new("ConnectTimeout", o.ConnectTimeout.ToString("c", CultureInfo.InvariantCulture)),
                };
                return new ControllerReport { Name = section.Key, Path = path, Provider = provider, NodeId = o.NodeId, StartWithHost = startWithHost, Settings = settings };
            }

            default:
            {
                var o = new Rsm.Providers.Loopback.LoopbackProviderOptions();
                section.Bind(o);
                return new ControllerReport { Name = section.Key, Path = path, Provider = provider, NodeId = o.NodeId, StartWithHost = startWithHost };
            }
        }
    }

    private static string Text(bool value) => value ? "true" : "false";
}
