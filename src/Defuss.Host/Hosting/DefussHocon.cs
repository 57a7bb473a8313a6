using Akka.Actor;
using Akka.Configuration;
using Akka.Hosting;
using Defuss.Actors;
using Defuss.Telemetry;

namespace Defuss.Hosting;

/// <summary>The Akka.NET settings Defuss needs in the primary's actor system.</summary>
internal static class DefussHocon
{
    /// <summary>How much longer than <c>GracefulShutdownTimeout</c> the drain may take: the kill, and the processes' exit.</summary>
    private static readonly TimeSpan DrainMargin = TimeSpan.FromSeconds(15);

    /// <summary>
    /// The primary leads its own shutdown: its signal handlers start the drain, and only then the host stops, which runs
    /// the coordinated shutdown; so Akka's own signal hook is off. Whoever else starts the coordinated shutdown, Defuss's
    /// drain runs in its <c>before-service-unbind</c> phase, which must then last as long as the drain may: the workers'
    /// <c>GracefulShutdownTimeout</c> and the kill after it. Akka's 5 s default would let the actors stop, and the
    /// workers be killed, while they still drain.
    /// </summary>
    public static Config ForPrimary(DefussOptions options) => ConfigurationFactory.ParseString(
        $"""
        akka.coordinated-shutdown.run-by-clr-shutdown-hook = off
        akka.coordinated-shutdown.phases.{CoordinatedShutdown.PhaseBeforeServiceUnbind}.timeout = {(long)(options.GracefulShutdownTimeout + DrainMargin).TotalMilliseconds}ms
        """);

    /// <summary>
    /// In a worker, the app's actor system (if it has one) stops with the worker's host, which SIGTERM stops and SIGINT
    /// does not: a terminal's Ctrl+C reaches every process of its group, and the primary leads the drain. Akka's own
    /// signal hook would stop the actor system under the app at the first Ctrl+C.
    /// </summary>
    public static Config ForWorker() => ConfigurationFactory.ParseString("akka.coordinated-shutdown.run-by-clr-shutdown-hook = off");

    /// <summary>
    /// The actor system Defuss creates for itself: Akka's warnings and errors go to Microsoft.Extensions.Logging under
    /// their own category, without Akka's own prefix; its information lines (the coordinated shutdown's progress, say)
    /// and the dead letters of a normal stop are left out; and its scheduler is one that costs nothing while nothing is
    /// due (<see cref="TimerQueueScheduler"/>).
    /// </summary>
    public static AkkaConfigurationBuilder WithDefussDefaults(this AkkaConfigurationBuilder builder)
    {
        builder.ConfigureLoggers(loggers =>
        {
            loggers.LogLevel = Akka.Event.LogLevel.WarningLevel;
            loggers.LogConfigOnStart = false;
            loggers.ClearLoggers();
            loggers.AddLogger<AkkaLogBridge>();
        });
        return builder.AddHocon(
            ConfigurationFactory.ParseString($"""
                akka.log-dead-letters-during-shutdown = off
                akka.stdout-loglevel = WARNING
                akka.scheduler.implementation = "{TimerQueueScheduler.ConfigName}"
                """),
            HoconAddMode.Prepend);
    }
}
