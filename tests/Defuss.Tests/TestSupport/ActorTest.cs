using Akka.Actor;
using Akka.Actor.Setup;
using Akka.Configuration;
using Akka.Hosting.Logging;
using Akka.TestKit;

namespace Defuss.Tests.TestSupport;

/// <summary>
/// An Akka.TestKit test on virtual time: the system's scheduler is a <see cref="TestScheduler"/> that moves only when
/// the test calls <c>Clock.Advance</c>, and it is also the actors' clock (<c>Scheduler.Now</c>). Defuss's own log lines
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
        : this(new ListLoggerProvider())
    {
    }

    private ActorTest(ListLoggerProvider logs)
        : base(SetupFor(logs), "test") => Logs = logs;

    /// <summary>The virtual clock of <see cref="Akka.TestKit.TestKitBase.Sys"/>.</summary>
    protected TestScheduler Clock => (TestScheduler)Sys.Scheduler;

    /// <summary>Every entry Defuss's actors logged through the system's logger factory.</summary>
    internal ListLoggerProvider Logs { get; }

    private static ActorSystemSetup SetupFor(ListLoggerProvider logs) =>
        BootstrapSetup.Create().WithConfig(ConfigurationFactory.ParseString(VirtualTime)).And(new LoggerFactorySetup(logs));
}
