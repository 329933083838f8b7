using System.Globalization;

namespace Rsm.Engine;

/// <summary>The parser of the segment-id range file, exactly as RSMAPI 3.11 describes <c>rsm_get_segmentid_range</c>.</summary>
internal static class SegmentIdRangeFile
{
    private const int LineBuffer = 256;

    public static RsmSegmentIdRange Lookup(string path, string? appId)
    {
        if (appId is null)
        {
            RsmThrow.Error(RsmError.BadAddress, "the application id is null");
        }

        string[] lines;
        try
        {
            lines = ReadLines(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw RsmThrow.Create(RsmError.BadConfiguration, $"the segment-id range file '{path}' cannot be read", ex);
        }

        foreach (string raw in lines)
        {
            string line = raw.TrimStart(' ', '\t', '\r', '\n', '\f', '\v');
            if (line.StartsWith('#'))
            {
                continue;
            }

            string[] fields = Split(line);
            if (fields.Length < 4)
            {
                RsmThrow.Error(RsmError.BadConfiguration, $"'{path}': a line has fewer than four fields: '{raw}'");
            }

            if (!string.Equals(fields[1], appId, StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            if (!string.Equals(fields[0], "reserved", StringComparison.OrdinalIgnoreCase))
            {
                RsmThrow.Error(RsmError.BadConfiguration, $"'{path}': the entry for '{appId}' has keyword '{fields[0]}', not 'reserved'");
            }

            string hex = fields[2].StartsWith("0x", StringComparison.OrdinalIgnoreCase) ? fields[2][2..] : fields[2];
            if (!uint.TryParse(hex, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out uint baseId))
            {
                RsmThrow.Error(RsmError.BadConfiguration, $"'{path}': base id '{fields[2]}' of '{appId}' is not a 32-bit hexadecimal number");
            }

            // The length is parsed as a signed decimal and stored unsigned (RSMAPI A17).
            if (!int.TryParse(fields[3].TrimEnd(), NumberStyles.AllowLeadingSign | NumberStyles.AllowLeadingWhite, CultureInfo.InvariantCulture, out int length))
            {
                RsmThrow.Error(RsmError.BadConfiguration, $"'{path}': length '{fields[3]}' of '{appId}' is not a decimal number");
            }

            return new RsmSegmentIdRange(baseId, unchecked((uint)length));
        }

        RsmThrow.Error(RsmError.BadAppId, $"'{path}' has no entry for application id '{appId}'");
        return default;
    }

    private static string[] ReadLines(string path)
    {
        // Each line is read through a 256-byte buffer in C; longer lines continue as further lines.
        var result = new List<string>();
        foreach (string line in File.ReadAllText(path).Split('\n'))
        {
            for (int start = 0; ; start += LineBuffer - 1)
            {
                result.Add(line.Substring(start, Math.Min(LineBuffer - 1, line.Length - start)));
                if (start + LineBuffer - 1 >= line.Length)
                {
                    break;
                }
            }
        }

        if (result.Count > 0 && result[^1].Length == 0)
        {
            result.RemoveAt(result.Count - 1);
        }

        return [.. result];
    }

    private static string[] Split(string line)
    {
        var fields = new List<string>(4);
        int i = 0;
        while (fields.Count < 3)
        {
            while (i < line.Length && char.IsWhiteSpace(line[i]))
            {
                i++;
            }

            if (i >= line.Length)
            {
                return [.. fields];
            }

            int start = i;
            while (i < line.Length && !char.IsWhiteSpace(line[i]))
            {
                i++;
            }

            fields.Add(line[start..i]);
        }

        while (i < line.Length && char.IsWhiteSpace(line[i]))
        {
            i++;
        }

        string rest = line[i..].TrimEnd('\r', '\n');
        if (rest.Length > 0)
        {
            fields.Add(rest);
        }

        return [.. fields];
    }
}
