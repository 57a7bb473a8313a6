using Akka.Actor;
using Akka.Actor.Setup;
using Akka.Configuration;
using Akka.Hosting.Logging;
using Akka.TestKit;

namespace Defuss.Tests.TestSupport;

/// <summary>
/// An Akka.TestKit test on virtual time: the system's scheduler is a <see cref="TestScheduler"/> that moves only when
/// the test calls <c>Clock.Advance</c>, and it is also the clock the actors measure durations with (a
/// <see cref="SchedulerTimeProvider"/>, given through <see cref="Defuss.Actors.TimeProviderSetup"/>). Defuss's own log lines
/// (with their event ids) go to <see cref="Logs"/>.
/// </summary>
/// <remarks>
/// Advance the clock only once the message that arms a timer has been handled: wait for an event the actor sends after
/// arming it, never sleep.
/// </remarks>
public abstract class ActorTest : Akka.TestKit.Xunit2.TestKit
{
    private const string VirtualTime = """
        akka.scheduler.implementation = "Akka.TestKit.TestScheduler, Akka.TestKit"
        akka.loglevel = WARNING
        akka.stdout-loglevel = WARNING
        akka.log-dead-letters = off
        akka.log-dead-letters-during-shutdown = off
        """;

    protected ActorTest()
        : this(new ListLoggerProvider(), new SchedulerTimeProvider())
    {
    }

    private ActorTest(ListLoggerProvider logs, SchedulerTimeProvider time)
        : base(SetupFor(logs, time), "test")
    {
        Logs = logs;
        Time = time;
    }

    /// <summary>The virtual clock of <see cref="Akka.TestKit.TestKitBase.Sys"/>.</summary>
    protected TestScheduler Clock => (TestScheduler)Sys.Scheduler;

    /// <summary>The actors' clock: <see cref="Clock"/>'s virtual time, whose wall clock a test may step.</summary>
    internal SchedulerTimeProvider Time { get; }

    /// <summary>Every entry Defuss's actors logged through the system's logger factory.</summary>
    internal ListLoggerProvider Logs { get; }

    private static ActorSystemSetup SetupFor(ListLoggerProvider logs, SchedulerTimeProvider time) =>
        BootstrapSetup.Create().WithConfig(ConfigurationFactory.ParseString(VirtualTime))
            .And(new LoggerFactorySetup(logs))
            .And(new Defuss.Actors.TimeProviderSetup(system => time.Follow((TestScheduler)system.Scheduler)));
}
