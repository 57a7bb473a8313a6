using System.Collections.Concurrent;
using Akka.Configuration;
using Akka.Dispatch;
using Akka.Event;

namespace Defuss.Actors;

/// <summary>
/// An Akka.NET scheduler on .NET's own timer queue: each scheduled message or action is one <see cref="Timer"/>, so
/// nothing runs while nothing is due. Akka's default scheduler ticks a periodic timer every 10 ms once anything is
/// scheduled, and each tick wakes a thread-pool thread: about 4 % of a core on a 2-core machine for a primary that has
/// nothing to do. Defuss's own actor system uses this one (<c>akka.scheduler.implementation</c>).
/// </summary>
/// <remarks>Timers fire on the thread pool with the timer queue's precision (about a millisecond).</remarks>
internal sealed class TimerQueueScheduler : SchedulerBase, IDateTimeOffsetNowTimeProvider, IDisposable
{
    // A timer must stay referenced while it is scheduled; this also lets Dispose stop every one.
    private readonly ConcurrentDictionary<Scheduled, byte> _scheduled = new();
    private volatile bool _disposed;

    public TimerQueueScheduler(Config scheduler, ILoggingAdapter log)
        : base(scheduler, log)
    {
    }

    /// <summary>The assembly-qualified name to give <c>akka.scheduler.implementation</c>.</summary>
    public static string ConfigName { get; } = typeof(TimerQueueScheduler).FullName + ", " + typeof(TimerQueueScheduler).Assembly.GetName().Name;

    private static readonly long Started = System.Diagnostics.Stopwatch.GetTimestamp();

    public override TimeSpan MonotonicClock => System.Diagnostics.Stopwatch.GetElapsedTime(Started);

    public override TimeSpan HighResMonotonicClock => MonotonicClock;

    /// <summary>How many messages and actions are scheduled now.</summary>
    public int Pending => _scheduled.Count;

    protected override DateTimeOffset TimeNow => DateTimeOffset.UtcNow;

    /// <summary>Cancels everything still scheduled; nothing scheduled afterwards runs.</summary>
    public void Dispose()
    {
        _disposed = true;
        foreach (var scheduled in _scheduled.Keys)
        {
            scheduled.Dispose();
        }
    }

    protected override void InternalScheduleTellOnce(TimeSpan delay, ICanTell receiver, object message, IActorRef sender, ICancelable cancelable) =>
        Schedule(delay, null, () => receiver.Tell(message, sender), cancelable);

    protected override void InternalScheduleTellRepeatedly(TimeSpan initialDelay, TimeSpan interval, ICanTell receiver, object message, IActorRef sender, ICancelable cancelable) =>
        Schedule(initialDelay, interval, () => receiver.Tell(message, sender), cancelable);

    protected override void InternalScheduleOnce(TimeSpan delay, Action action, ICancelable cancelable) =>
        Schedule(delay, null, action, cancelable);

    protected override void InternalScheduleOnce(TimeSpan delay, IRunnable action, ICancelable cancelable) =>
        Schedule(delay, null, action.Run, cancelable);

    protected override void InternalScheduleRepeatedly(TimeSpan initialDelay, TimeSpan interval, Action action, ICancelable cancelable) =>
        Schedule(initialDelay, interval, action, cancelable);

    protected override void InternalScheduleRepeatedly(TimeSpan initialDelay, TimeSpan interval, IRunnable action, ICancelable cancelable) =>
        Schedule(initialDelay, interval, action.Run, cancelable);

    private void Schedule(TimeSpan delay, TimeSpan? interval, Action run, ICancelable? cancelable)
    {
        if (_disposed || cancelable?.IsCancellationRequested == true)
        {
            return;
        }

        var scheduled = new Scheduled(this, run, interval is null, cancelable);
        _scheduled[scheduled] = 0;
        scheduled.Start(Clamp(delay), interval is { } every ? Clamp(every) : Timeout.InfiniteTimeSpan);
        if (_disposed)
        {
            scheduled.Dispose();
        }
    }

    // Akka allows zero and negative delays ("as soon as possible"); a timer wants a due time of at least zero.
    private static TimeSpan Clamp(TimeSpan delay) => delay < TimeSpan.Zero ? TimeSpan.Zero : delay;

    private sealed class Scheduled : IDisposable
    {
        private readonly TimerQueueScheduler _owner;
        private readonly Action _run;
        private readonly bool _once;
        private readonly ICancelable? _cancelable;
        private readonly Timer _timer;
        private CancellationTokenRegistration _registration;
        private int _disposed;

        public Scheduled(TimerQueueScheduler owner, Action run, bool once, ICancelable? cancelable)
        {
            _owner = owner;
            _run = run;
            _once = once;
            _cancelable = cancelable;
            _timer = new Timer(static state => ((Scheduled)state!).Fire(), this, Timeout.Infinite, Timeout.Infinite);
        }

        public void Start(TimeSpan due, TimeSpan period)
        {
            if (_cancelable is not null)
            {
                _registration = _cancelable.Token.Register(static state => ((Scheduled)state!).Dispose(), this);
            }

            _timer.Change(due, period);
        }

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0)
            {
                _timer.Dispose();
                _registration.Dispose();
                _owner._scheduled.TryRemove(this, out _);
            }
        }

        private void Fire()
        {
            if (Volatile.Read(ref _disposed) == 1 || _cancelable?.IsCancellationRequested == true)
            {
                return;
            }

            if (_once)
            {
                Dispose();
            }

            try
            {
                _run();
            }
            catch (Exception exception)
            {
                _owner.Log.Error(exception, "A scheduled message or action failed");
            }
        }
    }
}
