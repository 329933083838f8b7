using System.Globalization;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Rsm.Benchmarks.Tcp;

/// <summary>
/// The certificates of a TLS benchmark run: a cluster CA made for the run and one certificate per node, written as PEM
/// files into a temporary directory that <see cref="Dispose"/> removes, and the <c>Tls</c> settings of each node.
/// </summary>
internal sealed class BenchClusterPki : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("rsm-bench-tls-").FullName;
    private readonly string _caFile;
    private readonly Dictionary<uint, (string File, string Thumbprint)> _nodes = [];

    public BenchClusterPki(IEnumerable<uint> nodeIds)
    {
        using var caKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var caRequest = new CertificateRequest("CN=Rsm benchmark cluster", caKey, HashAlgorithmName.SHA256);
        caRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, true, 0, true));
        caRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign, true));
        DateTimeOffset now = DateTimeOffset.UtcNow;
        using X509Certificate2 ca = caRequest.CreateSelfSigned(now.AddHours(-1), now.AddDays(2));
        _caFile = Path.Combine(_directory, "ca.pem");
        File.WriteAllText(_caFile, ca.ExportCertificatePem());

        foreach (uint node in nodeIds)
        {
            using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
            var request = new CertificateRequest($"CN=node{node}", key, HashAlgorithmName.SHA256);
            request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
            request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1"), new Oid("1.3.6.1.5.5.7.3.2")], false));
            using X509Certificate2 issued = request.Create(ca, now.AddHours(-1), now.AddDays(1), BitConverter.GetBytes(0x5253_4D00_0000_0000L | node));
            string file = Path.Combine(_directory, $"node{node}.pem");
            File.WriteAllText(file, issued.ExportCertificatePem() + "\n" + key.ExportPkcs8PrivateKeyPem());
            _nodes.Add(node, (file, issued.GetCertHashString(HashAlgorithmName.SHA256)));
        }
    }

    /// <summary>The <c>Tls</c> section of node <paramref name="node"/>, as configuration keys below the controller's.</summary>
    public IReadOnlyDictionary<string, string?> Settings(uint node)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Tls:CertificateFile"] = _nodes[node].File,
            ["Tls:TrustedCertificatesFile"] = _caFile,
        };
        foreach ((uint id, (string _, string thumbprint)) in _nodes)
        {
            settings[string.Create(CultureInfo.InvariantCulture, $"Tls:NodeCertificates:{id}")] = thumbprint;
        }

        return settings;
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);
}
