namespace Defuss.Cli.Rendering;

/// <summary>A row of block characters for a series of values, newest on the right.</summary>
internal static class Sparkline
{
    private const string Blocks = "▁▂▃▄▅▆▇█";
    private const string Ascii = "_.-:=+*#";

    /// <summary>
    /// <paramref name="values"/> scaled to <paramref name="max"/>, at most <paramref name="width"/> characters: a longer
    /// series is folded into buckets that keep their highest value, so that a spike stays visible.
    /// </summary>
    public static string Render(IReadOnlyList<double> values, double max, int width, bool unicode = true)
    {
        var ramp = unicode ? Blocks : Ascii;
        var buckets = Math.Min(values.Count, width);
        var chars = new char[width];
        Array.Fill(chars, ' ');
        for (var bucket = 0; bucket < buckets; bucket++)
        {
            var from = bucket * values.Count / buckets;
            var to = (bucket + 1) * values.Count / buckets;
            var peak = 0d;
            for (var i = from; i < to; i++)
            {
                peak = Math.Max(peak, values[i]);
            }

            var level = max <= 0 ? 0 : (int)Math.Round(Math.Clamp(peak / max, 0, 1) * (ramp.Length - 1));
            chars[width - buckets + bucket] = ramp[level];
        }

        return new string(chars);
    }
}
