using System.Globalization;

namespace Defuss.Bench.Load;

/// <summary>How the reports write numbers: invariant culture, units a person reads at a glance.</summary>
internal static class Units
{
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    /// <summary><c>39 B</c>, <c>9.9 KiB</c>, <c>64 KiB</c>, <c>61.2 MiB</c>.</summary>
    public static string Size(long bytes) => bytes switch
    {
        < 1024 => string.Create(Invariant, $"{bytes} B"),
        < 1024 * 1024 => Scaled(bytes / 1024.0, "KiB"),
        _ => Scaled(bytes / (1024.0 * 1024.0), "MiB"),
    };

    /// <summary><c>98,852</c>.</summary>
    public static string Rate(double perSecond) => perSecond.ToString("N0", Invariant);

    /// <summary><c>0.64 ms</c>, <c>12.3 ms</c>, <c>1,204 ms</c>.</summary>
    public static string Milliseconds(double milliseconds) => milliseconds switch
    {
        < 10 => string.Create(Invariant, $"{milliseconds:0.00} ms"),
        < 100 => string.Create(Invariant, $"{milliseconds:0.0} ms"),
        _ => string.Create(Invariant, $"{milliseconds:N0} ms"),
    };

    /// <summary><c>1.02×</c>, or an em dash when there is nothing to compare with.</summary>
    public static string Ratio(double? ratio) => ratio is { } value ? string.Create(Invariant, $"{value:0.00}×") : "—";

    /// <summary><c>18.2 µs</c>, or an em dash.</summary>
    public static string Microseconds(double? microseconds) => microseconds is { } value ? string.Create(Invariant, $"{value:0.0} µs") : "—";

    /// <summary>A count with separators: <c>1,204</c>.</summary>
    public static string Count(long count) => count.ToString("N0", Invariant);

    // Whole numbers print without a decimal (64 KiB), others with one (9.9 KiB).
    private static string Scaled(double value, string unit) =>
        Math.Abs(value - Math.Round(value)) < 0.05
            ? string.Create(Invariant, $"{Math.Round(value):0} {unit}")
            : string.Create(Invariant, $"{value:0.0} {unit}");
}
