using System.Net;
using System.Net.Sockets;

namespace Rsm.Providers.Tcp.Tests;

/// <summary>Ports on 127.0.0.1 for tests that configure a node's listen endpoint.</summary>
internal static class LoopbackPorts
{
    /// <summary>A port nothing listens on right now.</summary>
    public static int Free()
    {
        using var probe = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        probe.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)probe.LocalEndPoint!).Port;
    }

    /// <summary>What a connect to <paramref name="port"/> gives: Success while something listens, ConnectionRefused otherwise.</summary>
    public static SocketError TryConnect(int port)
    {
        using var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            client.Connect(new IPEndPoint(IPAddress.Loopback, port));
            return SocketError.Success;
        }
        catch (SocketException ex)
        {
            return ex.SocketErrorCode;
        }
    }
}
