using Microsoft.Extensions.DependencyInjection;

namespace Rsm.DependencyInjection;

internal sealed class RsmBuilder(IServiceCollection services) : IRsmBuilder
{
    public IServiceCollection Services { get; } = services;
}
