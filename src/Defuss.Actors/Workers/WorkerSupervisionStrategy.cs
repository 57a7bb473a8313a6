using Microsoft.Extensions.Logging;

namespace Defuss.Actors.Workers;

/// <summary>
/// How the supervisor treats a fault in one of its worker actors (a bug in Defuss, not in the app): restart that actor,
/// which adopts its running process, up to 10 times a minute, then stop it (which ends its process). Each failure is one
/// warning-free error line with a stable event id, instead of Akka's own.
/// </summary>
internal sealed class WorkerSupervisionStrategy : OneForOneStrategy
{
    private readonly ILogger _logger;

    public WorkerSupervisionStrategy(ILogger logger)
        : base(10, 60_000, DefaultDecider, loggingEnabled: true) => _logger = logger;

    protected override void LogFailure(IActorContext context, IActorRef child, Exception cause, Directive directive) =>
        SupervisionLog.ChildFailed(_logger, child.Path.ToStringWithoutAddress(), directive, cause);
}

/// <summary>The supervision log messages; event ids are listed in <see cref="ActorsEventIds"/>.</summary>
internal static partial class SupervisionLog
{
    [LoggerMessage(EventId = ActorsEventIds.ChildFailed, Level = LogLevel.Error, Message = "Actor {Actor} failed; its supervisor decided {Directive}")]
    public static partial void ChildFailed(ILogger logger, string actor, Directive directive, Exception exception);
}
