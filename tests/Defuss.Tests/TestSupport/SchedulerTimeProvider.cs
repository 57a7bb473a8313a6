using Akka.TestKit;

namespace Defuss.Tests.TestSupport;

/// <summary>
/// A <see cref="TimeProvider"/> whose timestamps are a <see cref="TestScheduler"/>'s virtual time: what the actors measure
/// durations with moves only when the test advances the scheduler, tick for tick. Its wall clock is the scheduler's too,
/// plus <see cref="WallClockStep"/>, which a test sets to step the wall clock (as NTP or an operator would) without
/// moving the timestamps.
/// </summary>
internal sealed class SchedulerTimeProvider : TimeProvider
{
    private TestScheduler? _scheduler;

    /// <summary>How far the wall clock has been stepped away from the virtual time.</summary>
    public TimeSpan WallClockStep { get; set; }

    public override long TimestampFrequency => TimeSpan.TicksPerSecond;

    private TestScheduler Scheduler => _scheduler ?? throw new InvalidOperationException("No actor system has asked for this clock yet.");

    /// <summary>Follows <paramref name="scheduler"/>, the scheduler of the system that asks for this clock.</summary>
    public SchedulerTimeProvider Follow(TestScheduler scheduler)
    {
        _scheduler = scheduler;
        return this;
    }

    public override DateTimeOffset GetUtcNow() => Scheduler.Now + WallClockStep;

    public override long GetTimestamp() => Scheduler.Now.UtcTicks;
}
