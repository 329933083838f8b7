using System.Text;
using System.Text.Json;

namespace Rsm.Tool;

/// <summary>Writes one JSON document as one line of text.</summary>
internal static class JsonOutput
{
    public static void WriteLine(TextWriter output, Action<Utf8JsonWriter> write)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = false }))
        {
            write(writer);
        }

        output.WriteLine(Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length));
        output.Flush();
    }

    /// <summary>Writes <paramref name="value"/> as an integer when it is one, else as a number; null stays null.</summary>
    public static void WriteNumber(Utf8JsonWriter writer, string name, double? value)
    {
        if (value is not { } v || double.IsNaN(v) || double.IsInfinity(v))
        {
            writer.WriteNull(name);
        }
        else if (v == Math.Floor(v) && Math.Abs(v) < 9e15)
        {
            writer.WriteNumber(name, (long)v);
        }
        else
        {
            writer.WriteNumber(name, v);
        }
    }
}
