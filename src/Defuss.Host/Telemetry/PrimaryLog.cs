using System.Net;
using Microsoft.Extensions.Logging;

namespace Defuss.Telemetry;

/// <summary>The primary's log messages.</summary>
internal static partial class PrimaryLog
{
    [LoggerMessage(EventId = HostEventIds.PrimaryStarted, Level = LogLevel.Information, Message = "Defuss primary {Pid} starting {Workers} workers (load balancer {LoadBalancer})")]
    public static partial void Started(ILogger logger, int pid, int workers, string loadBalancer);

    [LoggerMessage(EventId = HostEventIds.PrimaryListening, Level = LogLevel.Information, Message = "Defuss primary {Pid} listening on {Urls}")]
    public static partial void Listening(ILogger logger, int pid, string urls);

    [LoggerMessage(EventId = HostEventIds.EndpointsFromAspNet, Level = LogLevel.Information, Message = "The front door listens where ASP.NET Core would: {Setting} (Defuss:Port and Defuss:Host are not set)")]
    public static partial void EndpointsFromAspNet(ILogger logger, string setting);

    [LoggerMessage(EventId = HostEventIds.UrlsIgnored, Level = LogLevel.Warning, Message = "The front door does not listen on {Urls} from {Source}: it takes plain TCP, and TLS ends in the workers (DefussOptions.ConfigureWorkerEndpoint)")]
    public static partial void UrlsIgnored(ILogger logger, string urls, string source);

    [LoggerMessage(EventId = HostEventIds.PrimaryStopping, Level = LogLevel.Information, Message = "Defuss primary {Pid} stopping: {Reason}")]
    public static partial void Stopping(ILogger logger, int pid, string reason);

    [LoggerMessage(EventId = HostEventIds.PrimaryStopped, Level = LogLevel.Information, Message = "Defuss primary {Pid} stopped")]
    public static partial void Stopped(ILogger logger, int pid);

    [LoggerMessage(EventId = HostEventIds.ForcedStop, Level = LogLevel.Warning, Message = "Second signal: stopping at once")]
    public static partial void ForcedStop(ILogger logger);

    [LoggerMessage(EventId = HostEventIds.DeliveryChosen, Level = LogLevel.Information, Message = "Defuss delivers connections by {Delivery}: {Reason}")]
    public static partial void DeliveryChosen(ILogger logger, string delivery, string reason);

    [LoggerMessage(EventId = HostEventIds.StartupFailed, Level = LogLevel.Critical, Message = "Defuss cannot start: {Reason}")]
    public static partial void StartupFailed(ILogger logger, string reason);

    [LoggerMessage(EventId = HostEventIds.WorkerStarted, Level = LogLevel.Information, Message = "Worker {Index} started: pid {Pid}, endpoint {Endpoint} (incarnation {Incarnation})")]
    public static partial void WorkerStarted(ILogger logger, int index, int pid, string endpoint, long incarnation);

    [LoggerMessage(EventId = HostEventIds.WorkerReady, Level = LogLevel.Information, Message = "Worker {Index} ready: pid {Pid} serving on {Endpoint}")]
    public static partial void WorkerReady(ILogger logger, int index, int pid, string endpoint);

    [LoggerMessage(EventId = HostEventIds.WorkerExited, Level = LogLevel.Warning, Message = "Worker {Index} (pid {Pid}) exited with {Exit}; its last error output:\n{ErrorOutput}")]
    public static partial void WorkerExited(ILogger logger, int index, int pid, Defuss.Actors.Workers.WorkerExit exit, string errorOutput);

    [LoggerMessage(EventId = HostEventIds.WorkerExited, Level = LogLevel.Information, Message = "Worker {Index} (pid {Pid}) stopped with {Exit}")]
    public static partial void WorkerStopped(ILogger logger, int index, int pid, Defuss.Actors.Workers.WorkerExit exit);

    [LoggerMessage(EventId = HostEventIds.WorkerRespawnScheduled, Level = LogLevel.Information, Message = "Worker {Index} will be started again in {DelayMs} ms")]
    public static partial void WorkerRespawnScheduled(ILogger logger, int index, long delayMs);

    [LoggerMessage(EventId = HostEventIds.WorkerLaunchFailed, Level = LogLevel.Error, Message = "Worker {Index} could not be started: {Reason}")]
    public static partial void WorkerLaunchFailed(ILogger logger, int index, string reason);

    [LoggerMessage(EventId = HostEventIds.WorkerStartupTimedOut, Level = LogLevel.Warning, Message = "Worker {Index} (pid {Pid}) was not ready within {TimeoutMs} ms; replacing it")]
    public static partial void WorkerStartupTimedOut(ILogger logger, int index, int pid, long timeoutMs);

    [LoggerMessage(EventId = HostEventIds.WorkerHelloRejected, Level = LogLevel.Warning, Message = "A control connection claiming to be worker {Index} (pid {Pid}) was refused: {Reason}")]
    public static partial void WorkerHelloRejected(ILogger logger, int index, int pid, string reason);

    [LoggerMessage(EventId = HostEventIds.WorkerStale, Level = LogLevel.Warning, Message = "Worker {Index} (pid {Pid}) sent no heartbeat for {SilenceMs} ms: routed around, stopped and replaced")]
    public static partial void WorkerStale(ILogger logger, int index, int pid, long silenceMs);

    [LoggerMessage(EventId = HostEventIds.WorkerGaveUp, Level = LogLevel.Error, Message = "Worker {Index} is given up: it exited more than {MaxRestarts} times within {Window}; last, pid {Pid} exited with {Exit}; its last error output:\n{ErrorOutput}")]
    public static partial void WorkerGaveUp(ILogger logger, int index, int maxRestarts, TimeSpan window, int pid, Defuss.Actors.Workers.WorkerExit exit, string errorOutput);

    [LoggerMessage(EventId = HostEventIds.AllWorkersGaveUp, Level = LogLevel.Critical, Message = "Every worker ({Workers}) has been given up; the primary stops with exit code 1")]
    public static partial void AllWorkersGaveUp(ILogger logger, int workers);

    [LoggerMessage(EventId = HostEventIds.RollingRestart, Level = LogLevel.Information, Message = "Rolling restart of every worker ({Reason})")]
    public static partial void RollingRestart(ILogger logger, string reason);

    [LoggerMessage(EventId = HostEventIds.RollingRestartCompleted, Level = LogLevel.Information, Message = "Rolling restart done: {Replaced} workers replaced")]
    public static partial void RollingRestartCompleted(ILogger logger, int replaced);

    [LoggerMessage(EventId = HostEventIds.RollingRestartAbandoned, Level = LogLevel.Warning, Message = "Rolling restart abandoned: {Reason}")]
    public static partial void RollingRestartAbandoned(ILogger logger, string reason);

    [LoggerMessage(EventId = HostEventIds.WorkerReplacing, Level = LogLevel.Information, Message = "Worker {Index} (pid {Pid}) is being replaced: {Reason}")]
    public static partial void WorkerReplacing(ILogger logger, int index, int pid, string reason);

    [LoggerMessage(EventId = HostEventIds.WorkerDraining, Level = LogLevel.Information, Message = "Worker {Index} (pid {Pid}) is draining: {Reason}")]
    public static partial void WorkerDraining(ILogger logger, int index, int pid, string reason);

    [LoggerMessage(EventId = HostEventIds.JoinedAppActorSystem, Level = LogLevel.Information, Message = "Defuss runs its supervisor and router in the app's own actor system (its AddAkka does not call WithDefuss, so Defuss adds itself)")]
    public static partial void JoinedAppActorSystem(ILogger logger);

    [LoggerMessage(EventId = HostEventIds.ActorsNotStarted, Level = LogLevel.Warning, Message = "Defuss's actors are not started: {Reason}")]
    public static partial void ActorsNotStarted(ILogger logger, string reason);

    [LoggerMessage(EventId = HostEventIds.AppRunsInThePrimary, Level = LogLevel.Information, Message = "The app's own actors ({Actors}) and hosted services ({HostedServices}) run in the primary too, besides every worker; WithWorkerActors and AddWorkerHostedService keep them in the workers")]
    public static partial void AppRunsInThePrimary(ILogger logger, string actors, string hostedServices);

    [LoggerMessage(EventId = HostEventIds.LeasesLeftAtStop, Level = LogLevel.Warning, Message = "{Leases} routing leases were still open when every connection had ended: connections whose end the primary never heard of")]
    public static partial void LeasesLeftAtStop(ILogger logger, long leases);

    [LoggerMessage(EventId = HostEventIds.DescriptorLimit, Level = LogLevel.Information, Message = "Defuss primary {Pid} may open {Limit} descriptors (its hard limit; the soft limit was {Before}), {Open} open now; the front door holds at most {MaxConnections} connections ({Source})")]
    public static partial void DescriptorLimit(ILogger logger, int pid, long limit, long before, int open, int maxConnections, string source);

    [LoggerMessage(EventId = HostEventIds.MaxConnectionsAboveLimit, Level = LogLevel.Warning, Message = "Defuss:MaxConnections = {MaxConnections} is more than the descriptor limit ({Limit}) leaves room for ({Fits}): beyond that, accepting fails (EMFILE) and clients wait in the backlog")]
    public static partial void MaxConnectionsAboveLimit(ILogger logger, int maxConnections, long limit, int fits);

    [LoggerMessage(EventId = HostEventIds.LeftoversRemoved, Level = LogLevel.Information, Message = "Removed {Count} private directories left by Defuss primaries that no longer run: {Directories}")]
    public static partial void LeftoversRemoved(ILogger logger, int count, string directories);

    [LoggerMessage(EventId = HostEventIds.ResizeSignal, Level = LogLevel.Information, Message = "{Signal}: the pool changes by {Delta} worker(s), within its bounds")]
    public static partial void ResizeSignal(ILogger logger, string signal, int delta);

    [LoggerMessage(EventId = HostEventIds.PoolScaled, Level = LogLevel.Information, Message = "Pool scaled {Direction} to {Workers} workers (worker {Index}): {Reason}")]
    public static partial void PoolScaled(ILogger logger, string direction, int workers, int index, string reason);
}
