namespace Rsm.Engine;

/// <summary>Octal permission constants, written in hexadecimal because C# has no octal literals.</summary>
internal static class Octal
{
    public const uint Mode0777 = 0x1FF;
    public const uint Mode0666 = 0x1B6;
    public const uint Mode0600 = 0x180;
    public const uint Mode0444 = 0x124;
    public const uint Mode0222 = 0x92;
    public const uint Umask022 = 0x12;

    public static string Format(uint value) => "0" + Convert.ToString(value, 8);
}
