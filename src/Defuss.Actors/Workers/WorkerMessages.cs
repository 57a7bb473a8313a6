using Defuss.Worker.Protocol;

namespace Defuss.Actors.Workers;

/// <summary>The primary's end of one worker's control channel, as the worker's actor uses it.</summary>
internal interface IWorkerControlSession
{
    /// <summary>Tells the worker to drain and exit within <paramref name="deadline"/>.</summary>
    void SendStop(TimeSpan deadline);

    /// <summary>Closes the channel (the worker then stops by itself).</summary>
    void Close();
}

/// <summary>A worker connected and said hello; the supervisor forwards it to <c>worker-N</c>, which replies
/// <see cref="HelloAccepted"/> or <see cref="HelloRejected"/>.</summary>
internal sealed record WorkerHello(Hello Hello, IWorkerControlSession Session);

/// <summary>The hello matched the worker's current incarnation; the session reports to <paramref name="Worker"/>.</summary>
internal sealed record HelloAccepted(IActorRef Worker);

/// <summary>The hello was refused (unknown index, wrong incarnation or secret).</summary>
internal sealed record HelloRejected(string Reason);

/// <summary>A frame from worker incarnation <paramref name="Incarnation"/>'s control channel.</summary>
internal sealed record WorkerReport(long Incarnation, ControlMessage Message);

/// <summary>The control channel of incarnation <paramref name="Incarnation"/> closed.</summary>
internal sealed record ControlChannelClosed(long Incarnation);

/// <summary>
/// From the control hub: incarnation <paramref name="Incarnation"/> kept sending malformed reports (or broke the framing),
/// and its channel is closed; it is replaced.
/// </summary>
internal sealed record WorkerBrokeProtocol(long Incarnation, string Reason);

/// <summary>Stop every worker (drain, then exit within <paramref name="Deadline"/>); replied to with <see cref="AllWorkersStopped"/>.</summary>
internal sealed record StopAllWorkers(TimeSpan Deadline);

/// <summary>Every worker process has exited.</summary>
internal sealed record AllWorkersStopped
{
    private AllWorkersStopped()
    {
    }

    /// <summary>The one instance.</summary>
    public static AllWorkersStopped Instance { get; } = new();
}

/// <summary>From the supervisor to one worker: stop for good within <paramref name="Deadline"/>.</summary>
internal sealed record StopWorker(TimeSpan Deadline);

/// <summary>From a worker to its supervisor: its process has exited and it will not start another.</summary>
internal sealed record WorkerStopped(int Index);

/// <summary>The OS process of incarnation <paramref name="Incarnation"/> has exited.</summary>
internal sealed record ProcessExited(long Incarnation, WorkerExit Exit);

/// <summary>Timer: start the next incarnation.</summary>
internal sealed record RespawnDue(long AfterIncarnation);

/// <summary>Timer: the stop (or kill grace) deadline passed; kill what is left.</summary>
internal sealed record StopDeadlinePassed(long Incarnation);

/// <summary>Timer: no heartbeat arrived within the stale period.</summary>
internal sealed record HeartbeatDeadlinePassed(long Incarnation);

/// <summary>Timer: the worker has been Ready long enough for its backoff to reset.</summary>
internal sealed record StablePeriodPassed(long Incarnation);

/// <summary>From a worker to its supervisor: it exhausted its restart budget and will not start again.</summary>
internal sealed record WorkerGaveUpNotice(int Index);

/// <summary>Timer: the worker did not become ready within the startup timeout.</summary>
internal sealed record StartupDeadlinePassed(long Incarnation);

/// <summary>Restart every worker, one at a time, with no gap in capacity; replied to with <see cref="RollingRestartCompleted"/>.</summary>
public sealed record RollingRestart(TimeSpan DrainTimeout);

/// <summary>A rolling restart has replaced every worker it could.</summary>
public sealed record RollingRestartCompleted(int Replaced);

/// <summary>From the supervisor to one worker: start a replacement, and retire this process once it is ready.</summary>
internal sealed record ReplaceWorker(TimeSpan DrainTimeout);

/// <summary>From a worker to its supervisor: the replacement is ready and the old process has exited (or none was needed).</summary>
internal sealed record WorkerReplaced(int Index, bool Replaced);

/// <summary>Timer: the retiring process had its drain time; kill it.</summary>
internal sealed record RetireDeadlinePassed(long Incarnation);

/// <summary>From the host to the supervisor: start the workers (once the control channel they report to is listening).</summary>
internal sealed record StartWorkers
{
    private StartWorkers()
    {
    }

    /// <summary>The one instance.</summary>
    public static StartWorkers Instance { get; } = new();
}

/// <summary>
/// Set the pool to <paramref name="Workers"/> workers (within an elastic pool's bounds); replied to with
/// <see cref="PoolResized"/> once that many are Ready and none is retiring, or <see cref="ScaleRefused"/>.
/// </summary>
internal sealed record ScalePool(int Workers);

/// <summary>Grow (positive) or shrink (negative) the pool by <paramref name="Delta"/> workers, within its bounds (SIGTTIN, SIGTTOU).</summary>
internal sealed record ScalePoolBy(int Delta);

/// <summary>The pool has <paramref name="Workers"/> Ready workers.</summary>
internal sealed record PoolResized(int Workers);

/// <summary>The pool cannot be set to the size asked, for <paramref name="Reason"/> (which names the bound it would break).</summary>
/// <param name="Reason">Why, naming the bound.</param>
/// <param name="OutOfBounds">Whether the size breaks a bound (else the pool cannot be resized now: it is stopping).</param>
internal sealed record ScaleRefused(string Reason, bool OutOfBounds = true);
