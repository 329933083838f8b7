using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace Rsm.Providers.Tcp.Internal.Wire;

/// <summary>
/// The loaded form of <see cref="TcpTlsOptions"/>: this node's certificate, the trust anchors, and the map from a
/// certificate's SHA-256 thumbprint to the node id it belongs to. <see cref="TcpFrameConnection"/> applies it to every
/// peer: the chain must end at a trust anchor and the thumbprint must be mapped.
/// </summary>
internal sealed class TlsSettings
{
    private const SslProtocols Protocols = SslProtocols.Tls12 | SslProtocols.Tls13;

    // Certificate and key files are small; refusing big ones keeps a wrong path from being read whole.
    private const int MaxFileLength = 1 << 20;

    private const int ThumbprintLength = 64;

    private static readonly Oid s_serverAuthentication = new("1.3.6.1.5.5.7.3.1", "Server Authentication");
    private static readonly Oid s_clientAuthentication = new("1.3.6.1.5.5.7.3.2", "Client Authentication");

    private readonly X509Certificate2Collection _trusted;
    private readonly bool _useSystemRoots;
    private readonly Dictionary<string, uint> _nodeIds;

    /// <summary>Builds the settings from loaded parts.</summary>
    /// <param name="certificate">This node's certificate, with its private key.</param>
    /// <param name="intermediates">Certificates sent along with <paramref name="certificate"/> so peers can complete its chain.</param>
    /// <param name="trusted">The certificates peer chains may end at.</param>
    /// <param name="useSystemRoots">Whether chains ending at a root the system trusts are accepted too.</param>
    /// <param name="nodeIds">Upper-case SHA-256 thumbprint to node id.</param>
    public TlsSettings(X509Certificate2 certificate, X509Certificate2Collection intermediates, X509Certificate2Collection trusted, bool useSystemRoots, Dictionary<string, uint> nodeIds)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        ArgumentNullException.ThrowIfNull(intermediates);
        ArgumentNullException.ThrowIfNull(trusted);
        ArgumentNullException.ThrowIfNull(nodeIds);
        _trusted = trusted;
        _useSystemRoots = useSystemRoots;
        _nodeIds = nodeIds;
        CertificateContext = SslStreamCertificateContext.Create(certificate, intermediates, offline: true);
    }

    /// <summary>This node's certificate with the intermediates it sends, for either side of a TLS handshake.</summary>
    public SslStreamCertificateContext CertificateContext { get; }

    /// <summary>The upper-case hex SHA-256 thumbprint of <paramref name="certificate"/>, the form <see cref="TcpTlsOptions.NodeCertificates"/> compares.</summary>
    public static string ThumbprintOf(X509Certificate certificate)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        return certificate.GetCertHashString(HashAlgorithmName.SHA256);
    }

    /// <summary>The options of the accepting side: a client certificate is required and judged by <paramref name="validate"/>.</summary>
    public SslServerAuthenticationOptions ServerOptions(RemoteCertificateValidationCallback validate) => new()
    {
        ServerCertificateContext = CertificateContext,
        ClientCertificateRequired = true,
        EnabledSslProtocols = Protocols,
        CertificateRevocationCheckMode = X509RevocationMode.NoCheck,
        RemoteCertificateValidationCallback = validate,
    };

    /// <summary>The options of the dialing side: it presents its certificate and judges the acceptor's by <paramref name="validate"/>.</summary>
    public SslClientAuthenticationOptions ClientOptions(RemoteCertificateValidationCallback validate) => new()
    {
        // Peers are identified by thumbprint, not by host name, so no name is sent or checked.
        TargetHost = string.Empty,
        ClientCertificateContext = CertificateContext,
        EnabledSslProtocols = Protocols,
        CertificateRevocationCheckMode = X509RevocationMode.NoCheck,
        RemoteCertificateValidationCallback = validate,
    };

    /// <summary>
    /// Applies the trust and mapping rule to a peer's certificate: its chain must end at a trusted certificate (or a
    /// system root when allowed), and its thumbprint must be mapped to a node id.
    /// </summary>
    /// <param name="certificate">What the peer presented, if anything.</param>
    /// <param name="presented">The chain the TLS layer built, whose extra certificates are the intermediates the peer sent.</param>
    /// <param name="peerIsAcceptor">True when the peer accepted the connection (its certificate serves as a server's), false when it dialed.</param>
    /// <param name="nodeId">The node id the certificate is mapped to.</param>
    /// <param name="problem">Why the certificate is refused.</param>
    /// <returns>Whether the certificate is accepted.</returns>
    public bool TryIdentify(X509Certificate? certificate, X509Chain? presented, bool peerIsAcceptor, out uint nodeId, [NotNullWhen(false)] out string? problem)
    {
        nodeId = 0;
        if (certificate is null)
        {
            problem = "it presented no certificate";
            return false;
        }

        X509Certificate2 peer = certificate as X509Certificate2 ?? X509CertificateLoader.LoadCertificate(certificate.GetRawCertData());
        string thumbprint = ThumbprintOf(peer);
        if (!IsTrusted(peer, presented, peerIsAcceptor, out string? untrusted))
        {
            problem = $"its certificate '{peer.Subject}' (SHA-256 {thumbprint}) is not trusted: {untrusted}";
            return false;
        }

        if (!_nodeIds.TryGetValue(thumbprint, out nodeId))
        {
            problem = $"its certificate '{peer.Subject}' (SHA-256 {thumbprint}) is mapped to no node id in Tls:NodeCertificates";
            return false;
        }

        problem = null;
        return true;
    }

    /// <summary>
    /// Loads and checks <paramref name="options"/>. Every problem is added to <paramref name="failures"/> as
    /// <c>{path}:Tls:{setting}: {what is wrong}</c>.
    /// </summary>
    /// <param name="options">The TLS section of a controller.</param>
    /// <param name="localNodeId">The node these settings are for.</param>
    /// <param name="path">The controller's configuration path.</param>
    /// <param name="failures">Receives the problems found.</param>
    /// <returns>The settings, or null when a problem was found.</returns>
    public static TlsSettings? Load(TcpTlsOptions options, uint localNodeId, string path, List<string> failures)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(failures);
        string prefix = $"{path}:Tls";
        int before = failures.Count;

        Dictionary<string, uint> nodeIds = LoadNodeIds(options.NodeCertificates, prefix, failures);
        X509Certificate2Collection trusted = [];
        if (!string.IsNullOrWhiteSpace(options.TrustedCertificatesFile))
        {
            trusted = LoadTrusted(options.TrustedCertificatesFile, prefix, failures);
        }
        else if (!options.UseSystemRoots)
        {
            failures.Add($"{prefix}:TrustedCertificatesFile: no trust anchor; set TrustedCertificatesFile (the cluster's CA) or UseSystemRoots.");
        }

        X509Certificate2? certificate = null;
        X509Certificate2Collection intermediates = [];
        if (string.IsNullOrWhiteSpace(options.CertificateFile))
        {
            failures.Add($"{prefix}:CertificateFile: not set; TLS needs this node's certificate and private key (PKCS#12, or PEM).");
        }
        else
        {
            certificate = LoadCertificate(options, prefix, failures, intermediates);
        }

        if (certificate is not null && nodeIds.TryGetValue(ThumbprintOf(certificate), out uint mapped) && mapped != localNodeId)
        {
            failures.Add($"{prefix}:CertificateFile: the certificate (SHA-256 {ThumbprintOf(certificate)}) is mapped to node {mapped} in NodeCertificates, but this node is {localNodeId}.");
        }

        if (failures.Count > before || certificate is null)
        {
            return null;
        }

        try
        {
            return new TlsSettings(certificate, intermediates, trusted, options.UseSystemRoots, nodeIds);
        }
        catch (Exception ex) when (ex is CryptographicException or ArgumentException or NotSupportedException)
        {
            failures.Add($"{prefix}:CertificateFile: '{options.CertificateFile}' cannot be used for TLS: {ex.Message}");
            return null;
        }
    }

    private static Dictionary<string, uint> LoadNodeIds(Dictionary<string, string>? entries, string prefix, List<string> failures)
    {
        var nodeIds = new Dictionary<string, uint>(StringComparer.Ordinal);
        if (entries is null || entries.Count == 0)
        {
            failures.Add($"{prefix}:NodeCertificates: empty; map each node id to the SHA-256 thumbprint of its certificate, or no peer can connect.");
            return nodeIds;
        }

        foreach ((string id, string thumbprint) in entries)
        {
            if (!uint.TryParse(id, NumberStyles.None, CultureInfo.InvariantCulture, out uint nodeId))
            {
                failures.Add($"{prefix}:NodeCertificates:{id}: '{id}' is not a node id (a number from 0 up).");
                continue;
            }

            // Several thumbprints let a node change its certificate without a moment in which neither is accepted.
            foreach (string item in (thumbprint ?? string.Empty).Split(',', StringSplitOptions.TrimEntries))
            {
                string? normalized = NormalizeThumbprint(item);
                if (normalized is null)
                {
                    failures.Add($"{prefix}:NodeCertificates:{id}: '{item}' is not a SHA-256 thumbprint ({ThumbprintLength} hex digits, optionally separated by ':').");
                }
                else if (!nodeIds.TryAdd(normalized, nodeId))
                {
                    failures.Add($"{prefix}:NodeCertificates:{id}: the thumbprint {normalized} is already mapped to node {nodeIds[normalized]}; a certificate identifies one node.");
                }
            }
        }

        return nodeIds;
    }

    private static string? NormalizeThumbprint(string? text)
    {
        if (text is null)
        {
            return null;
        }

        var digits = new StringBuilder(ThumbprintLength);
        foreach (char c in text)
        {
            if (char.IsAsciiHexDigit(c))
            {
                _ = digits.Append(char.ToUpperInvariant(c));
            }
            else if (c is not (':' or ' '))
            {
                return null;
            }
        }

        return digits.Length == ThumbprintLength ? digits.ToString() : null;
    }

    private static X509Certificate2Collection LoadTrusted(string file, string prefix, List<string> failures)
    {
        X509Certificate2Collection trusted = [];
        try
        {
            byte[] content = ReadSmallFile(file);
            if (IsPem(content))
            {
                trusted.ImportFromPem(Encoding.ASCII.GetString(content));
            }
            else
            {
                trusted.Add(X509CertificateLoader.LoadCertificate(content));
            }
        }
        catch (Exception ex) when (IsLoadFailure(ex))
        {
            failures.Add($"{prefix}:TrustedCertificatesFile: '{file}' cannot be read as PEM or DER certificates: {ex.Message}");
            return trusted;
        }

        if (trusted.Count == 0)
        {
            failures.Add($"{prefix}:TrustedCertificatesFile: '{file}' holds no certificate.");
        }

        return trusted;
    }

    private static X509Certificate2? LoadCertificate(TcpTlsOptions options, string prefix, List<string> failures, X509Certificate2Collection intermediates)
    {
        string file = options.CertificateFile!;
        string? password = string.IsNullOrEmpty(options.CertificatePassword) ? null : options.CertificatePassword;
        X509Certificate2 certificate;
        try
        {
            byte[] content = ReadSmallFile(file);
            if (IsPem(content))
            {
                string keyFile = file;
                if (!string.IsNullOrWhiteSpace(options.KeyFile))
                {
                    // Read through the same checks first, so a wrong key path is reported as such.
                    keyFile = options.KeyFile;
                    _ = ReadSmallFile(keyFile);
                }

                certificate = password is null
                    ? X509Certificate2.CreateFromPemFile(file, keyFile)
                    : X509Certificate2.CreateFromEncryptedPemFile(file, password, keyFile);
                X509Certificate2Collection all = [];
                all.ImportFromPem(Encoding.ASCII.GetString(content));
                for (int i = 1; i < all.Count; i++)
                {
                    _ = intermediates.Add(all[i]);
                }
            }
            else if (!string.IsNullOrWhiteSpace(options.KeyFile))
            {
                failures.Add($"{prefix}:KeyFile: set, but CertificateFile '{file}' is not PEM; a PKCS#12 file holds its own key.");
                return null;
            }
            else
            {
                X509Certificate2Collection all = X509CertificateLoader.LoadPkcs12Collection(content, password);
                X509Certificate2? withKey = all.FirstOrDefault(static c => c.HasPrivateKey);
                certificate = withKey ?? (all.Count > 0 ? all[0] : throw new CryptographicException("the file holds no certificate"));
                foreach (X509Certificate2 other in all)
                {
                    if (!ReferenceEquals(other, certificate))
                    {
                        _ = intermediates.Add(other);
                    }
                }
            }
        }
        catch (Exception ex) when (IsLoadFailure(ex))
        {
            string key = string.IsNullOrWhiteSpace(options.KeyFile) ? string.Empty : $" with key file '{options.KeyFile}'";
            failures.Add($"{prefix}:CertificateFile: '{file}'{key} cannot be loaded as a certificate with its private key: {ex.Message}");
            return null;
        }

        if (!certificate.HasPrivateKey)
        {
            failures.Add($"{prefix}:CertificateFile: the certificate '{certificate.Subject}' in '{file}' has no private key.");
            return null;
        }

        DateTime now = DateTime.Now;
        if (now > certificate.NotAfter || now < certificate.NotBefore)
        {
            failures.Add($"{prefix}:CertificateFile: the certificate '{certificate.Subject}' in '{file}' is valid from {certificate.NotBefore:u} to {certificate.NotAfter:u} only.");
            return null;
        }

        return certificate;
    }

    private bool IsTrusted(X509Certificate2 peer, X509Chain? presented, bool peerIsAcceptor, [NotNullWhen(false)] out string? problem)
    {
        problem = null;
        string? customProblem = null;
        if (_trusted.Count > 0 && TryBuildChain(peer, presented, peerIsAcceptor, X509ChainTrustMode.CustomRootTrust, out customProblem))
        {
            return true;
        }

        string? systemProblem = null;
        if (_useSystemRoots && TryBuildChain(peer, presented, peerIsAcceptor, X509ChainTrustMode.System, out systemProblem))
        {
            return true;
        }

        problem = (customProblem, systemProblem) switch
        {
            (not null, not null) => $"{customProblem} (against the trusted certificates file); {systemProblem} (against the system roots)",
            _ => customProblem ?? systemProblem ?? "no trust anchor is configured",
        };
        return false;
    }

    private bool TryBuildChain(X509Certificate2 peer, X509Chain? presented, bool peerIsAcceptor, X509ChainTrustMode trustMode, [NotNullWhen(false)] out string? problem)
    {
        using var chain = new X509Chain();
        X509ChainPolicy policy = chain.ChainPolicy;
        policy.TrustMode = trustMode;
        policy.RevocationMode = X509RevocationMode.NoCheck;
        policy.DisableCertificateDownloads = true;
        _ = policy.ApplicationPolicy.Add(peerIsAcceptor ? s_serverAuthentication : s_clientAuthentication);
        if (trustMode == X509ChainTrustMode.CustomRootTrust)
        {
            policy.CustomTrustStore.AddRange(_trusted);
        }

        if (presented is not null)
        {
            policy.ExtraStore.AddRange(presented.ChainPolicy.ExtraStore);
            for (int i = 1; i < presented.ChainElements.Count; i++)
            {
                _ = policy.ExtraStore.Add(presented.ChainElements[i].Certificate);
            }
        }

        if (chain.Build(peer))
        {
            problem = null;
            return true;
        }

        IEnumerable<string> reasons = chain.ChainStatus
            .Select(static s => string.IsNullOrWhiteSpace(s.StatusInformation) ? s.Status.ToString() : s.StatusInformation.Trim())
            .Distinct(StringComparer.Ordinal);
        problem = string.Join("; ", reasons);
        if (problem.Length == 0)
        {
            problem = "its chain does not build";
        }

        return false;
    }

    private static byte[] ReadSmallFile(string path)
    {
        using FileStream file = File.OpenRead(path);
        if (file.Length > MaxFileLength)
        {
            throw new IOException($"it has {file.Length} bytes; a certificate or key file holds at most {MaxFileLength}");
        }

        byte[] content = new byte[file.Length];
        file.ReadExactly(content);
        return content;
    }

    private static bool IsPem(ReadOnlySpan<byte> content) => content.IndexOf("-----BEGIN "u8) >= 0;

    private static bool IsLoadFailure(Exception ex) =>
        ex is IOException or UnauthorizedAccessException or CryptographicException or ArgumentException or NotSupportedException;
}
