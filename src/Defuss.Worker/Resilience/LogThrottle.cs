namespace Defuss.Worker.Resilience;

/// <summary>
/// Bounds how often one kind of log line is written, whatever the rate of what it reports: the first occurrence is
/// logged, then at most one every <c>interval</c>, and each logged one says how many were not logged since the last.
/// A storm of errors (an accept failing at EMFILE, a hostile client) then costs a few lines, not thousands a second.
/// Thread-safe.
/// </summary>
internal sealed class LogThrottle(TimeSpan interval, TimeProvider timeProvider)
{
    private readonly Lock _gate = new();
    private readonly long _intervalTicks = (long)(interval.Ticks * ((double)timeProvider.TimestampFrequency / TimeSpan.TicksPerSecond));
    private long _lastLogged;
    private bool _loggedOnce;
    private long _suppressed;

    /// <summary>
    /// One more occurrence: <c>true</c> if it may be logged now, with <paramref name="suppressed"/> the occurrences not
    /// logged since the last one that was; <c>false</c> if it is only counted.
    /// </summary>
    public bool TryLog(out long suppressed)
    {
        var now = timeProvider.GetTimestamp();
        lock (_gate)
        {
            if (_loggedOnce && now - _lastLogged < _intervalTicks)
            {
                _suppressed++;
                suppressed = 0;
                return false;
            }

            _loggedOnce = true;
            _lastLogged = now;
            suppressed = _suppressed;
            _suppressed = 0;
            return true;
        }
    }
}
