namespace Defuss.Actors.Workers;

/// <summary>
/// Something that happened to a worker. The actors emit these; the host turns them into log lines and metrics,
/// and users can subscribe to them.
/// </summary>
public abstract record WorkerEvent(int Index, long Incarnation)
{
    /// <summary>The worker's id, <c>worker-N</c>.</summary>
    public string WorkerId => Routing.BackendCandidate.IdOf(Index);
}

/// <summary>A worker process was started.</summary>
public sealed record WorkerStarted(int Index, long Incarnation, int Pid, string Endpoint) : WorkerEvent(Index, Incarnation);

/// <summary>A worker's app started serving; it is routable.</summary>
public sealed record WorkerReady(int Index, long Incarnation, int Pid, string Endpoint) : WorkerEvent(Index, Incarnation);

/// <summary>A worker process exited; <paramref name="RecentErrorOutput"/> holds its last lines of standard error.</summary>
public sealed record WorkerExited(int Index, long Incarnation, int Pid, WorkerExit Exit, bool Expected, IReadOnlyList<string> RecentErrorOutput)
    : WorkerEvent(Index, Incarnation);

/// <summary>A new incarnation will be started after <paramref name="Delay"/>.</summary>
public sealed record WorkerRespawnScheduled(int Index, long Incarnation, TimeSpan Delay) : WorkerEvent(Index, Incarnation);

/// <summary>A worker process could not be started at all.</summary>
public sealed record WorkerLaunchFailed(int Index, long Incarnation, string Reason) : WorkerEvent(Index, Incarnation);

/// <summary>A worker did not become ready within the startup timeout and is being replaced.</summary>
public sealed record WorkerStartupTimedOut(int Index, long Incarnation, int Pid, TimeSpan Timeout) : WorkerEvent(Index, Incarnation);

/// <summary>A control connection claimed to be this worker but was refused.</summary>
public sealed record WorkerHelloRejected(int Index, long Incarnation, int Pid, string Reason) : WorkerEvent(Index, Incarnation);

/// <summary>A Ready worker sent no heartbeat for <paramref name="Silence"/>: it is routed around, stopped and replaced.</summary>
public sealed record WorkerStale(int Index, long Incarnation, int Pid, TimeSpan Silence) : WorkerEvent(Index, Incarnation);

/// <summary>
/// A worker exited more than <paramref name="MaxRestarts"/> times within <paramref name="Window"/> and is not started again;
/// <paramref name="LastExit"/> and <paramref name="RecentErrorOutput"/> are those of its last process.
/// </summary>
public sealed record WorkerGaveUp(int Index, long Incarnation, int Pid, WorkerExit LastExit, int MaxRestarts, TimeSpan Window, IReadOnlyList<string> RecentErrorOutput)
    : WorkerEvent(Index, Incarnation);

/// <summary>Every worker has been given up; nothing is left to serve.</summary>
public sealed record AllWorkersGaveUp(int Workers);

/// <summary>A worker is being replaced by a new process (a rolling restart, or its memory above the limit).</summary>
public sealed record WorkerReplacing(int Index, long Incarnation, int Pid, string Reason) : WorkerEvent(Index, Incarnation);

/// <summary>A worker takes no new connections and finishes its in-flight requests, for <paramref name="Reason"/>.</summary>
public sealed record WorkerDraining(int Index, long Incarnation, int Pid, string Reason) : WorkerEvent(Index, Incarnation);

/// <summary>
/// The elastic pool changed size to <paramref name="Workers"/>: worker <paramref name="Index"/> was added
/// (<paramref name="Direction"/> <c>up</c>) or is being retired (<c>down</c>), for <paramref name="Reason"/>, on these figures.
/// </summary>
public sealed record WorkerPoolScaled(int Index, int Workers, string Direction, string Reason, double MeanCpuPercent, double MeanRequestsInFlight)
    : WorkerEvent(Index, 0);

/// <summary>
/// A Ready worker's heartbeat brought fresh <paramref name="Stats"/>. Published on the actor system's event stream (not a
/// <see cref="WorkerEvent"/>: it comes every <c>WorkerHeartbeatInterval</c> from every worker).
/// </summary>
public sealed record WorkerStatsReported(int Index, long Incarnation, int Pid, Defuss.Worker.Protocol.WorkerStats Stats)
{
    /// <summary>The worker's id, <c>worker-N</c>.</summary>
    public string WorkerId => Routing.BackendCandidate.IdOf(Index);
}
