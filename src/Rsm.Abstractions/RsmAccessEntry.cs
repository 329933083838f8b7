using System.Globalization;

namespace Rsm;

/// <summary>
/// One access-list entry (<c>rsmapi_access_entry_t</c>): a node id and three octal permission digits for the
/// exporter's owner, group and other classes, for example <c>0x194</c> (octal 0624). C# has no octal literals:
/// <see cref="FromOctal"/> takes the digits as text (<c>"0624"</c>) and <see cref="FromMode"/> a <see cref="UnixFileMode"/>.
/// </summary>
/// <param name="NodeId">The node allowed to connect (0 to the controller's maximum node id).</param>
/// <param name="Permission">Octal owner/group/other digits, each 0, 2, 4 or 6; at most 0666.</param>
public readonly record struct RsmAccessEntry(uint NodeId, uint Permission)
{
    /// <summary>The permission as octal text with a leading zero, for example <c>0624</c>.</summary>
    public string OctalPermission => "0" + Convert.ToString(Permission, 8);

    /// <summary>An entry whose permission is written in octal, as in C: <c>FromOctal(2, "0624")</c> is <c>new RsmAccessEntry(2, 0x194)</c>.</summary>
    /// <param name="nodeId">The node allowed to connect.</param>
    /// <param name="octal">One to three octal digits, optionally after a leading <c>0</c> or <c>0o</c>: <c>"0624"</c>, <c>"624"</c>, <c>"0o624"</c>.</param>
    /// <returns>The entry. Whether the digits are allowed (each 0, 2, 4 or 6) is judged by the publish, as for any entry.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="octal"/> is null.</exception>
    /// <exception cref="FormatException"><paramref name="octal"/> is not one to three octal digits.</exception>
    public static RsmAccessEntry FromOctal(uint nodeId, string octal)
    {
        ArgumentNullException.ThrowIfNull(octal);
        ReadOnlySpan<char> digits = octal.AsSpan().Trim();
        if (digits.StartsWith("0o", StringComparison.OrdinalIgnoreCase))
        {
            digits = digits[2..];
        }
        else if (digits.Length > 1 && digits[0] == '0')
        {
            digits = digits[1..];
        }

        uint value = 0;
        if (digits.IsEmpty || digits.Length > 3)
        {
            throw new FormatException(string.Create(CultureInfo.InvariantCulture, $"'{octal}' is not an octal permission of one to three digits (for example 0624)"));
        }

        foreach (char digit in digits)
        {
            if (digit is < '0' or > '7')
            {
                throw new FormatException(string.Create(CultureInfo.InvariantCulture, $"'{octal}' is not an octal permission: '{digit}' is not an octal digit"));
            }

            value = (value << 3) | (uint)(digit - '0');
        }

        return new RsmAccessEntry(nodeId, value);
    }

    /// <summary>An entry whose permission is a <see cref="UnixFileMode"/>: <c>FromMode(2, UserRead | UserWrite | GroupWrite | OtherRead)</c> is 0624.</summary>
    /// <param name="nodeId">The node allowed to connect.</param>
    /// <param name="mode">Owner, group and other bits only; execute bits are kept, for the publish to judge.</param>
    /// <returns>The entry.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="mode"/> has set-user-id, set-group-id or sticky bits, which an access list cannot hold.</exception>
    public static RsmAccessEntry FromMode(uint nodeId, UnixFileMode mode)
    {
        const uint PermissionBits = 0x1FF;
        if (((uint)mode & ~PermissionBits) != 0)
        {
            throw new ArgumentOutOfRangeException(nameof(mode), mode, "an access-list permission holds owner, group and other bits only");
        }

        return new RsmAccessEntry(nodeId, (uint)mode);
    }
}
