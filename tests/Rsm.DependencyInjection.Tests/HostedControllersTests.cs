using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Rsm.Engine;

namespace Rsm.DependencyInjection.Tests;

/// <summary><c>AddHostedControllers</c> in a real Generic Host: checks at start, opens with the host, closes in order at stop.</summary>
[TestClass]
public sealed class HostedControllersTests
{
    private static readonly TimeSpan s_waitLimit = TimeSpan.FromSeconds(30);

    [TestMethod]
    public async Task Start_OpensTheStartWithHostControllersInOrder_StopClosesThemInReverse()
    {
        var provider = new FakeProvider("Fake");
        var closed = new ConcurrentQueue<string>();
        provider.OnDispose = c => closed.Enqueue(c.Name);
        using IHost host = Build(
            new()
            {
                ["Rsm:Controllers:a:Provider"] = "Fake",
                ["Rsm:Controllers:a:StartWithHost"] = "true",
                ["Rsm:Controllers:b:Provider"] = "Fake",
                ["Rsm:Controllers:c:Provider"] = "Fake",
                ["Rsm:Controllers:c:StartWithHost"] = "True",
                ["Rsm:Controllers:d:Provider"] = "Fake",
                ["Rsm:Controllers:d:StartWithHost"] = "false",
            },
            provider);

        await host.StartAsync().WaitAsync(s_waitLimit);

        Assert.AreEqual("a c", string.Join(' ', provider.Opened.Select(c => c.Name)), "opened at start, in configuration order");
        Assert.IsTrue(provider.Opened.All(c => c.References == 1));

        // Code that asks for a started controller gets the same instance.
        IRsmController a = host.Services.GetRequiredService<IRsmControllerFactory>().GetController("a");
        Assert.AreSame(provider.Opened[0], a);
        a.Dispose();
        closed.Clear();

        await host.StopAsync().WaitAsync(s_waitLimit);

        Assert.AreEqual("c a", string.Join(' ', closed), "closed at stop, in reverse order");
        Assert.IsTrue(provider.Opened.All(c => c.References == 0));
    }

    [TestMethod]
    public async Task Start_InvalidSettings_FailsWithBadConfigurationNamingEachPath_NothingOpened()
    {
        var provider = new CheckingProvider("Fake");
        using IHost host = Build(
            new()
            {
                ["Rsm:Controllers:good:Provider"] = "Fake",
                ["Rsm:Controllers:good:StartWithHost"] = "true",
                ["Rsm:Controllers:bad:Provider"] = "Fake",
                ["Rsm:Controllers:bad:NodeId"] = "99",
                ["Rsm:Controllers:worse:Provider"] = "Fake",
                ["Rsm:Controllers:worse:StartWithHost"] = "yes",
            },
            provider);

        RsmException ex = await Assert.ThrowsExactlyAsync<RsmException>(() => host.StartAsync().WaitAsync(s_waitLimit));

        Assert.AreEqual(RsmError.BadConfiguration, ex.Error, ex.Message);
        Assert.Contains("Rsm:Controllers:bad:NodeId must be between 0 and 64", ex.Message);
        Assert.Contains("Rsm:Controllers:worse:StartWithHost is 'yes', which is neither true nor false", ex.Message);
        Assert.IsFalse(ex.Message.Contains("Rsm:Controllers:good", StringComparison.Ordinal), ex.Message);
        Assert.AreEqual(0, provider.Created, "nothing is opened when the configuration is wrong");
    }

    [TestMethod]
    public async Task Start_UnregisteredProvider_FailsWithControllerNotPresentNamingThePath()
    {
        using IHost host = Build(new() { ["Rsm:Controllers:tcp0:Provider"] = "Tcp" }, new FakeProvider("Fake"));

        RsmException ex = await Assert.ThrowsExactlyAsync<RsmException>(() => host.StartAsync().WaitAsync(s_waitLimit));

        Assert.AreEqual(RsmError.ControllerNotPresent, ex.Error, ex.Message);
        Assert.Contains("Rsm:Controllers:tcp0:Provider", ex.Message);
        Assert.Contains("registered: Fake", ex.Message);
    }

    [TestMethod]
    public async Task Start_OpenFails_WhatWasOpenedIsClosedAndTheStartFails()
    {
        var provider = new FakeProvider("Fake");
        using IHost host = Build(
            new()
            {
                ["Rsm:Controllers:a:Provider"] = "Fake",
                ["Rsm:Controllers:a:StartWithHost"] = "true",
                ["Rsm:Controllers:b:Provider"] = "Failing",
                ["Rsm:Controllers:b:StartWithHost"] = "true",
            },
            provider,
            new FailingProvider("Failing"));

        RsmException ex = await Assert.ThrowsExactlyAsync<RsmException>(() => host.StartAsync().WaitAsync(s_waitLimit));

        Assert.AreEqual(RsmError.InsufficientResources, ex.Error);
        Assert.AreEqual(0, provider.Opened.Single().References, "the controller opened before the failure is closed again");
    }

    [TestMethod]
    public async Task Stop_AControllerThatDoesNotClose_IsLeftAfterStopTimeout_TheOthersClose()
    {
        using var hold = new ManualResetEventSlim();
        var provider = new FakeProvider("Fake");
        var closed = new ConcurrentQueue<string>();
        provider.OnDispose = c =>
        {
            if (c.Name == "stuck")
            {
                _ = hold.Wait(s_waitLimit);
            }

            closed.Enqueue(c.Name);
        };
        using IHost host = Build(
            new()
            {
                ["Rsm:Controllers:first:Provider"] = "Fake",
                ["Rsm:Controllers:first:StartWithHost"] = "true",
                ["Rsm:Controllers:stuck:Provider"] = "Fake",
                ["Rsm:Controllers:stuck:StartWithHost"] = "true",
            },
            provider,
            configureHosting: o => o.StopTimeout = TimeSpan.FromMilliseconds(300));
        await host.StartAsync().WaitAsync(s_waitLimit);

        var watch = Stopwatch.StartNew();
        await host.StopAsync().WaitAsync(s_waitLimit);
        watch.Stop();

        Assert.AreEqual("first", string.Join(' ', closed), "the stuck controller is left; the one after it still closes");
        Assert.IsLessThan(TimeSpan.FromSeconds(20), watch.Elapsed, "the stop waited for the stuck controller");
        hold.Set();
    }

    [TestMethod]
    public void AddHostedControllers_NonPositiveStopTimeout_RejectedWhenResolved()
    {
        var services = new ServiceCollection();
        services.AddRsm(o => o.AddController("a", "Fake")).AddHostedControllers(o => o.StopTimeout = TimeSpan.Zero);
        using ServiceProvider sp = services.BuildServiceProvider();

        OptionsValidationException ex = Assert.ThrowsExactly<OptionsValidationException>(() => _ = sp.GetRequiredService<IOptions<RsmHostingOptions>>().Value);
        Assert.Contains("StopTimeout must be from 00:00:00.0010000 to 01:00:00", ex.Message);
    }

    [TestMethod]
    public async Task Start_StopTimeoutOverAnHour_FailsTheStart_NothingOpened()
    {
        var provider = new FakeProvider("Fake");
        using IHost host = Build(
            new() { ["Rsm:Controllers:a:Provider"] = "Fake", ["Rsm:Controllers:a:StartWithHost"] = "true" },
            provider,
            configureHosting: o => o.StopTimeout = TimeSpan.FromHours(2));

        OptionsValidationException ex = await Assert.ThrowsExactlyAsync<OptionsValidationException>(() => host.StartAsync().WaitAsync(s_waitLimit));

        Assert.Contains("StopTimeout must be from 00:00:00.0010000 to 01:00:00", ex.Message);
        Assert.IsEmpty(provider.Opened);
    }

    [TestMethod]
    public void AddHostedControllers_Twice_OneHostedService()
    {
        var services = new ServiceCollection();
        services.AddRsm(o => o.AddController("a", "Fake")).AddHostedControllers().AddHostedControllers();

        Assert.AreEqual(1, services.Count(d => d.ServiceType == typeof(IHostedService)));
    }

    private static IHost Build(Dictionary<string, string?> settings, IRsmProvider provider, IRsmProvider? other = null, Action<RsmHostingOptions>? configureHosting = null)
    {
        HostApplicationBuilder builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Configuration.AddInMemoryCollection(settings);
        builder.Services.AddRsm(builder.Configuration.GetSection("Rsm")).AddHostedControllers(configureHosting);
        builder.Services.AddSingleton(provider);
        if (other is not null)
        {
            builder.Services.AddSingleton(other);
        }

        return builder.Build();
    }

    /// <summary>Checks NodeId at validation, as an engine provider does; counts the controllers it opens.</summary>
    private sealed class CheckingProvider(string name) : IRsmProvider
    {
        private int _created;

        public string Name { get; } = name;

        public int Version => IRsmProvider.CurrentVersion;

        public int Created => _created;

        public IRsmController CreateController(string name, IConfiguration settings, string configurationPath)
        {
            ValidateSettings(name, settings, configurationPath);
            Interlocked.Increment(ref _created);
            return new FakeController(name, Name);
        }

        public void ValidateSettings(string name, IConfiguration settings, string configurationPath)
        {
            if (settings["NodeId"] is { } id && (!int.TryParse(id, out int value) || value is < 0 or > 64))
            {
                throw new OptionsValidationException(name, typeof(object), [$"{configurationPath}:NodeId must be between 0 and 64"]);
            }
        }
    }

    /// <summary>Fails every open with InsufficientResources (23).</summary>
    private sealed class FailingProvider(string name) : IRsmProvider
    {
        public string Name { get; } = name;

        public int Version => IRsmProvider.CurrentVersion;

        public IRsmController CreateController(string name, IConfiguration settings, string configurationPath) =>
            throw RsmThrow.Create(RsmError.InsufficientResources, "no room for another controller");
    }
}
