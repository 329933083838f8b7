using System.Net.Sockets;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Rsm.Providers.Tcp.Tests;

/// <summary>A Tcp node registered with <c>AddHostedControllers</c> in a real Generic Host.</summary>
[TestClass]
public sealed class HostedNodeTests
{
    private static readonly TimeSpan s_waitLimit = TimeSpan.FromSeconds(30);

    [TestMethod]
    public async Task StartWithHost_ListensRightAfterStart_AndNoLongerOnceTheHostIsGone()
    {
        int port = LoopbackPorts.Free();
        IHost host = Build(port, new() { ["StartWithHost"] = "true" });
        try
        {
            Assert.AreEqual(SocketError.ConnectionRefused, LoopbackPorts.TryConnect(port), "nothing listens before the host starts");

            await host.StartAsync().WaitAsync(s_waitLimit);

            // No code has touched the controller: the hosted service opened it, so the node accepts connections.
            Assert.AreEqual(SocketError.Success, LoopbackPorts.TryConnect(port), "the hosted node does not listen after StartAsync");

            await host.StopAsync().WaitAsync(s_waitLimit);
        }
        finally
        {
            // The node belongs to the provider, which the host's services release.
            host.Dispose();
        }

        Assert.AreEqual(SocketError.ConnectionRefused, LoopbackPorts.TryConnect(port), "the node still listens after the host is disposed");
    }

    [TestMethod]
    public async Task NotStartWithHost_DoesNotListenUntilFirstUse()
    {
        int port = LoopbackPorts.Free();
        using IHost host = Build(port, []);

        await host.StartAsync().WaitAsync(s_waitLimit);
        Assert.AreEqual(SocketError.ConnectionRefused, LoopbackPorts.TryConnect(port));

        using (IRsmController controller = host.Services.GetRequiredService<IRsmControllerFactory>().GetController("tcp1"))
        {
            Assert.AreEqual(SocketError.Success, LoopbackPorts.TryConnect(port));
        }

        await host.StopAsync().WaitAsync(s_waitLimit);
    }

    [TestMethod]
    public async Task InvalidSetting_StartFailsWithBadConfigurationAndThePath_NothingListens()
    {
        int port = LoopbackPorts.Free();
        using IHost host = Build(port, new() { ["StartWithHost"] = "true", ["HandshakeTimeout"] = "00:00:00" });

        RsmException ex = await Assert.ThrowsExactlyAsync<RsmException>(() => host.StartAsync().WaitAsync(s_waitLimit));

        Assert.AreEqual(RsmError.BadConfiguration, ex.Error, ex.Message);
        Assert.Contains("Rsm:Controllers:tcp1:HandshakeTimeout", ex.Message);
        Assert.AreEqual(SocketError.ConnectionRefused, LoopbackPorts.TryConnect(port));
    }

    private static IHost Build(int port, Dictionary<string, string?> extra)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Rsm:Controllers:tcp1:Provider"] = "Tcp",
            ["Rsm:Controllers:tcp1:NodeId"] = "1",
            ["Rsm:Controllers:tcp1:Listen"] = $"127.0.0.1:{port}",
            ["Rsm:Controllers:tcp1:ClusterKey"] = Convert.ToBase64String(TestNodes.Key),
        };
        foreach ((string key, string? value) in extra)
        {
            settings[$"Rsm:Controllers:tcp1:{key}"] = value;
        }

        HostApplicationBuilder builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Configuration.AddInMemoryCollection(settings);
        builder.Services.AddRsm(builder.Configuration.GetSection("Rsm")).AddTcpProvider().AddHostedControllers();
        return builder.Build();
    }
}
