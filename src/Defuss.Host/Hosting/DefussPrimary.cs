using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using Defuss.Actors;
using Defuss.Actors.Routing;
using Defuss.Actors.Workers;
using Defuss.Control;
using Defuss.FrontDoor;
using Defuss.Telemetry;
using Defuss.Worker.Protocol;
using Microsoft.Extensions.Logging;

namespace Defuss.Hosting;

/// <summary>
/// The primary process: the actor system that supervises the workers, the control hub they report to, and the front
/// door, which opens once a worker is ready. Runs until a signal (or the token) asks it to stop.
/// </summary>
internal sealed partial class DefussPrimary : IAsyncDisposable
{
    private readonly DefussOptions _options;
    private readonly ILoggerFactory _loggerFactory;
    private readonly ILogger _logger;
    private readonly IWorkerProcessLauncher _launcher;
    private readonly string _directory;
    private readonly TaskCompletionSource _firstReady = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _allGaveUp = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly CancellationTokenSource _shutdown = new();
    private readonly List<PosixSignalRegistration> _signals = [];
    private ActorSystem? _system;
    private ControlHub? _hub;
    private FrontDoorListener? _frontDoor;
    private IActorRef? _supervisor;
    private WorkerExited? _lastFailure;
    private int _signalCount;
    private readonly bool _handoff;
    private readonly string _deliveryReason;

    private readonly DefussControl _control;

    private readonly DefussMetrics _metrics;

    public DefussPrimary(DefussOptions options, ILoggerFactory loggerFactory, IWorkerProcessLauncher launcher, DefussControl control, DefussMetrics metrics)
    {
        _control = control;
        _metrics = metrics;
        _options = options;
        _loggerFactory = loggerFactory;
        _logger = loggerFactory.CreateLogger("Defuss");
        _launcher = launcher;
        _directory = CreatePrivateDirectory();
        _handoff = DeliveryModes.UsesHandoff(options, DeliveryModes.WhyHandoffUnsupported, out _deliveryReason);
    }

    /// <summary>The public endpoint, once the front door is listening.</summary>
    public IPEndPoint? Endpoint { get; private set; }

    /// <summary>Runs the primary; returns the process exit code (0 after a requested stop, 1 when it cannot start).</summary>
    public async Task<int> RunAsync(CancellationToken cancellationToken)
    {
        using var cancelled = cancellationToken.Register(() => RequestStop("the host asked to stop"));
        if (_options.InstallSignalHandlers)
        {
            InstallSignalHandlers();
        }

        var endpoint = new IPEndPoint(ParseAddress(_options.Host), _options.Port);
        if (PortInUse(endpoint) is { } portError)
        {
            PrimaryLog.StartupFailed(_logger, portError);
            return 1;
        }

        var workers = _options.ResolveWorkerCount();
        PrimaryLog.Started(_logger, Environment.ProcessId, workers, _options.RouterName);
        PrimaryLog.DeliveryChosen(_logger, _handoff ? "handoff" : "proxy", _deliveryReason);
        StartControlPlane(workers);

        if (!await WaitForFirstWorkerAsync().ConfigureAwait(false))
        {
            await StopAsync().ConfigureAwait(false);
            return _shutdown.IsCancellationRequested && _lastFailure is null && !_allGaveUp.Task.IsCompleted ? 0 : 1;
        }

        try
        {
            var handoff = _handoff ? new HandoffDelivery(_loggerFactory.CreateLogger<HandoffDelivery>(), _metrics) : null;
            _frontDoor = new FrontDoorListener(
                FrontDoorOptionsFor(_options, endpoint), new ActorBackendSelector(Router, RoutingTimeout), _loggerFactory, TimeProvider.System, delivery: null, handoff);
            Endpoint = await _frontDoor.StartAsync().ConfigureAwait(false);
            var frontDoor = _frontDoor;
            _metrics.ObserveConnections(() => frontDoor.ActiveConnections);
        }
        catch (InvalidOperationException exception)
        {
            PrimaryLog.StartupFailed(_logger, exception.Message);
            await StopAsync().ConfigureAwait(false);
            return 1;
        }

        PrimaryLog.Listening(_logger, Environment.ProcessId, Endpoint);
        await WaitForStopAsync().ConfigureAwait(false);
        await StopAsync().ConfigureAwait(false);
        return _allGaveUp.Task.IsCompleted ? 1 : 0;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var signal in _signals)
        {
            signal.Dispose();
        }

        if (_frontDoor is not null)
        {
            await _frontDoor.DisposeAsync().ConfigureAwait(false);
        }

        if (_system is not null)
        {
            await _system.Terminate().ConfigureAwait(false);
        }

        if (_hub is not null)
        {
            await _hub.DisposeAsync().ConfigureAwait(false);
        }

        _shutdown.Dispose();
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
            // A worker may still be removing its socket; the directory is in the temp folder.
        }
    }

    /// <summary>How long the front door waits for the router's answer; the router answers from memory in microseconds.</summary>
    private static TimeSpan RoutingTimeout => TimeSpan.FromSeconds(2);

    private IActorRef Router { get; set; } = ActorRefs.Nobody;

    private void StartControlPlane(int workers)
    {
        _system = ActorSystem.Create("defuss", new ActorSystemSettings { LoggerFactory = _loggerFactory });
        var events = _system.ActorOf(Props.Create(() => new WorkerEventLogger(_logger, _metrics, OnWorkerEvent)), "events");
        Router = _system.ActorOf(LoadBalancers.PropsFor(_options, Random.Shared), "router");
        Router.Tell(new RoutingSettings(_options.EjectionPeriod, events), ActorRefs.Nobody);
        var controlPath = Path.Combine(_directory, "control.sock");
        var pool = new WorkerPoolSettings
        {
            Workers = workers,
            EndpointFor = WorkerEndpointFor,
            Environment = _options.WorkerEnv,
            ControlEndpoint = controlPath,
            HeartbeatInterval = _options.WorkerHeartbeatInterval,
            StartupTimeout = _options.StartupTimeout,
            RespawnWorkers = _options.RespawnWorkers,
            Restart = new RestartPolicy(
                _options.RestartBackoffMin,
                _options.RestartBackoffMax,
                _options.RestartBackoffResetAfter,
                _options.MaxRestarts,
                _options.MaxRestartsWindow),
            HeartbeatStaleAfter = _options.WorkerHeartbeatStaleAfter,
            MaxWorkerMemory = _options.MaxWorkerMemory,
            DrainTimeout = _options.GracefulShutdownTimeout,
            KillGrace = _options.WorkerKillGrace,
            Random = Random.Shared.NextDouble,
        };
        _supervisor = _system.ActorOf(Props.Create(() => new WorkerSupervisor(pool, _launcher, Router, events)), "supervisor");
        _hub = new ControlHub(_supervisor, controlPath, _logger);
        _hub.Start();
        _control.Attach(_supervisor, _options.GracefulShutdownTimeout);
    }

    private string WorkerEndpointFor(int index, long incarnation)
    {
        var path = Path.Combine(_directory, $"w{index}-{incarnation}.sock");
        return _handoff ? WorkerEndpoint.Format(new HandoffEndPoint(path))
            : _options.BaseWorkerPort is { } basePort ? WorkerEndpoint.Format(new IPEndPoint(ParseAddress(_options.WorkerHost), basePort + index))
            : WorkerEndpoint.Format(new UnixDomainSocketEndPoint(path));
    }

    private void OnWorkerEvent(object workerEvent)
    {
        if (workerEvent is WorkerEvent published)
        {
            _control.Publish(published);
        }

        switch (workerEvent)
        {
            case AllWorkersGaveUp:
                _allGaveUp.TrySetResult();
                RequestStop("every worker has been given up");
                break;
            case WorkerReady:
                _firstReady.TrySetResult();
                break;
            case WorkerExited { Expected: false } exited:
                _lastFailure = exited;
                break;
        }
    }

    private async Task<bool> WaitForFirstWorkerAsync()
    {
        var stopRequested = Task.Delay(Timeout.Infinite, _shutdown.Token);
        var timeout = Task.Delay(_options.StartupTimeout);
        var first = await Task.WhenAny(_firstReady.Task, stopRequested, timeout).ConfigureAwait(false);
        if (first == _firstReady.Task)
        {
            return true;
        }

        if (_allGaveUp.Task.IsCompleted)
        {
            PrimaryLog.StartupFailed(_logger, "every worker was given up before one was ready; see the worker logs above");
            return false;
        }

        if (first == timeout)
        {
            var failure = _lastFailure is { } exited
                ? $" Worker {exited.Index} (pid {exited.Pid}) exited with {exited.Exit}; its last error output:{Environment.NewLine}{WorkerEventLogger.Tail(exited.RecentErrorOutput)}"
                : "";
            var reason = $"no worker was ready within Defuss:StartupTimeout ({_options.StartupTimeout}).{failure}";
            PrimaryLog.StartupFailed(_logger, reason);
        }

        return false;
    }

    private Task WaitForStopAsync()
    {
        var stopped = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _shutdown.Token.Register(() => stopped.TrySetResult());
        return stopped.Task;
    }

    private void RequestStop(string reason)
    {
        if (!_shutdown.IsCancellationRequested)
        {
            PrimaryLog.Stopping(_logger, Environment.ProcessId, reason);
            _shutdown.Cancel();
        }
    }

    /// <summary>The front door's settings from <paramref name="options"/>, listening on <paramref name="endpoint"/>.</summary>
    internal static FrontDoorOptions FrontDoorOptionsFor(DefussOptions options, IPEndPoint endpoint) => new()
    {
        Endpoint = endpoint,
        RequestInspectionTimeout = options.RequestInspectionTimeout,
        MaxHeaderBytes = options.MaxHeaderBytes,
        AllowHalfOpen = options.AllowHalfOpen,
        ConnectAttempts = options.ConnectAttempts,
    };
}
