namespace Defuss.Hosting;

/// <summary>A snapshot of the running primary and its workers: what <c>GET /status</c> serves and <c>defuss ls</c> shows.</summary>
/// <param name="Pid">The primary's process id.</param>
/// <param name="Version">The app's version (its entry assembly's informational version).</param>
/// <param name="StartedAt">When the primary started.</param>
/// <param name="UptimeSeconds">Seconds since the primary started.</param>
/// <param name="Endpoints">The public URLs the front door listens on (empty until it listens).</param>
/// <param name="Delivery">How connections reach the workers: <c>handoff</c> or <c>proxy</c>.</param>
/// <param name="LoadBalancer">The routing strategy's name.</param>
/// <param name="ReadyWorkers">How many workers are Ready.</param>
/// <param name="Workers">Each worker, by index.</param>
/// <param name="RecentEvents">The latest worker events, oldest first (at most 100).</param>
public sealed record DefussStatus(
    int Pid,
    string Version,
    DateTimeOffset StartedAt,
    double UptimeSeconds,
    IReadOnlyList<string> Endpoints,
    string Delivery,
    string LoadBalancer,
    int ReadyWorkers,
    IReadOnlyList<WorkerStatus> Workers,
    IReadOnlyList<WorkerEventRecord> RecentEvents)
{
    /// <summary>This primary's hand-over to a new one: none under way (<c>idle</c>), <c>starting</c> or <c>handed-over</c>, and the last failure.</summary>
    public UpgradeStatus Upgrade { get; init; } = UpgradeStatus.Idle;

    /// <summary>The primary this one took over from, while it drains (null once it has exited, or when there was none).</summary>
    public PredecessorStatus? Predecessor { get; init; }
}

/// <summary>A primary's hand-over to a new primary (SIGUSR2, <c>POST /upgrade</c>, <c>defuss upgrade</c>).</summary>
/// <param name="State"><c>idle</c>, <c>starting</c> (a new primary is starting) or <c>handed-over</c> (the new primary accepts; this one drains and exits).</param>
/// <param name="SuccessorPid">The new primary's pid, while it starts and after it took over.</param>
/// <param name="LastFailure">Why the last hand-over failed, if one did.</param>
/// <param name="LastFailureAt">When it failed.</param>
public sealed record UpgradeStatus(string State, int? SuccessorPid, string? LastFailure, DateTimeOffset? LastFailureAt)
{
    /// <summary>No hand-over under way, none failed.</summary>
    public static UpgradeStatus Idle { get; } = new("idle", null, null, null);

    /// <summary>The state while a new primary starts.</summary>
    public const string Starting = "starting";

    /// <summary>The state once the new primary accepts.</summary>
    public const string HandedOver = "handed-over";
}

/// <summary>The primary a new one took over from, listed while it drains.</summary>
/// <param name="Pid">Its process id.</param>
/// <param name="State"><c>draining</c>: it no longer accepts, and its workers finish their requests.</param>
public sealed record PredecessorStatus(int Pid, string State);

/// <summary>One worker as the primary knows it.</summary>
/// <param name="Index">The worker's index, 0 to Workers - 1 (<c>DEFUSS_WORKER_INDEX</c>).</param>
/// <param name="Pid">The process id of its current incarnation (0 before the first start).</param>
/// <param name="Incarnation">Which process this is, counting from 1; each respawn or replacement adds one.</param>
/// <param name="State">Starting, Ready, Stale, Draining, Exited, Restarting or GivenUp.</param>
/// <param name="StartedAt">When its current process started, if one has.</param>
/// <param name="UptimeSeconds">Seconds since its current process started.</param>
/// <param name="Restarts">Respawns since the primary started.</param>
/// <param name="LastExit">How its last process ended (<c>exit code 1</c>, <c>SIGKILL</c>), if one has.</param>
/// <param name="CpuPercent">CPU used over the last heartbeat, in percent of one core.</param>
/// <param name="WorkingSetBytes">Its working set.</param>
/// <param name="GcHeapBytes">Its managed heap size after the last GC.</param>
/// <param name="Connections">Connections its Kestrel has open.</param>
/// <param name="RequestsInFlight">Requests it is handling.</param>
/// <param name="RequestsServed">Requests its current process has completed (a rate is the difference between two snapshots).</param>
/// <param name="LastHeartbeatAt">When its last heartbeat arrived, if one has.</param>
public sealed record WorkerStatus(
    int Index,
    int Pid,
    long Incarnation,
    string State,
    DateTimeOffset? StartedAt,
    double UptimeSeconds,
    int Restarts,
    string? LastExit,
    double CpuPercent,
    long WorkingSetBytes,
    long GcHeapBytes,
    long Connections,
    long RequestsInFlight,
    long RequestsServed,
    DateTimeOffset? LastHeartbeatAt);

/// <summary>One worker event as <c>/status</c> lists it.</summary>
/// <param name="Time">When the primary saw it.</param>
/// <param name="Worker">The worker's index.</param>
/// <param name="Incarnation">The incarnation it concerns.</param>
/// <param name="Kind">started, ready, exited, stale, draining, replacing, respawn_scheduled, launch_failed, startup_timed_out, hello_rejected or gave_up.</param>
/// <param name="Message">One line for a person.</param>
public sealed record WorkerEventRecord(DateTimeOffset Time, int Worker, long Incarnation, string Kind, string Message);
