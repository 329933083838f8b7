using Microsoft.Extensions.Options;

namespace Rsm.DependencyInjection;

/// <summary>Checks <see cref="RsmHostingOptions"/> against its data annotations, with code generated at compile time.</summary>
[OptionsValidator]
internal sealed partial class RsmHostingOptionsValidator : IValidateOptions<RsmHostingOptions>;
