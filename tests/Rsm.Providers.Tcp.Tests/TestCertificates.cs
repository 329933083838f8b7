using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Rsm.Providers.Tcp.Internal.Wire;

namespace Rsm.Providers.Tcp.Tests;

/// <summary>
/// A throw-away PKI in a temporary directory: a cluster CA, a rogue CA, and node certificates signed by either, written
/// as the files <see cref="TcpTlsOptions"/> names. <see cref="Dispose"/> deletes the directory.
/// </summary>
internal sealed class TestCertificates : IDisposable
{
    public const string Password = "test-password";

    private static readonly Oid s_serverAuthentication = new("1.3.6.1.5.5.7.3.1");
    private static readonly Oid s_clientAuthentication = new("1.3.6.1.5.5.7.3.2");

    private readonly X509Certificate2 _ca;
    private readonly X509Certificate2 _rogueCa;
    private readonly Dictionary<string, X509Certificate2> _issued = [];

    public TestCertificates()
    {
        Directory = Path.Combine(Path.GetTempPath(), $"rsm-tls-{Environment.ProcessId}-{Guid.NewGuid():N}");
        _ = System.IO.Directory.CreateDirectory(Directory);
        _ca = CreateCa("CN=Rsm Test Cluster CA");
        _rogueCa = CreateCa("CN=Rsm Rogue CA");
        CaFile = Write("ca.pem", _ca.ExportCertificatePem());
        RogueCaFile = Write("rogue-ca.pem", _rogueCa.ExportCertificatePem());
    }

    public string Directory { get; }

    /// <summary>The cluster CA's certificate, PEM.</summary>
    public string CaFile { get; }

    /// <summary>The rogue CA's certificate, PEM.</summary>
    public string RogueCaFile { get; }

    /// <summary>Issues (once) a node certificate named <paramref name="name"/>, signed by the cluster CA or the rogue one.</summary>
    public X509Certificate2 Issue(string name, bool rogue = false)
    {
        lock (_issued)
        {
            if (!_issued.TryGetValue(name, out X509Certificate2? certificate))
            {
                certificate = CreateNode($"CN={name}", rogue ? _rogueCa : _ca);
                _issued.Add(name, certificate);
            }

            return certificate;
        }
    }

    public string Thumbprint(string name, bool rogue = false) => TlsSettings.ThumbprintOf(Issue(name, rogue));

    /// <summary>Writes the certificate and its key as a password-protected PKCS#12 file.</summary>
    public string WritePkcs12(string name, bool rogue = false) =>
        Write($"{name}.p12", Issue(name, rogue).Export(X509ContentType.Pkcs12, Password));

    /// <summary>Writes one PEM file with the certificate followed by its private key.</summary>
    public string WritePemWithKey(string name, bool rogue = false)
    {
        X509Certificate2 certificate = Issue(name, rogue);
        using ECDsa key = certificate.GetECDsaPrivateKey()!;
        return Write($"{name}-with-key.pem", certificate.ExportCertificatePem() + "\n" + key.ExportPkcs8PrivateKeyPem());
    }

    /// <summary>Writes the certificate and its private key as two PEM files; the key is encrypted with <see cref="Password"/> when asked.</summary>
    public (string CertificateFile, string KeyFile) WritePemPair(string name, bool encryptKey = false)
    {
        X509Certificate2 certificate = Issue(name);
        using ECDsa key = certificate.GetECDsaPrivateKey()!;
        string keyPem = encryptKey
            ? key.ExportEncryptedPkcs8PrivateKeyPem(Password, new PbeParameters(PbeEncryptionAlgorithm.Aes256Cbc, HashAlgorithmName.SHA256, 10_000))
            : key.ExportPkcs8PrivateKeyPem();
        return (Write($"{name}.crt.pem", certificate.ExportCertificatePem()), Write($"{name}.key.pem", keyPem));
    }

    /// <summary>Writes only the certificate, PEM, without its key.</summary>
    public string WriteCertificateOnly(string name) => Write($"{name}-only.pem", Issue(name).ExportCertificatePem());

    public string Write(string fileName, string content)
    {
        string path = Path.Combine(Directory, fileName);
        File.WriteAllText(path, content);
        return path;
    }

    public string Write(string fileName, byte[] content)
    {
        string path = Path.Combine(Directory, fileName);
        File.WriteAllBytes(path, content);
        return path;
    }

    public void Dispose()
    {
        foreach (X509Certificate2 certificate in _issued.Values)
        {
            certificate.Dispose();
        }

        _ca.Dispose();
        _rogueCa.Dispose();
        System.IO.Directory.Delete(Directory, recursive: true);
    }

    private static X509Certificate2 CreateCa(string subject)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(certificateAuthority: true, hasPathLengthConstraint: true, pathLengthConstraint: 0, critical: true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, critical: true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, critical: false));
        DateTimeOffset now = DateTimeOffset.UtcNow;
        return request.CreateSelfSigned(now.AddDays(-1), now.AddYears(1));
    }

    private static X509Certificate2 CreateNode(string subject, X509Certificate2 issuer)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(certificateAuthority: false, hasPathLengthConstraint: false, pathLengthConstraint: 0, critical: true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, critical: true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([s_serverAuthentication, s_clientAuthentication], critical: false));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, critical: false));
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(issuer, includeKeyIdentifier: true, includeIssuerAndSerial: false));
        byte[] serial = RandomNumberGenerator.GetBytes(16);
        serial[0] &= 0x7F;
        DateTimeOffset now = DateTimeOffset.UtcNow;
        using X509Certificate2 publicOnly = request.Create(issuer, now.AddDays(-1), now.AddDays(30), serial);
        return publicOnly.CopyWithPrivateKey(key);
    }
}
