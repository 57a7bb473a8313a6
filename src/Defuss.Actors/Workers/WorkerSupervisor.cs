using Defuss.Actors.Routing;

namespace Defuss.Actors.Workers;

/// <summary>
/// The pool: starts one <see cref="WorkerActor"/> per worker (<c>worker-0</c>..), hands each control connection to its
/// worker, says when every worker has been given up, and stops them all at shutdown.
/// </summary>
internal sealed class WorkerSupervisor : ReceiveActor
{
    private readonly HashSet<int> _running = [];
    private readonly HashSet<int> _givenUp = [];
    private readonly Queue<int> _toReplace = new();
    private readonly List<IActorRef> _rollingRequesters = [];
    private readonly List<IActorRef> _stopRequesters = [];
    private int? _replacing;
    private int _replaced;
    private TimeSpan _drainTimeout;

    public WorkerSupervisor(WorkerPoolSettings settings, IWorkerProcessLauncher launcher, IActorRef router, IActorRef events)
    {
        Settings = settings;
        Launcher = launcher;
        Router = router;
        Events = events;

        Receive<WorkerHello>(HandleHello);
        Receive<StopAllWorkers>(HandleStopAll);
        Receive<WorkerStopped>(HandleStopped);
        Receive<WorkerGaveUpNotice>(HandleGaveUp);
        Receive<RollingRestart>(HandleRollingRestart);
        Receive<WorkerReplaced>(r => r.Index == _replacing, HandleReplaced);
        Receive<WorkerReplaced>(_ => { });
    }

    private WorkerPoolSettings Settings { get; }

    private IWorkerProcessLauncher Launcher { get; }

    private IActorRef Router { get; }

    private IActorRef Events { get; }

    /// <summary>A fault in a worker actor (a bug in Defuss, not in the app) restarts that actor; its process is replaced.</summary>
    protected override SupervisorStrategy SupervisorStrategy() =>
        new OneForOneStrategy(10, TimeSpan.FromMinutes(1), Actors.SupervisorStrategy.DefaultDecider);

    protected override void PreStart()
    {
        for (var index = 0; index < Settings.Workers; index++)
        {
            var workerIndex = index;
            var record = new WorkerRecord();
            Context.ActorOf(
                Props.Create(() => new WorkerActor(workerIndex, record, Settings, Launcher, Router, Events)),
                BackendCandidate.IdOf(workerIndex));
            _running.Add(workerIndex);
        }
    }

    private void HandleHello(WorkerHello hello)
    {
        if (Context.Child(BackendCandidate.IdOf(hello.Hello.Index)) is { } worker)
        {
            worker.Tell(hello, Sender);
        }
        else
        {
            Sender.Tell(new HelloRejected($"there is no worker with index {hello.Hello.Index}"));
        }
    }

    private void HandleStopAll(StopAllWorkers stop)
    {
        // A second request (a second signal: stop at once) joins the first; every requester hears when all have stopped.
        _stopRequesters.Add(Sender);
        foreach (var child in Context.Children)
        {
            child.Tell(new StopWorker(stop.Deadline));
        }

        ReplyIfAllStopped();
    }

    private void HandleStopped(WorkerStopped stopped)
    {
        _running.Remove(stopped.Index);
        ReplyIfAllStopped();
    }

    /// <summary>One worker at a time: its replacement Ready first, then the old one drained; a request during one joins it.</summary>
    private void HandleRollingRestart(RollingRestart restart)
    {
        _rollingRequesters.Add(Sender);
        if (_replacing is not null || _toReplace.Count > 0)
        {
            return;
        }

        _drainTimeout = restart.DrainTimeout;
        _replaced = 0;
        foreach (var index in Enumerable.Range(0, Settings.Workers).Where(i => !_givenUp.Contains(i)))
        {
            _toReplace.Enqueue(index);
        }

        ReplaceNext();
    }

    private void HandleReplaced(WorkerReplaced replaced)
    {
        _replacing = null;
        _replaced += replaced.Replaced ? 1 : 0;
        ReplaceNext();
    }

    private void ReplaceNext()
    {
        while (_toReplace.TryDequeue(out var index))
        {
            if (Context.Child(BackendCandidate.IdOf(index)) is { } worker)
            {
                _replacing = index;
                worker.Tell(new ReplaceWorker(_drainTimeout));
                return;
            }
        }

        foreach (var requester in _rollingRequesters)
        {
            requester.Tell(new RollingRestartCompleted(_replaced));
        }

        _rollingRequesters.Clear();
    }

    private void HandleGaveUp(WorkerGaveUpNotice notice)
    {
        if (_givenUp.Add(notice.Index) && _givenUp.Count == Settings.Workers)
        {
            Events.Tell(new AllWorkersGaveUp(Settings.Workers));
        }
    }

    private void ReplyIfAllStopped()
    {
        if (_stopRequesters.Count > 0 && _running.Count == 0)
        {
            foreach (var requester in _stopRequesters)
            {
                requester.Tell(AllWorkersStopped.Instance);
            }

            _stopRequesters.Clear();
        }
    }
}
