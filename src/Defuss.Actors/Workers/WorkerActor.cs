using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Defuss.Actors.Routing;
using Defuss.Worker.Protocol;

namespace Defuss.Actors.Workers;

/// <summary>
/// Owns one worker OS process at a time: starts it, accepts its control channel, publishes it to the router while it
/// is ready and healthy, replaces it when it exits or hangs, and gives it up after too many restarts. Reports and timers
/// from an older incarnation are dropped. Its state lives in a <see cref="WorkerRecord"/> that survives actor restarts.
/// </summary>
internal sealed partial class WorkerActor : ReceiveActor, IWithTimers
{
    private const string StartupTimer = "startup";
    private const string RespawnTimer = "respawn";
    private const string StopTimer = "stop";
    private const string HeartbeatTimer = "heartbeat";
    private const string StableTimer = "stable";

    private readonly int _index;
    private readonly string _id;
    private readonly WorkerRecord _record;
    private readonly WorkerPoolSettings _settings;
    private readonly IWorkerProcessLauncher _launcher;
    private readonly IActorRef _router;
    private readonly IActorRef _events;
    private readonly TimeProvider _clock;

    public WorkerActor(int index, WorkerRecord record, WorkerPoolSettings settings, IWorkerProcessLauncher launcher, IActorRef router, IActorRef events)
    {
        _index = index;
        _id = BackendCandidate.IdOf(index);
        _record = record;
        _settings = settings;
        _launcher = launcher;
        _router = router;
        _events = events;
        _clock = ActorTime.Of(Context.System);

        Receive<WorkerHello>(HandleHello);
        Receive<WorkerReport>(r => Current(r.Incarnation), HandleReport);
        Receive<ControlChannelClosed>(c => c.Incarnation == _record.Incarnation, _ => _record.Session = null);
        Receive<ProcessExited>(e => Current(e.Incarnation), HandleExit);
        Receive<ProcessExited>(e => _record.Retiring?.Incarnation == e.Incarnation, HandleRetiredExit);
        Receive<ReplaceWorker>(replace => HandleReplace(replace, "rolling restart"));
        Receive<RetireDeadlinePassed>(r => _record.Retiring?.Incarnation == r.Incarnation, _ => _record.Retiring!.Process.Kill());
        Receive<RespawnDue>(r => r.AfterIncarnation == _record.Incarnation && _record.Process is null && _record.State == WorkerState.Exited && !_record.Stopping, _ => Launch());
        Receive<StartupDeadlinePassed>(s => Current(s.Incarnation) && _record.State == WorkerState.Starting, HandleStartupTimeout);
        Receive<HeartbeatDeadlinePassed>(h => Current(h.Incarnation) && _record.State == WorkerState.Ready, HandleStale);
        Receive<WorkerBrokeProtocol>(b => Current(b.Incarnation), HandleBrokeProtocol);
        Receive<WorkerBrokeProtocol>(b => _record.Retiring?.Incarnation == b.Incarnation, _ => _record.Retiring!.Process.Kill());
        Receive<StablePeriodPassed>(s => Current(s.Incarnation) && _record.State == WorkerState.Ready, _ => _record.ConsecutiveFailures = 0);
        Receive<StopWorker>(HandleStop);
        Receive<StopDeadlinePassed>(s => Current(s.Incarnation), _ => _record.Process?.Kill());
    }

    public ITimerScheduler Timers { get; set; } = null!;

    /// <summary>Starts the first process, or, after an actor restart, adopts the running one and re-arms its timers.</summary>
    protected override void PreStart()
    {
        if (_record.LastIssued == 0)
        {
            Launch();
        }
        else
        {
            Adopt();
        }
    }

    /// <summary>An actor restart keeps the process (the record carries it over); only a final stop ends it.</summary>
    protected override void PreRestart(Exception reason, object? message)
    {
    }

    /// <summary>The worker is stopped for good: its process does not outlive it.</summary>
    protected override void PostStop()
    {
        _record.Retiring?.Process.Kill();
        _record.Process?.Kill();
        _record.Session?.Close();
        _router.Tell(new BackendRemoved(_id));
    }

    private bool Current(long incarnation) => incarnation == _record.Incarnation && _record.Process is not null;

    private void Launch()
    {
        _record.Incarnation = ++_record.LastIssued;
        _record.Secret = Encoding.ASCII.GetBytes(Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32)));
        _record.Endpoint = _settings.EndpointFor(_index, _record.Incarnation);
        var environment = new Dictionary<string, string>(_settings.Environment)
        {
            [WorkerEnvironment.Role] = WorkerEnvironment.WorkerRole,
            [WorkerEnvironment.Index] = _index.ToString(CultureInfo.InvariantCulture),
            [WorkerEnvironment.Incarnation] = _record.Incarnation.ToString(CultureInfo.InvariantCulture),
            [WorkerEnvironment.ControlEndpoint] = _settings.ControlEndpoint,
            [WorkerEnvironment.Secret] = Encoding.ASCII.GetString(_record.Secret),
            [WorkerEnvironment.Endpoint] = _record.Endpoint,
            [WorkerEnvironment.HeartbeatIntervalMs] = ((long)_settings.HeartbeatInterval.TotalMilliseconds).ToString(CultureInfo.InvariantCulture),
        };

        IWorkerProcess process;
        try
        {
            process = _launcher.Launch(new WorkerLaunchRequest(_index, _record.Incarnation, environment));
        }
        catch (Exception exception)
        {
            _events.Tell(new WorkerLaunchFailed(_index, _record.Incarnation, exception.Message));
            _record.State = WorkerState.Exited;
            if (_settings.RespawnWorkers)
            {
                Fail(lastExit: new WorkerExit(-1, null), lastPid: 0, errorOutput: [exception.Message]);
            }

            return;
        }

        _record.Process = process;
        _record.State = WorkerState.Starting;
        _record.Session = null;
        _record.LastStats = null;
        var self = Self;
        var incarnation = _record.Incarnation;
        process.Exited.ContinueWith(
            exited => self.Tell(new ProcessExited(incarnation, exited.IsCompletedSuccessfully ? exited.Result : new WorkerExit(-1, null)), ActorRefs.Nobody),
            CancellationToken.None,
            TaskContinuationOptions.ExecuteSynchronously,
            TaskScheduler.Default);
        Timers.StartSingleTimer(StartupTimer, new StartupDeadlinePassed(incarnation), _settings.StartupTimeout);
        _events.Tell(new WorkerStarted(_index, incarnation, process.Pid, _record.Endpoint));
    }

    private void HandleHello(WorkerHello hello)
    {
        var claimed = hello.Hello;
        var reason = claimed.ProtocolVersion != ControlProtocol.Version
            ? $"it speaks Defuss control protocol {claimed.ProtocolVersion} and this primary speaks {ControlProtocol.Version}: the worker runs a Defuss build this primary cannot supervise (the binary changed on disk since the primary started; restart the primary to run the new build)"
            : claimed.Incarnation != _record.Incarnation || _record.Process is null || _record.State != WorkerState.Starting
            ? $"incarnation {claimed.Incarnation} is not the one starting (current: {_record.Incarnation}, {_record.State})"
            : !CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(claimed.Secret ?? ""), _record.Secret)
                ? "the secret does not match"
                : _record.Session is not null ? "a control channel is already open" : null;
        if (reason is not null)
        {
            Sender.Tell(new HelloRejected(reason));
            _events.Tell(new WorkerHelloRejected(_index, claimed.Incarnation, claimed.Pid, reason));
            return;
        }

        _record.Session = hello.Session;
        Sender.Tell(new HelloAccepted(Self));
    }

    private void HandleReport(WorkerReport report)
    {
        switch (report.Message)
        {
            case Ready when _record.State == WorkerState.Starting:
                _record.State = WorkerState.Ready;
                Timers.Cancel(StartupTimer);
                Timers.StartSingleTimer(StableTimer, new StablePeriodPassed(_record.Incarnation), _settings.Restart.BackoffResetAfter);
                Heard();
                _router.Tell(new BackendUpdated(Candidate()));
                var draining = _record.Replacing ? RetireOld() : null;
                _events.Tell(new WorkerReady(_index, _record.Incarnation, _record.Process!.Pid, _record.Endpoint));
                if (draining is not null)
                {
                    _events.Tell(draining);
                }

                break;
            // The control hub refuses a heartbeat without stats; this guard keeps one that slipped through from faulting.
            case Heartbeat { Stats: not null } heartbeat when _record.State == WorkerState.Ready:
                _record.LastStats = heartbeat.Stats;
                Heard();
                _router.Tell(new BackendUpdated(Candidate()));
                Context.System.EventStream.Publish(new WorkerStatsReported(_index, _record.Incarnation, _record.Process!.Pid, heartbeat.Stats));
                if (_settings.MaxWorkerMemory is { } limit && heartbeat.Stats.WorkingSetBytes > limit && !_record.Replacing)
                {
                    HandleReplace(new ReplaceWorker(_settings.DrainTimeout), $"working set {heartbeat.Stats.WorkingSetBytes} bytes is above MaxWorkerMemory ({limit})");
                }

                break;
            case Stopping stopping when _record.State is WorkerState.Starting or WorkerState.Ready:
                _record.State = WorkerState.Draining;
                _router.Tell(new BackendRemoved(_id));
                _events.Tell(new WorkerDraining(_index, _record.Incarnation, _record.Process!.Pid, "the worker is stopping: " + stopping.Reason));
                break;
        }
    }

    /// <summary>A sign of life: the staleness deadline starts again.</summary>
    private void Heard()
    {
        _record.LastHeartbeat = _clock.GetUtcNow();
        _record.LastHeardAt = _clock.GetTimestamp();
        Timers.StartSingleTimer(HeartbeatTimer, new HeartbeatDeadlinePassed(_record.Incarnation), _settings.HeartbeatStaleAfter);
    }

    private BackendCandidate Candidate() => new(
        _id,
        _index,
        WorkerEndpoint.Parse(_record.Endpoint),
        _record.Process?.Pid ?? 0,
        Ready: _record.State == WorkerState.Ready,
        Healthy: _record.State == WorkerState.Ready,
        _record.LastHeartbeat,
        ActiveConnections: 0,
        _record.LastStats)
    {
        Secret = _record.Secret,
    };
}
