namespace Defuss.Cli.Top;

/// <summary>
/// A per-second rate from a growing counter: the difference of two readings over the time between them. The time is
/// when the figure was measured (the primary's clock), so two snapshots that carry the same reading change nothing.
/// </summary>
internal sealed class RateMeter
{
    private long _count;
    private DateTimeOffset _at;
    private bool _started;

    /// <summary>The latest rate, or null before two readings (or after the counter went back).</summary>
    public double? PerSecond { get; private set; }

    public void Observe(long count, DateTimeOffset at)
    {
        if (_started && at <= _at)
        {
            return;
        }

        if (_started)
        {
            PerSecond = count >= _count ? (count - _count) / (at - _at).TotalSeconds : null;
        }

        _count = count;
        _at = at;
        _started = true;
    }
}
