namespace Defuss.Actors;

/// <summary>Implemented by actors that use keyed timers; the system sets <see cref="Timers"/> before <c>PreStart</c>.</summary>
public interface IWithTimers
{
    /// <summary>This actor's timers. Set by the system; start timers in <c>PreStart</c> or in handlers.</summary>
    ITimerScheduler Timers { get; set; }
}

/// <summary>
/// Keyed timers that send a message to their actor, on the system's <see cref="TimeProvider"/>.
/// Starting a key again replaces its timer; no message of a cancelled or replaced timer, or of one
/// from before a restart or stop, is ever delivered.
/// </summary>
public interface ITimerScheduler
{
    /// <summary>Sends <paramref name="message"/> once, after <paramref name="delay"/>.</summary>
    void StartSingleTimer(object key, object message, TimeSpan delay);

    /// <summary>Sends <paramref name="message"/> every <paramref name="interval"/>, the first time after one interval.</summary>
    void StartPeriodicTimer(object key, object message, TimeSpan interval);

    /// <summary>Sends <paramref name="message"/> after <paramref name="initialDelay"/>, then every <paramref name="interval"/>.</summary>
    void StartPeriodicTimer(object key, object message, TimeSpan initialDelay, TimeSpan interval);

    /// <summary>Whether a timer with this key is pending (a single timer stops being active once its message is handled).</summary>
    bool IsTimerActive(object key);

    /// <summary>Cancels the timer with this key, if any; its message is not delivered even if already enqueued.</summary>
    void Cancel(object key);

    /// <summary>Cancels every timer of this actor.</summary>
    void CancelAll();
}

/// <summary>A timer's message as it travels through the mailbox, checked against the live timer on arrival.</summary>
internal sealed record TimerEnvelope(object Key, long Generation, object Message);

internal sealed class TimerScheduler(ActorCell cell) : ITimerScheduler
{
    private readonly Dictionary<object, TimerEntry> _timers = [];
    private long _generation;

    public void StartSingleTimer(object key, object message, TimeSpan delay) =>
        Start(key, message, delay, Timeout.InfiniteTimeSpan);

    public void StartPeriodicTimer(object key, object message, TimeSpan interval) =>
        StartPeriodicTimer(key, message, interval, interval);

    public void StartPeriodicTimer(object key, object message, TimeSpan initialDelay, TimeSpan interval)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(interval, TimeSpan.Zero);
        Start(key, message, initialDelay, interval);
    }

    public bool IsTimerActive(object key)
    {
        lock (_timers)
        {
            return _timers.ContainsKey(key);
        }
    }

    public void Cancel(object key)
    {
        lock (_timers)
        {
            if (_timers.Remove(key, out var entry))
            {
                entry.Timer.Dispose();
            }
        }
    }

    public void CancelAll()
    {
        lock (_timers)
        {
            foreach (var entry in _timers.Values)
            {
                entry.Timer.Dispose();
            }

            _timers.Clear();
        }
    }

    /// <summary>Unwraps a timer message if its timer is still the live one for its key; a single timer is then done.</summary>
    internal bool TryAccept(TimerEnvelope envelope, out object message)
    {
        lock (_timers)
        {
            if (_timers.TryGetValue(envelope.Key, out var entry) && entry.Generation == envelope.Generation)
            {
                if (!entry.Periodic)
                {
                    _timers.Remove(envelope.Key);
                    entry.Timer.Dispose();
                }

                message = envelope.Message;
                return true;
            }
        }

        message = null!;
        return false;
    }

    private void Start(object key, object message, TimeSpan delay, TimeSpan period)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(message);
        ArgumentOutOfRangeException.ThrowIfLessThan(delay, TimeSpan.Zero);
        lock (_timers)
        {
            if (_timers.Remove(key, out var old))
            {
                old.Timer.Dispose();
            }

            var envelope = new TimerEnvelope(key, ++_generation, message);
            var timer = cell.System.TimeProvider.CreateTimer(
                static state =>
                {
                    var (target, envelope) = ((ActorCell, TimerEnvelope))state!;
                    target.Post(envelope, ActorRefs.Nobody);
                },
                (cell, envelope),
                delay,
                period);
            _timers[key] = new TimerEntry(timer, envelope.Generation, period != Timeout.InfiniteTimeSpan);
        }
    }

    private sealed record TimerEntry(ITimer Timer, long Generation, bool Periodic);
}
