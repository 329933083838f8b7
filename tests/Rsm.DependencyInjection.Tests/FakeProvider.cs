using Microsoft.Extensions.Configuration;
using Rsm.Engine;

namespace Rsm.DependencyInjection.Tests;

/// <summary>A provider that hands out <see cref="FakeController"/> instances and records what it was asked for.</summary>
internal sealed class FakeProvider(string name, int version = IRsmProvider.CurrentVersion) : IRsmProvider
{
    private int _created;

    public string Name { get; } = name;

    public int Version { get; } = version;

    public int Created => _created;

    public IConfiguration? LastSettings { get; private set; }

    public string? LastConfigurationPath { get; private set; }

    /// <summary>The controllers opened, in order.</summary>
    public List<FakeController> Opened { get; } = [];

    /// <summary>Given to every controller opened from now on.</summary>
    public Action<FakeController>? OnDispose { get; set; }

    public IRsmController CreateController(string name, IConfiguration settings, string configurationPath)
    {
        Interlocked.Increment(ref _created);
        LastSettings = settings;
        LastConfigurationPath = configurationPath;
        var controller = new FakeController(name, Name) { OnDispose = OnDispose };
        lock (Opened)
        {
            Opened.Add(controller);
        }

        return controller;
    }
}
