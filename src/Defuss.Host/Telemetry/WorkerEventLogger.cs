using Akka.Actor;
using Defuss.Actors.Routing;
using Defuss.Actors.Workers;
using Microsoft.Extensions.Logging;

namespace Defuss.Telemetry;

/// <summary>
/// Turns the workers' domain events into log lines and metrics, then passes each to the host's observer and publishes it
/// on the actor system's event stream (where <c>DefussStreams.WorkerEvents</c> finds it); counts the router's strategy
/// failures, which the router has logged itself.
/// </summary>
internal sealed class WorkerEventLogger : ReceiveActor
{
    private readonly Admin.StatusBoard? _board;

    public WorkerEventLogger(ILogger logger, DefussMetrics metrics, Action<object> observer, Admin.StatusBoard? board = null)
    {
        _board = board;
        Receive<WorkerEvent>(workerEvent =>
        {
            Log(logger, workerEvent);
            board?.Apply(workerEvent);
            metrics.Record(workerEvent);
            observer(workerEvent);
            Context.System.EventStream.Publish(workerEvent);
        });
        Receive<AllWorkersGaveUp>(gaveUp =>
        {
            PrimaryLog.AllWorkersGaveUp(logger, gaveUp.Workers);
            observer(gaveUp);
        });
        Receive<RoutingStrategyFailed>(metrics.Record);
        Receive<BackendEjected>(ejected => metrics.BackendEjected(ejected.Id));
        Receive<WorkerStatsReported>(report => board?.Apply(report));
    }

    /// <summary>The status board follows every heartbeat's stats, which the workers publish on the event stream.</summary>
    protected override void PreStart()
    {
        if (_board is not null)
        {
            Context.System.EventStream.Subscribe(Self, typeof(WorkerStatsReported));
        }
    }

    protected override void PostStop() => Context.System.EventStream.Unsubscribe(Self);

    private static void Log(ILogger logger, WorkerEvent workerEvent)
    {
        switch (workerEvent)
        {
            case WorkerStarted started:
                PrimaryLog.WorkerStarted(logger, started.Index, started.Pid, started.Endpoint, started.Incarnation);
                break;
            case WorkerReady ready:
                PrimaryLog.WorkerReady(logger, ready.Index, ready.Pid, ready.Endpoint);
                break;
            case WorkerExited { Expected: true } exited:
                PrimaryLog.WorkerStopped(logger, exited.Index, exited.Pid, exited.Exit);
                break;
            case WorkerExited exited when logger.IsEnabled(LogLevel.Warning):
                PrimaryLog.WorkerExited(logger, exited.Index, exited.Pid, exited.Exit, Tail(exited.RecentErrorOutput));
                break;
            case WorkerRespawnScheduled respawn:
                PrimaryLog.WorkerRespawnScheduled(logger, respawn.Index, (long)respawn.Delay.TotalMilliseconds);
                break;
            case WorkerLaunchFailed failed:
                PrimaryLog.WorkerLaunchFailed(logger, failed.Index, failed.Reason);
                break;
            case WorkerStartupTimedOut timedOut:
                PrimaryLog.WorkerStartupTimedOut(logger, timedOut.Index, timedOut.Pid, (long)timedOut.Timeout.TotalMilliseconds);
                break;
            case WorkerStale stale:
                PrimaryLog.WorkerStale(logger, stale.Index, stale.Pid, (long)stale.Silence.TotalMilliseconds);
                break;
            case WorkerGaveUp gaveUp when logger.IsEnabled(LogLevel.Error):
                PrimaryLog.WorkerGaveUp(logger, gaveUp.Index, gaveUp.MaxRestarts, gaveUp.Window, gaveUp.Pid, gaveUp.LastExit, Tail(gaveUp.RecentErrorOutput));
                break;
            case WorkerDraining draining:
                PrimaryLog.WorkerDraining(logger, draining.Index, draining.Pid, draining.Reason);
                break;
            case WorkerReplacing replacing:
                PrimaryLog.WorkerReplacing(logger, replacing.Index, replacing.Pid, replacing.Reason);
                break;
            case WorkerPoolScaled scaled:
                PrimaryLog.PoolScaled(logger, scaled.Direction, scaled.Workers, scaled.Index, scaled.Reason);
                break;
            case WorkerHelloRejected rejected:
                PrimaryLog.WorkerHelloRejected(logger, rejected.Index, rejected.Pid, rejected.Reason);
                break;
        }
    }

    /// <summary>The last lines of a worker's error output, for one log line.</summary>
    internal static string Tail(IReadOnlyList<string> lines, int count = 10) =>
        lines.Count == 0 ? "(none)" : string.Join(Environment.NewLine, lines.Skip(Math.Max(0, lines.Count - count)));
}
