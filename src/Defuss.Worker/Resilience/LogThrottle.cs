namespace Defuss.Worker.Resilience;

/// <summary>
/// Lets a log line that another party can repeat at will (a failing accept, a flood of refusals) through at most once per
/// interval, and counts the ones it held back so that the next line can say how many there were.
/// </summary>
internal sealed class LogThrottle(TimeProvider timeProvider, TimeSpan interval)
{
    /// <summary>The interval of the throttles on the data path: 10 s, a handful of lines a minute under any flood.</summary>
    public static readonly TimeSpan DefaultInterval = TimeSpan.FromSeconds(10);

    private readonly Lock _gate = new();
    private readonly long _intervalTicks = (long)(interval.TotalSeconds * timeProvider.TimestampFrequency);
    private long _next = long.MinValue;
    private long _held;

    /// <summary>
    /// Whether the line may be written now; when it may, <paramref name="occurrences"/> is how many times it happened since
    /// the last line written, this one included.
    /// </summary>
    public bool TryEnter(out long occurrences)
    {
        lock (_gate)
        {
            var now = timeProvider.GetTimestamp();
            _held++;
            if (_next != long.MinValue && now < _next)
            {
                occurrences = 0;
                return false;
            }

            occurrences = _held;
            _held = 0;
            _next = now + _intervalTicks;
            return true;
        }
    }
}
