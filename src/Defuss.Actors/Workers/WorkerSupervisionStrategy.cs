using Microsoft.Extensions.Logging;

namespace Defuss.Actors.Workers;

/// <summary>
/// How the supervisor treats a fault in one of its worker actors (a bug in Defuss, not in the app): restart that actor,
/// which adopts its running process, up to <see cref="MaxRestarts"/> times a minute, then stop it (which ends its
/// process; the supervisor, which watches it, then replaces it or gives the worker up). Each failure is one error line
/// with a stable event id, instead of Akka's own, and is handed to <c>onFailure</c> (on the supervisor's thread).
/// </summary>
internal sealed class WorkerSupervisionStrategy : OneForOneStrategy
{
    /// <summary>How many restarts a worker actor gets within <see cref="Window"/> before it is stopped.</summary>
    public const int MaxRestarts = 10;

    /// <summary>The window <see cref="MaxRestarts"/> counts in.</summary>
    public static readonly TimeSpan Window = TimeSpan.FromMinutes(1);

    private readonly ILogger _logger;
    private readonly Action<IActorRef, Exception>? _onFailure;

    public WorkerSupervisionStrategy(ILogger logger, Action<IActorRef, Exception>? onFailure = null)
        : base(MaxRestarts, (int)Window.TotalMilliseconds, DefaultDecider, loggingEnabled: true)
    {
        _logger = logger;
        _onFailure = onFailure;
    }

    protected override void LogFailure(IActorContext context, IActorRef child, Exception cause, Directive directive)
    {
        _onFailure?.Invoke(child, cause);
        SupervisionLog.ChildFailed(_logger, child.Path.ToStringWithoutAddress(), directive, cause);
    }
}

/// <summary>The supervision log messages; event ids are listed in <see cref="ActorsEventIds"/>.</summary>
internal static partial class SupervisionLog
{
    [LoggerMessage(EventId = ActorsEventIds.ChildFailed, Level = LogLevel.Error, Message = "Actor {Actor} failed; its supervisor decided {Directive}")]
    public static partial void ChildFailed(ILogger logger, string actor, Directive directive, Exception exception);

    [LoggerMessage(EventId = ActorsEventIds.WorkerActorReplaced, Level = LogLevel.Error, Message = "Actor {Actor} kept failing and was stopped (the last fault: {Fault}); its process {Pid} was killed, and worker {Index} starts again under a new actor")]
    public static partial void WorkerActorReplaced(ILogger logger, string actor, string fault, int pid, int index);

    [LoggerMessage(EventId = ActorsEventIds.WorkerActorGivenUp, Level = LogLevel.Error, Message = "Actor {Actor} kept failing and was stopped again within {Window} (the last fault: {Fault}); its process {Pid} was killed, and worker {Index} is given up")]
    public static partial void WorkerActorGivenUp(ILogger logger, string actor, TimeSpan window, string fault, int pid, int index);
}
