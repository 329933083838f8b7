using Microsoft.Extensions.DependencyInjection;

namespace Rsm;

/// <summary>
/// Returned by <see cref="RsmServiceCollectionExtensions.AddRsm(IServiceCollection, Microsoft.Extensions.Configuration.IConfiguration)"/>
/// so that provider packages can chain their registration (<c>AddRsm(...).AddLoopbackProvider()</c>).
/// </summary>
public interface IRsmBuilder
{
    /// <summary>The service collection Rsm was registered in.</summary>
    IServiceCollection Services { get; }
}
