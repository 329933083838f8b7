using Microsoft.Extensions.Options;

namespace Rsm.HostedNode;

/// <summary>Fails the host's start on a wrong <c>HostedNode</c> setting, naming each key that is wrong.</summary>
internal sealed class HostedNodeOptionsValidator : IValidateOptions<HostedNodeOptions>
{
    public ValidateOptionsResult Validate(string? name, HostedNodeOptions options)
    {
        string[] problems = [.. options.Problems()];
        return problems.Length == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
    }
}
