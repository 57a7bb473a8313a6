using Defuss.Actors.Routing;

namespace Defuss.Actors.Workers;

/// <summary>
/// The pool: on <see cref="StartWorkers"/> starts one <see cref="WorkerActor"/> per worker (<c>worker-0</c>..), hands each
/// control connection to its worker, rolls restarts one worker at a time, says when every worker has been given up, and
/// stops them all at shutdown. Its state lives in a <see cref="PoolState"/> that survives an actor restart, and a
/// restart keeps its children, so a fault in the supervisor orphans no process and starts none twice. It watches its
/// worker actors: one stopped for repeated faults is replaced, or given up (see <c>WorkerSupervisor.Faults.cs</c>).
/// </summary>
internal sealed partial class WorkerSupervisor : ReceiveActor
{
    private readonly WorkerPoolSettings _settings;
    private readonly IWorkerProcessLauncher _launcher;
    private readonly IActorRef _router;
    private readonly IActorRef _events;
    private readonly PoolState _state;
    private readonly TimeProvider _clock;

    public WorkerSupervisor(WorkerPoolSettings settings, IWorkerProcessLauncher launcher, IActorRef router, IActorRef events, PoolState? state = null)
    {
        _settings = settings;
        _launcher = launcher;
        _router = router;
        _events = events;
        _state = state ?? new PoolState();
        _clock = ActorTime.Of(Context.System);

        Receive<StartWorkers>(_ => Start());
        Receive<Terminated>(HandleTerminated);
        Receive<WorkerHello>(HandleHello);
        Receive<StopAllWorkers>(HandleStopAll);
        Receive<WorkerStopped>(HandleStopped);
        Receive<WorkerGaveUpNotice>(HandleGaveUp);
        Receive<RollingRestart>(HandleRollingRestart);
        Receive<WorkerReplaced>(r => r.Index == _state.Replacing, HandleReplaced);
        Receive<WorkerReplaced>(_ => { });
        Receive<WorkerStatsReported>(HandleStats);
        Receive<ScalePool>(HandleScale);
        Receive<ScalePoolBy>(HandleScaleBy);
    }

    /// <summary>The props of a supervisor whose state outlives its restarts.</summary>
    public static Props PropsFor(WorkerPoolSettings settings, IWorkerProcessLauncher launcher, IActorRef router, IActorRef events)
    {
        var state = new PoolState();
        return Props.Create(() => new WorkerSupervisor(settings, launcher, router, events, state));
    }

    /// <summary>A fault in a worker actor (a bug in Defuss, not in the app) restarts that actor; it adopts its process.</summary>
    protected override SupervisorStrategy SupervisorStrategy() =>
        new WorkerSupervisionStrategy(Logger, (child, cause) => _state.LastFaults[child] = cause);

    private Microsoft.Extensions.Logging.ILogger Logger => ActorLogging.LoggerFactoryOf(Context.System).CreateLogger("Defuss.Actors.Supervision");

    /// <summary>A restart of the supervisor keeps its worker actors, and with them their processes.</summary>
    protected override void PreRestart(Exception reason, object message)
    {
    }

    private void Start()
    {
        if (_state.Started || _state.StopRequesters.Count > 0)
        {
            return;
        }

        _state.Started = true;
        for (var index = 0; index < InitialWorkers; index++)
        {
            StartWorkerActor(index, new WorkerRecord());
            _state.Running.Add(index);
        }
    }

    /// <summary>Starts worker <paramref name="index"/>'s actor on <paramref name="record"/>, and watches it.</summary>
    private void StartWorkerActor(int index, WorkerRecord record)
    {
        var worker = Context.ActorOf(
            Props.Create(() => new WorkerActor(index, record, _settings, _launcher, _router, _events)),
            BackendCandidate.IdOf(index));
        Context.Watch(worker);
        _state.Records[index] = record;
        _state.Children[worker] = index;
    }

    private void HandleHello(WorkerHello hello)
    {
        var worker = Context.Child(BackendCandidate.IdOf(hello.Hello.Index));
        if (!worker.IsNobody())
        {
            worker.Forward(hello);
        }
        else
        {
            Sender.Tell(new HelloRejected($"there is no worker with index {hello.Hello.Index}"));
        }
    }

    private void HandleStopAll(StopAllWorkers stop)
    {
        // A second request (a second signal: stop at once) joins the first; every requester hears when all have stopped.
        _state.Stopping = true;
        _state.StopRequesters.Add(Sender);
        foreach (var child in Context.GetChildren())
        {
            child.Tell(new StopWorker(stop.Deadline));
        }

        ReplyIfAllStopped();
    }

    private void HandleStopped(WorkerStopped stopped)
    {
        _state.Running.Remove(stopped.Index);
        if (_state.Retiring.Contains(stopped.Index))
        {
            ForgetRetired(stopped.Index);
            ReplyResized();
        }

        ReplyIfAllStopped();
    }

    /// <summary>One worker at a time: its replacement Ready first, then the old one drained; a request during one joins it.</summary>
    private void HandleRollingRestart(RollingRestart restart)
    {
        _state.RollingRequesters.Add(Sender);
        if (_state.Replacing is not null || _state.ToReplace.Count > 0)
        {
            return;
        }

        _state.DrainTimeout = restart.DrainTimeout;
        _state.Replaced = 0;
        foreach (var index in _state.Running.Order().Where(i => !_state.GivenUp.Contains(i)))
        {
            _state.ToReplace.Enqueue(index);
        }

        ReplaceNext();
    }

    private void HandleReplaced(WorkerReplaced replaced)
    {
        _state.Replacing = null;
        _state.Replaced += replaced.Replaced ? 1 : 0;
        ReplaceNext();
    }

    private void ReplaceNext()
    {
        while (_state.ToReplace.TryDequeue(out var index))
        {
            var worker = Context.Child(BackendCandidate.IdOf(index));
            if (!worker.IsNobody())
            {
                _state.Replacing = index;
                worker.Tell(new ReplaceWorker(_state.DrainTimeout));
                return;
            }
        }

        foreach (var requester in _state.RollingRequesters)
        {
            requester.Tell(new RollingRestartCompleted(_state.Replaced));
        }

        _state.RollingRequesters.Clear();
    }

    private void HandleGaveUp(WorkerGaveUpNotice notice)
    {
        // Every worker of the pool (as big as it is now, for an elastic one) has been given up.
        if (_state.GivenUp.Add(notice.Index) && _state.Children.Values.Where(i => !_state.Retiring.Contains(i)).All(_state.GivenUp.Contains))
        {
            _events.Tell(new AllWorkersGaveUp(_state.GivenUp.Count));
        }
    }

    private void ReplyIfAllStopped()
    {
        if (_state.StopRequesters.Count > 0 && _state.Running.Count == 0)
        {
            foreach (var requester in _state.StopRequesters)
            {
                requester.Tell(AllWorkersStopped.Instance);
            }

            _state.StopRequesters.Clear();
            _state.Started = true;
        }
    }

    /// <summary>What the supervisor knows about its pool; one per supervisor, handed to every instance by its props.</summary>
    internal sealed class PoolState
    {
        public bool Started { get; set; }

        public HashSet<int> Running { get; } = [];

        public HashSet<int> GivenUp { get; } = [];

        public Queue<int> ToReplace { get; } = new();

        public List<IActorRef> RollingRequesters { get; } = [];

        public List<IActorRef> StopRequesters { get; } = [];

        public int? Replacing { get; set; }

        public int Replaced { get; set; }

        public TimeSpan DrainTimeout { get; set; }

        /// <summary>Whether the pool has been told to stop: a worker actor that ends now ends for good.</summary>
        public bool Stopping { get; set; }

        /// <summary>Each worker's record, which outlives its actor (and its actor's replacement, which takes its numbers on).</summary>
        public Dictionary<int, WorkerRecord> Records { get; } = [];

        /// <summary>The worker actors, watched, by the index they serve.</summary>
        public Dictionary<IActorRef, int> Children { get; } = [];

        /// <summary>Each worker's last fault, as the supervisor strategy saw it.</summary>
        public Dictionary<IActorRef, Exception> LastFaults { get; } = [];

        /// <summary>The workers being retired by a scale-down.</summary>
        public HashSet<int> Retiring { get; } = [];

        /// <summary>Each running worker's last heartbeat figures, for the scaling rule.</summary>
        public Dictionary<int, (long At, double CpuPercent, long RequestsInFlight)> LastReports { get; } = [];

        /// <summary>Who asked for a size, and which.</summary>
        public List<(IActorRef Asker, int Workers)> ScaleRequesters { get; } = [];

        /// <summary>The scaling rule's clocks, which outlive a restart of the supervisor.</summary>
        public ScaleDecider? Decider { get; set; }

        /// <summary>When each worker's actor was stopped for repeated faults (monotonic timestamps), within the restart window.</summary>
        public Dictionary<int, Queue<long>> FaultStops { get; } = [];
    }
}
