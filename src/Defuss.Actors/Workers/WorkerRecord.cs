using Defuss.Worker.Protocol;

namespace Defuss.Actors.Workers;

/// <summary>Where a worker is in its life.</summary>
internal enum WorkerState
{
    Starting,
    Ready,
    Stale,
    Draining,
    Exited,
    GivenUp,
    Stopped,
}

/// <summary>
/// What a <see cref="WorkerActor"/> knows about its OS process. It outlives the actor instance: the supervisor creates
/// one per worker and the actor's props hand the same record to every instance, so that an actor restart (a fault in
/// Defuss) adopts the running process instead of orphaning or duplicating it.
/// </summary>
internal sealed class WorkerRecord
{
    /// <summary>The incarnation serving (or starting) now.</summary>
    public long Incarnation { get; set; }

    /// <summary>The last incarnation number handed out; numbers are never reused, so stale messages stay stale.</summary>
    public long LastIssued { get; set; }

    /// <summary>How long a retiring process may drain during a replacement.</summary>
    public TimeSpan DrainTimeout { get; set; }

    public IWorkerProcess? Process { get; set; }

    /// <summary>
    /// The incarnation's secret as the worker reads it from its environment (64 lowercase hex digits, in ASCII): what
    /// its hello and every PROXY header sent to it must carry.
    /// </summary>
    public byte[] Secret { get; set; } = [];

    public string Endpoint { get; set; } = "";

    public IWorkerControlSession? Session { get; set; }

    public WorkerState State { get; set; } = WorkerState.Exited;

    /// <summary>Exits since the worker was last Ready for the stable period; drives the backoff.</summary>
    public int ConsecutiveFailures { get; set; }

    /// <summary>When the respawns inside the current budget window happened (monotonic timestamps of the actors' clock).</summary>
    public Queue<long> Restarts { get; } = new();

    public bool Stopping { get; set; }

    /// <summary>
    /// When the stopping process is killed (a monotonic timestamp), once a stop has been asked for: a later stop may only
    /// bring it forward.
    /// </summary>
    public long? StopDue { get; set; }

    /// <summary>When the last sign of life arrived, by the wall clock: what the router's candidates show.</summary>
    public DateTimeOffset LastHeartbeat { get; set; }

    /// <summary>When the last sign of life arrived, as a monotonic timestamp: what a silence is measured from.</summary>
    public long LastHeardAt { get; set; }

    public WorkerStats? LastStats { get; set; }

    /// <summary>The previous incarnation, still serving while its replacement starts (a rolling restart).</summary>
    public RetiringProcess? Retiring { get; set; }

    /// <summary>A replacement is under way; the supervisor hears <see cref="WorkerReplaced"/> when it is done.</summary>
    public bool Replacing { get; set; }

    /// <summary>The replacement needs the old process's endpoint (a TCP port): start it once the old one has exited.</summary>
    public bool LaunchAfterExit { get; set; }
}

/// <summary>An incarnation on its way out during a rolling restart, with the secret it keeps if its replacement fails.</summary>
internal sealed record RetiringProcess(long Incarnation, IWorkerProcess Process, IWorkerControlSession? Session, byte[] Secret);
