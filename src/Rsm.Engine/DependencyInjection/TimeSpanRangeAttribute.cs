using System.ComponentModel.DataAnnotations;
using System.Globalization;

namespace Rsm.DependencyInjection;

/// <summary>
/// A <see cref="TimeSpan"/> option between two bounds, inclusive; unlike <see cref="RangeAttribute"/> on a type, it
/// needs no type converter, so the generated options validators stay trimming-safe.
/// </summary>
[AttributeUsage(AttributeTargets.Property)]
internal sealed class TimeSpanRangeAttribute : ValidationAttribute
{
    public TimeSpanRangeAttribute(string minimum, string maximum)
    {
        Minimum = TimeSpan.Parse(minimum, CultureInfo.InvariantCulture);
        Maximum = TimeSpan.Parse(maximum, CultureInfo.InvariantCulture);
    }

    public TimeSpan Minimum { get; }

    public TimeSpan Maximum { get; }

    public override bool IsValid(object? value) => value is TimeSpan span && span >= Minimum && span <= Maximum;

    public override string FormatErrorMessage(string name) =>
        string.Create(CultureInfo.InvariantCulture, $"{name} must be from {Minimum} to {Maximum}");
}
