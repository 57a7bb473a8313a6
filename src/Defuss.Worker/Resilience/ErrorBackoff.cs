namespace Defuss.Worker.Resilience;

/// <summary>
/// The pause before a loop tries again after an error (an accept at EMFILE, say): it starts at <see cref="Min"/>,
/// doubles with every error in a row up to <see cref="Max"/>, and starts again from <see cref="Min"/> after a success.
/// A loop that retried at once would spin at 100 % CPU for as long as the error lasts. Not thread-safe: one per loop.
/// </summary>
internal struct ErrorBackoff
{
    private TimeSpan _next;

    public ErrorBackoff(TimeSpan min, TimeSpan max)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(min, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThan(max, min);
        Min = min;
        Max = max;
        _next = min;
    }

    /// <summary>The accept loops' bounds: 10 ms, doubling to 1 s, as the front door's.</summary>
    public static ErrorBackoff ForAccept => new(TimeSpan.FromMilliseconds(10), TimeSpan.FromSeconds(1));

    public TimeSpan Min { get; }

    public TimeSpan Max { get; }

    /// <summary>The pause after one more error in a row.</summary>
    public TimeSpan Next()
    {
        var delay = _next;
        _next = _next.Ticks >= Max.Ticks / 2 ? Max : TimeSpan.FromTicks(_next.Ticks * 2);
        return delay;
    }

    /// <summary>A success: the next error pauses <see cref="Min"/> again.</summary>
    public void Reset() => _next = Min;
}
