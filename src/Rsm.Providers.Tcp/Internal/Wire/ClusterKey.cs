using System.Buffers;
using System.Buffers.Text;
using System.Text;
using Rsm.Engine;

namespace Rsm.Providers.Tcp.Internal.Wire;

/// <summary>
/// Loads the cluster key that every node of a cluster shares, from configuration text or from a file. Text is hex or
/// base64, optionally marked with a <c>hex:</c> or <c>base64:</c> prefix; without a prefix, text made only of an even
/// number of hex digits is hex, anything else base64. A file holds such text, or else the raw key bytes.
/// </summary>
internal static class ClusterKey
{
    /// <summary>The shortest key accepted, in bytes.</summary>
    public const int MinimumLength = 16;

    // A key file is small; refusing big ones keeps a wrong path (a disk image, /dev/zero) from being read whole.
    private const int MaxFileLength = 64 * 1024;

    private static readonly SearchValues<char> s_hexDigits = SearchValues.Create("0123456789abcdefABCDEF");

    /// <summary>
    /// Loads the key from <paramref name="inline"/> text or, when that is empty, from the file <paramref name="path"/>.
    /// </summary>
    /// <exception cref="RsmException">BadConfiguration (44): both or neither are given, the text does not decode, the file cannot be read, or the key is shorter than <see cref="MinimumLength"/> bytes.</exception>
    public static byte[] Load(string? inline, string? path)
    {
        bool hasInline = !string.IsNullOrWhiteSpace(inline);
        bool hasPath = !string.IsNullOrWhiteSpace(path);
        if (hasInline == hasPath)
        {
            throw RsmThrow.Create(RsmError.BadConfiguration, hasInline
                ? "both ClusterKey and ClusterKeyFile are set; set exactly one"
                : "no cluster key: set ClusterKey (base64 or hex text) or ClusterKeyFile");
        }

        return hasInline ? Parse(inline!) : LoadFile(path!);
    }

    /// <summary>Decodes a key written as hex or base64 text.</summary>
    /// <exception cref="RsmException">BadConfiguration (44): the text is neither hex nor base64, or decodes to fewer than <see cref="MinimumLength"/> bytes.</exception>
    public static byte[] Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (!TryParse(text, out byte[]? key, out string? problem))
        {
            throw RsmThrow.Create(RsmError.BadConfiguration, $"the cluster key text {problem}");
        }

        return CheckLength(key, "the cluster key text");
    }

    /// <summary>Reads a key file: hex or base64 text, or else the raw key bytes.</summary>
    /// <exception cref="RsmException">BadConfiguration (44): the file cannot be read, is empty or too large, or holds fewer than <see cref="MinimumLength"/> key bytes.</exception>
    public static byte[] LoadFile(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        byte[] content;
        try
        {
            using FileStream file = File.OpenRead(path);
            if (file.Length > MaxFileLength)
            {
                throw new IOException($"it has {file.Length} bytes; a key file holds at most {MaxFileLength}");
            }

            content = new byte[file.Length];
            file.ReadExactly(content);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or NotSupportedException)
        {
            throw RsmThrow.Create(RsmError.BadConfiguration, $"the cluster key file '{path}' cannot be read: {ex.Message}", ex);
        }

        string? text = AsText(content);
        if (text is not null && TryParse(text, out byte[]? decoded, out _))
        {
            return CheckLength(decoded, $"the cluster key file '{path}'");
        }

        return CheckLength(content, $"the cluster key file '{path}'");
    }

    private static bool TryParse(string text, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out byte[]? key, [System.Diagnostics.CodeAnalysis.NotNullWhen(false)] out string? problem)
    {
        ReadOnlySpan<char> value = text.AsSpan().Trim();
        key = null;
        if (value.StartsWith("hex:", StringComparison.OrdinalIgnoreCase))
        {
            return TryHex(value[4..].Trim(), out key, out problem);
        }

        if (value.StartsWith("base64:", StringComparison.OrdinalIgnoreCase))
        {
            return TryBase64(value[7..].Trim(), out key, out problem);
        }

        if (value.IsEmpty)
        {
            problem = "is empty";
            return false;
        }

        return IsHex(value) ? TryHex(value, out key, out problem) : TryBase64(value, out key, out problem);
    }

    private static bool IsHex(ReadOnlySpan<char> value) => value.Length % 2 == 0 && !value.ContainsAnyExcept(s_hexDigits);

    private static bool TryHex(ReadOnlySpan<char> value, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out byte[]? key, [System.Diagnostics.CodeAnalysis.NotNullWhen(false)] out string? problem)
    {
        key = null;
        if (!IsHex(value))
        {
            problem = "is not valid hex (an even number of the digits 0-9, a-f)";
            return false;
        }

        key = Convert.FromHexString(value);
        problem = null;
        return true;
    }

    private static bool TryBase64(ReadOnlySpan<char> value, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out byte[]? key, [System.Diagnostics.CodeAnalysis.NotNullWhen(false)] out string? problem)
    {
        key = null;
        byte[] buffer = new byte[Base64.GetMaxDecodedFromUtf8Length(value.Length)];
        if (!Convert.TryFromBase64Chars(value, buffer, out int written))
        {
            problem = "is neither hex nor valid base64";
            return false;
        }

        key = buffer.AsSpan(0, written).ToArray();
        problem = null;
        return true;
    }

    private static string? AsText(byte[] content)
    {
        // Only printable ASCII and whitespace count as text; a raw key almost surely contains other bytes.
        foreach (byte b in content)
        {
            if (b is not ((>= 0x20 and < 0x7F) or (byte)'\n' or (byte)'\r' or (byte)'\t'))
            {
                return null;
            }
        }

        return Encoding.ASCII.GetString(content);
    }

    private static byte[] CheckLength(byte[] key, string source)
    {
        if (key.Length < MinimumLength)
        {
            throw RsmThrow.Create(RsmError.BadConfiguration, $"{source} yields a {key.Length}-byte key; at least {MinimumLength} bytes are required");
        }

        return key;
    }
}
