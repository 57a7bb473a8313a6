namespace Defuss.Tests.TestSupport;

/// <summary>
/// A clock that moves only when told to. <see cref="Advance"/> fires the timers that fall due, one at a time, in the
/// order they were due (ties in the order they were armed), each seeing the clock at its own due time.
/// </summary>
internal sealed class ManualTimeProvider : TimeProvider
{
    private readonly object _gate = new();
    private readonly List<ManualTimer> _timers = [];
    private DateTimeOffset _now;
    private long _sequence;

    /// <summary>A clock that starts at <paramref name="start"/> (defaults to 2026-01-01T00:00Z).</summary>
    public ManualTimeProvider(DateTimeOffset? start = null) =>
        _now = start ?? new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>How many timers are armed.</summary>
    public int ActiveTimers
    {
        get
        {
            lock (_gate)
            {
                return _timers.Count;
            }
        }
    }

    /// <summary>How many armed timers fall due at <paramref name="due"/>.</summary>
    public int TimersDueAt(DateTimeOffset due)
    {
        lock (_gate)
        {
            return _timers.Count(timer => timer.Due == due);
        }
    }

    public override TimeZoneInfo LocalTimeZone => TimeZoneInfo.Utc;

    public override long TimestampFrequency => TimeSpan.TicksPerSecond;

    public override DateTimeOffset GetUtcNow()
    {
        lock (_gate)
        {
            return _now;
        }
    }

    public override long GetTimestamp() => GetUtcNow().UtcTicks;

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        ArgumentNullException.ThrowIfNull(callback);
        var timer = new ManualTimer(this, callback, state);
        timer.Change(dueTime, period);
        return timer;
    }

    /// <summary>Moves the clock forward by <paramref name="delta"/>, firing every timer that falls due on the way.</summary>
    public void Advance(TimeSpan delta)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(delta, TimeSpan.Zero);
        DateTimeOffset target;
        lock (_gate)
        {
            target = _now + delta;
        }

        while (true)
        {
            ManualTimer? due = null;
            lock (_gate)
            {
                foreach (var timer in _timers)
                {
                    if (timer.Due <= target && (due is null || timer.Due < due.Due || (timer.Due == due.Due && timer.Sequence < due.Sequence)))
                    {
                        due = timer;
                    }
                }

                if (due is null)
                {
                    _now = target;
                    return;
                }

                if (due.Due > _now)
                {
                    _now = due.Due;
                }

                if (due.Period == Timeout.InfiniteTimeSpan)
                {
                    _timers.Remove(due);
                }
                else
                {
                    due.Due += due.Period;
                    due.Sequence = ++_sequence;
                }
            }

            due.Callback(due.State);
        }
    }

    private bool Arm(ManualTimer timer, TimeSpan dueTime, TimeSpan period)
    {
        lock (_gate)
        {
            // As with a real timer, a disposed timer cannot be armed again.
            if (timer.Disposed)
            {
                return false;
            }

            _timers.Remove(timer);
            if (dueTime != Timeout.InfiniteTimeSpan)
            {
                ArgumentOutOfRangeException.ThrowIfLessThan(dueTime, TimeSpan.Zero);
                timer.Due = _now + dueTime;
                timer.Period = period == TimeSpan.Zero ? Timeout.InfiniteTimeSpan : period;
                timer.Sequence = ++_sequence;
                _timers.Add(timer);
            }

            return true;
        }
    }

    private void Disarm(ManualTimer timer)
    {
        lock (_gate)
        {
            timer.Disposed = true;
            _timers.Remove(timer);
        }
    }

    private sealed class ManualTimer(ManualTimeProvider owner, TimerCallback callback, object? state) : ITimer
    {
        public TimerCallback Callback { get; } = callback;

        public object? State { get; } = state;

        public DateTimeOffset Due { get; set; }

        public TimeSpan Period { get; set; }

        public long Sequence { get; set; }

        public bool Disposed { get; set; }

        public bool Change(TimeSpan dueTime, TimeSpan period) => owner.Arm(this, dueTime, period);

        public void Dispose() => owner.Disarm(this);

        public ValueTask DisposeAsync()
        {
            Dispose();
            return ValueTask.CompletedTask;
        }
    }
}
