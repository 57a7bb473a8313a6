using Akka.Actor.Setup;

namespace Defuss.Actors;

/// <summary>
/// The clock Defuss's actors measure durations with (restart windows, stop deadlines, silences, ejections). Its
/// timestamps are monotonic, so a step of the wall clock (NTP, a suspended VM, an operator) changes none of them; Akka's
/// <c>Scheduler.Now</c> is a wall clock. It is <see cref="TimeProvider.System"/> unless the actor system was created with a
/// <see cref="TimeProviderSetup"/>: the tests give one whose timestamps follow their virtual scheduler (Akka's
/// <c>TestScheduler.MonotonicClock</c> returns real time, so it cannot be the test's clock).
/// </summary>
internal static class ActorTime
{
    /// <summary>The clock of <paramref name="system"/>'s actors; an actor reads it once, when it is created.</summary>
    public static TimeProvider Of(ActorSystem system)
    {
        var setup = system.Settings.Setup.Get<TimeProviderSetup>();
        return setup.HasValue ? setup.Value.For(system) : TimeProvider.System;
    }

    /// <summary>The timestamp <paramref name="delay"/> after <paramref name="timestamp"/> on <paramref name="clock"/>.</summary>
    public static long After(this TimeProvider clock, long timestamp, TimeSpan delay) =>
        timestamp + (long)(delay.Ticks * ((double)clock.TimestampFrequency / TimeSpan.TicksPerSecond));
}

/// <summary>
/// Gives the actors of a system a clock of its own (see <see cref="ActorTime"/>): a function of the system, so that a
/// test's clock can follow the system's own virtual scheduler.
/// </summary>
internal sealed class TimeProviderSetup(Func<ActorSystem, TimeProvider> clockFor) : Setup
{
    /// <summary>The clock for <paramref name="system"/>.</summary>
    public TimeProvider For(ActorSystem system) => clockFor(system);
}
