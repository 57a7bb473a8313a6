using System.Security.Cryptography;
using System.Text;
using Defuss.Actors.Routing;
using Defuss.Worker.Protocol;

namespace Defuss.Actors.Workers;

/// <summary>
/// Owns one worker OS process at a time: starts it, accepts its control channel, publishes it to the router when it is
/// ready, and starts the next incarnation when it exits. Reports from an older incarnation are dropped.
/// </summary>
internal sealed partial class WorkerActor : ReceiveActor, IWithTimers
{
    private const string StartupTimer = "startup";
    private const string RespawnTimer = "respawn";
    private const string StopTimer = "stop";

    private readonly int _index;
    private readonly string _id;
    private readonly WorkerPoolSettings _settings;
    private readonly IWorkerProcessLauncher _launcher;
    private readonly IActorRef _router;
    private readonly IActorRef _events;

    private long _incarnation;
    private IWorkerProcess? _process;
    private byte[] _secret = [];
    private string _endpoint = "";
    private IWorkerControlSession? _session;
    private WorkerState _state = WorkerState.Exited;
    private int _consecutiveFailures;
    private bool _stopping;
    private DateTimeOffset _lastHeartbeat;
    private WorkerStats? _lastStats;

    public WorkerActor(int index, WorkerPoolSettings settings, IWorkerProcessLauncher launcher, IActorRef router, IActorRef events)
    {
        _index = index;
        _id = BackendCandidate.IdOf(index);
        _settings = settings;
        _launcher = launcher;
        _router = router;
        _events = events;

        Receive<WorkerHello>(HandleHello);
        Receive<WorkerReport>(r => r.Incarnation == _incarnation && _process is not null, HandleReport);
        Receive<ControlChannelClosed>(c => c.Incarnation == _incarnation, _ => _session = null);
        Receive<ProcessExited>(e => e.Incarnation == _incarnation && _process is not null, HandleExit);
        Receive<RespawnDue>(r => r.AfterIncarnation == _incarnation && _process is null && !_stopping, _ => Launch());
        Receive<StartupDeadlinePassed>(s => s.Incarnation == _incarnation && _state == WorkerState.Starting, HandleStartupTimeout);
        Receive<StopWorker>(HandleStop);
        Receive<StopDeadlinePassed>(s => s.Incarnation == _incarnation, _ => _process?.Kill());
    }

    /// <summary>Where the worker is in its life.</summary>
    internal enum WorkerState
    {
        Starting,
        Ready,
        Draining,
        Exited,
        Stopped,
    }

    public ITimerScheduler Timers { get; set; } = null!;

    protected override void PreStart() => Launch();

    /// <summary>Whatever happens to the actor, its process does not outlive it.</summary>
    protected override void PostStop()
    {
        _process?.Kill();
        _session?.Close();
        _router.Tell(new BackendRemoved(_id));
    }

    private void Launch()
    {
        _incarnation++;
        _secret = RandomNumberGenerator.GetBytes(32);
        _endpoint = _settings.EndpointFor(_index, _incarnation);
        var environment = new Dictionary<string, string>(_settings.Environment)
        {
            [WorkerEnvironment.Role] = WorkerEnvironment.WorkerRole,
            [WorkerEnvironment.Index] = _index.ToString(System.Globalization.CultureInfo.InvariantCulture),
            [WorkerEnvironment.Incarnation] = _incarnation.ToString(System.Globalization.CultureInfo.InvariantCulture),
            [WorkerEnvironment.ControlEndpoint] = _settings.ControlEndpoint,
            [WorkerEnvironment.Secret] = Convert.ToHexStringLower(_secret),
            [WorkerEnvironment.Endpoint] = _endpoint,
            [WorkerEnvironment.HeartbeatIntervalMs] = ((long)_settings.HeartbeatInterval.TotalMilliseconds).ToString(System.Globalization.CultureInfo.InvariantCulture),
        };

        IWorkerProcess process;
        try
        {
            process = _launcher.Launch(new WorkerLaunchRequest(_index, _incarnation, environment));
        }
        catch (Exception exception)
        {
            _events.Tell(new WorkerLaunchFailed(_index, _incarnation, exception.Message));
            _state = WorkerState.Exited;
            ScheduleRespawn();
            return;
        }

        _process = process;
        _state = WorkerState.Starting;
        _session = null;
        _lastStats = null;
        var self = Self;
        var incarnation = _incarnation;
        process.Exited.ContinueWith(
            exited => self.Tell(new ProcessExited(incarnation, exited.IsCompletedSuccessfully ? exited.Result : new WorkerExit(-1, null)), ActorRefs.Nobody),
            CancellationToken.None,
            TaskContinuationOptions.ExecuteSynchronously,
            TaskScheduler.Default);
        Timers.StartSingleTimer(StartupTimer, new StartupDeadlinePassed(incarnation), _settings.StartupTimeout);
        _events.Tell(new WorkerStarted(_index, incarnation, process.Pid, _endpoint));
    }

    private void HandleHello(WorkerHello hello)
    {
        var claimed = hello.Hello;
        var reason = claimed.Incarnation != _incarnation || _process is null || _state != WorkerState.Starting
            ? $"incarnation {claimed.Incarnation} is not the one starting (current: {_incarnation}, {_state})"
            : !CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(claimed.Secret ?? ""), Encoding.ASCII.GetBytes(Convert.ToHexStringLower(_secret)))
                ? "the secret does not match"
                : _session is not null ? "a control channel is already open" : null;
        if (reason is not null)
        {
            Sender.Tell(new HelloRejected(reason));
            _events.Tell(new WorkerHelloRejected(_index, claimed.Incarnation, claimed.Pid, reason));
            return;
        }

        _session = hello.Session;
        _lastHeartbeat = Context.System.TimeProvider.GetUtcNow();
        Sender.Tell(new HelloAccepted(Self));
    }

    private void HandleReport(WorkerReport report)
    {
        switch (report.Message)
        {
            case Ready when _state == WorkerState.Starting:
                _state = WorkerState.Ready;
                _consecutiveFailures = 0;
                Timers.Cancel(StartupTimer);
                _lastHeartbeat = Context.System.TimeProvider.GetUtcNow();
                _router.Tell(new BackendUpdated(Candidate()));
                _events.Tell(new WorkerReady(_index, _incarnation, _process!.Pid, _endpoint));
                break;
            case Heartbeat heartbeat:
                _lastStats = heartbeat.Stats;
                _lastHeartbeat = Context.System.TimeProvider.GetUtcNow();
                if (_state == WorkerState.Ready)
                {
                    _router.Tell(new BackendUpdated(Candidate()));
                }

                break;
            case Stopping when _state is WorkerState.Starting or WorkerState.Ready:
                _state = WorkerState.Draining;
                _router.Tell(new BackendRemoved(_id));
                break;
        }
    }
}
