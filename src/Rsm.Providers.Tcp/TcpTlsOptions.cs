namespace Rsm.Providers.Tcp;

/// <summary>
/// TLS for a Tcp controller's connections, bound from <c>Rsm:Controllers:&lt;name&gt;:Tls</c>. When set, every connection
/// is wrapped in TLS 1.2 or 1.3 right after the TCP connect, both sides present a certificate, and the cluster-key
/// handshake runs inside the encrypted session.
/// </summary>
/// <remarks>
/// A peer is accepted when both hold: its certificate chains to a certificate of <see cref="TrustedCertificatesFile"/>
/// (or, with <see cref="UseSystemRoots"/>, to a root the system trusts), and the certificate's SHA-256 thumbprint is a
/// value of <see cref="NodeCertificates"/>. The key of that entry is the peer's node id: the node id the peer proves with
/// the cluster key must equal it, or the connection is refused with PermissionDenied (27). Revocation is not checked;
/// removing a certificate's entry from <see cref="NodeCertificates"/> withdraws it. A certificate that carries an extended
/// key usage extension must allow both server and client authentication, since every node both dials and accepts.
/// </remarks>
public sealed class TcpTlsOptions
{
    /// <summary>
    /// This node's certificate: a PKCS#12 file (<c>.pfx</c>, <c>.p12</c>) holding the certificate and its private key, or a
    /// PEM file whose first certificate is this node's (any further certificates are intermediates sent along with it)
    /// and which also holds the private key unless <see cref="KeyFile"/> is set. Required.
    /// </summary>
    public string? CertificateFile { get; set; }

    /// <summary>The PEM private key of a PEM <see cref="CertificateFile"/>, when the key is in a file of its own. Default none.</summary>
    public string? KeyFile { get; set; }

    /// <summary>The password of a PKCS#12 <see cref="CertificateFile"/> or of an encrypted PEM private key. Default none.</summary>
    public string? CertificatePassword { get; set; }

    /// <summary>
    /// A PEM file of one or more certificates (or one DER certificate) that anchor peer chains: usually the cluster's own
    /// CA. One of this and <see cref="UseSystemRoots"/> is required.
    /// </summary>
    public string? TrustedCertificatesFile { get; set; }

    /// <summary>Whether a peer chain ending at a root the operating system trusts is also accepted. Default false.</summary>
    public bool UseSystemRoots { get; set; }

    /// <summary>
    /// The certificate of each node: node id (as text) to the SHA-256 thumbprint of its certificate, 64 hex digits (case
    /// and <c>:</c> separators do not matter), or several separated by commas while a node changes its certificate. A
    /// peer whose certificate is not listed is refused. Required; a thumbprint may appear once.
    /// </summary>
    public Dictionary<string, string> NodeCertificates { get; set; } = [];
}
