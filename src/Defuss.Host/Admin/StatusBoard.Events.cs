using Defuss.Actors.Workers;
using Defuss.Hosting;

namespace Defuss.Admin;

internal sealed partial class StatusBoard
{
    /// <summary>The event's kind as <c>/status</c> names it.</summary>
    internal static string KindOf(WorkerEvent workerEvent) => workerEvent switch
    {
        WorkerStarted => "started",
        WorkerReady => "ready",
        WorkerExited => "exited",
        WorkerStale => "stale",
        WorkerDraining => "draining",
        WorkerReplacing => "replacing",
        WorkerRespawnScheduled => "respawn_scheduled",
        WorkerLaunchFailed => "launch_failed",
        WorkerStartupTimedOut => "startup_timed_out",
        WorkerHelloRejected => "hello_rejected",
        WorkerGaveUp => "gave_up",
        WorkerPoolScaled { Direction: "up" } => "scaled_up",
        WorkerPoolScaled => "scaled_down",
        _ => workerEvent.GetType().Name,
    };

    /// <summary>The event in one line for a person.</summary>
    internal static string Describe(WorkerEvent workerEvent) => workerEvent switch
    {
        WorkerStarted e => $"worker {e.Index} started (pid {e.Pid}, incarnation {e.Incarnation})",
        WorkerReady e => $"worker {e.Index} ready (pid {e.Pid})",
        WorkerExited { Expected: true } e => $"worker {e.Index} (pid {e.Pid}) stopped with {e.Exit}",
        WorkerExited e => $"worker {e.Index} (pid {e.Pid}) exited unexpectedly with {e.Exit}",
        WorkerStale e => $"worker {e.Index} (pid {e.Pid}) sent no heartbeat for {e.Silence.TotalSeconds:0.#} s: replacing it",
        WorkerDraining e => $"worker {e.Index} (pid {e.Pid}) draining: {e.Reason}",
        WorkerReplacing e => $"worker {e.Index} (pid {e.Pid}) being replaced: {e.Reason}",
        WorkerRespawnScheduled e => $"worker {e.Index} restarts in {e.Delay.TotalMilliseconds:0} ms",
        WorkerLaunchFailed e => $"worker {e.Index} could not be started: {e.Reason}",
        WorkerStartupTimedOut e => $"worker {e.Index} (pid {e.Pid}) was not ready within {e.Timeout.TotalSeconds:0.#} s",
        WorkerHelloRejected e => $"worker {e.Index}: a control connection from pid {e.Pid} was refused: {e.Reason}",
        WorkerGaveUp e => $"worker {e.Index} given up: more than {e.MaxRestarts} restarts within {e.Window.TotalSeconds:0} s (last: {e.LastExit})",
        WorkerPoolScaled e => $"pool scaled {e.Direction} to {e.Workers} workers (worker {e.Index}): {e.Reason}",
        _ => workerEvent.ToString(),
    };
}
