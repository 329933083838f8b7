using Rsm.Engine;

namespace Rsm.DependencyInjection;

/// <summary>Which registered provider serves a configured controller: the last one of its provider name, or of its options type.</summary>
internal static class RsmProviderSelector
{
    public static IRsmProvider? Select(IEnumerable<IRsmProvider> providers, RsmControllerOptions controller)
    {
        if (!string.IsNullOrWhiteSpace(controller.Provider))
        {
            return providers.LastOrDefault(p => string.Equals(p.Name, controller.Provider, StringComparison.OrdinalIgnoreCase));
        }

        return controller.OptionsType is { } type
            ? providers.LastOrDefault(p => p is IRsmEngineProvider engine && engine.OptionsType == type)
            : null;
    }
}
