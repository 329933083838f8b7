using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using Rsm.Engine;

namespace Rsm.Providers.Tcp.Internal.Wire;

/// <content>
/// TLS under the frames when <see cref="HandshakeOptions.Tls"/> is set: the session is opened before the cluster-key
/// handshake, the peer's certificate is judged by <see cref="TlsSettings.TryIdentify"/>, and the node id it maps to must
/// be the one the peer claims.
/// </content>
internal sealed partial class TcpFrameConnection
{
    private uint? _certificateNodeId;
    private string? _certificateRefusal;

    /// <summary>The node id the peer's certificate is mapped to; null without TLS.</summary>
    public uint? PeerCertificateNodeId => _certificateNodeId;

    /// <summary>The stream every byte of the connection goes through: the socket's own, or a TLS session over it.</summary>
    private static Stream CreateStream(Socket socket, HandshakeOptions options)
    {
        var network = new BlockingSocketStream(socket);
        return options.Tls is null ? network : new SslStream(network, leaveInnerStreamOpen: false);
    }

    /// <summary>Opens the TLS session, when there is one, and records the node id of the peer's certificate.</summary>
    /// <exception cref="RsmException">
    /// PermissionDenied (27): this side refused the peer's certificate. RemoteNodeUnreachable (39): the TLS handshake
    /// failed otherwise (the peer speaks no TLS, or refused this side's certificate).
    /// </exception>
    private async ValueTask AuthenticateTlsAsync(CancellationToken cancellationToken)
    {
        if (_stream is not SslStream tls)
        {
            return;
        }

        TlsSettings settings = _options.Tls!;
        try
        {
            if (IsDialer)
            {
                await tls.AuthenticateAsClientAsync(settings.ClientOptions(ValidatePeerCertificate), cancellationToken).ConfigureAwait(false);
            }
            else
            {
                await tls.AuthenticateAsServerAsync(settings.ServerOptions(ValidatePeerCertificate), cancellationToken).ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (_certificateRefusal is not null && ex is not OperationCanceledException)
        {
            throw HandshakeError(HandshakeFailure.AuthenticationFailed, RsmThrow.Create(RsmError.PermissionDenied, $"the peer at {RemoteEndPoint} was refused: {_certificateRefusal}", ex));
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // Anything the TLS layer throws (an alert, a record that is not TLS, a failure inside the platform's TLS
            // library) ends this connection only.
            throw HandshakeError(HandshakeFailure.TlsFailed, RsmThrow.Create(RsmError.RemoteNodeUnreachable, $"the TLS handshake with {RemoteEndPoint} failed (that node may not use TLS, or may not trust this node's certificate): {ex.Message}", ex));
        }
    }

    private bool ValidatePeerCertificate(object sender, X509Certificate? certificate, X509Chain? chain, SslPolicyErrors errors)
    {
        // The platform's verdict (system roots, host name) does not apply: peers are judged by the cluster's own rule.
        if (_options.Tls!.TryIdentify(certificate, chain, peerIsAcceptor: IsDialer, out uint nodeId, out string? problem))
        {
            _certificateNodeId = nodeId;
            return true;
        }

        _certificateRefusal = problem;
        return false;
    }

    /// <summary>Refuses a peer whose claimed node id is not the one its certificate is mapped to.</summary>
    /// <exception cref="RsmException">PermissionDenied (27): the ids differ.</exception>
    private void CheckCertificateNodeId(uint claimedId)
    {
        if (_certificateNodeId is uint certified && certified != claimedId)
        {
            throw HandshakeError(HandshakeFailure.AuthenticationFailed, RsmThrow.Create(RsmError.PermissionDenied, $"the peer at {RemoteEndPoint} claims node id {claimedId}, but its certificate is mapped to node {certified}"));
        }
    }
}
