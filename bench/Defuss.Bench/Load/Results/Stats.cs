namespace Defuss.Bench.Load.Results;

/// <summary>The arithmetic of the reports: medians over rounds, percentiles of latencies, ratios between topologies.</summary>
internal static class Stats
{
    /// <summary>The middle value, or the mean of the two middle ones for an even count.</summary>
    public static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        if (sorted.Length == 0)
        {
            throw new ArgumentException("the median of nothing is undefined", nameof(values));
        }

        var middle = sorted.Length / 2;
        return sorted.Length % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
    }

    /// <summary>The median of the values that are there; null when none is.</summary>
    public static double? MedianOrNull(IEnumerable<double?> values)
    {
        var present = values.Where(v => v.HasValue).Select(v => v!.Value).ToArray();
        return present.Length == 0 ? null : Median(present);
    }

    /// <summary>The nearest-rank percentile of values sorted in ascending order: the smallest value with <paramref name="percentile"/> % of them at or below it.</summary>
    public static long Percentile(long[] sortedAscending, double percentile)
    {
        if (sortedAscending.Length == 0)
        {
            throw new ArgumentException("a percentile of nothing is undefined", nameof(sortedAscending));
        }

        if (percentile is <= 0 or > 100)
        {
            throw new ArgumentOutOfRangeException(nameof(percentile), percentile, "a percentile is above 0 and at most 100");
        }

        var rank = (int)Math.Ceiling(percentile / 100 * sortedAscending.Length);
        return sortedAscending[Math.Clamp(rank, 1, sortedAscending.Length) - 1];
    }

    /// <summary><paramref name="value"/> / <paramref name="baseline"/>; null when either is missing or the baseline is not above 0.</summary>
    public static double? Ratio(double? value, double? baseline) =>
        value is { } v && baseline is { } b && b > 0 ? v / b : null;

    /// <summary>Microseconds of CPU per request from clock ticks before and after a run; null without requests.</summary>
    public static double? CpuMicrosecondsPerRequest(long ticksBefore, long ticksAfter, long ticksPerSecond, long requests) =>
        requests > 0 && ticksPerSecond > 0 ? (ticksAfter - ticksBefore) * 1e6 / ticksPerSecond / requests : null;
}
