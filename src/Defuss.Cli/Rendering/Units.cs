using System.Globalization;

namespace Defuss.Cli.Rendering;

/// <summary>Durations, sizes and rates the way a person reads them at a glance.</summary>
internal static class Units
{
    private static readonly string[] ByteUnits = ["B", "KiB", "MiB", "GiB", "TiB"];

    /// <summary><c>12s</c>, <c>5m 03s</c>, <c>2h 05m</c>, <c>3d 04h</c>.</summary>
    public static string Duration(double seconds)
    {
        if (double.IsNaN(seconds) || seconds < 0)
        {
            return "-";
        }

        var whole = (long)seconds;
        return whole switch
        {
            < 60 => Invariant($"{whole}s"),
            < 3600 => Invariant($"{whole / 60}m {whole % 60:00}s"),
            < 86400 => Invariant($"{whole / 3600}h {whole / 60 % 60:00}m"),
            _ => Invariant($"{whole / 86400}d {whole / 3600 % 24:00}h"),
        };
    }

    /// <summary><c>512 B</c>, <c>70.0 MiB</c>, <c>1.2 GiB</c>.</summary>
    public static string Bytes(long bytes)
    {
        if (bytes < 1024)
        {
            return Invariant($"{Math.Max(bytes, 0)} B");
        }

        var value = (double)bytes;
        var unit = 0;
        while (value >= 1024 && unit < ByteUnits.Length - 1)
        {
            value /= 1024;
            unit++;
        }

        return Invariant($"{value:0.0} {ByteUnits[unit]}");
    }

    /// <summary><c>3.5%</c>.</summary>
    public static string Percent(double percent) => Invariant($"{percent:0.0}%");

    /// <summary><c>250.0</c> requests a second, or <c>-</c> before there are two samples to compare.</summary>
    public static string Rate(double? perSecond) => perSecond is { } rate ? Invariant($"{rate:0.0}") : "-";

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
