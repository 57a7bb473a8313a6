using System.Net;
using System.Runtime.InteropServices;
using Akka;
using Akka.Actor;
using Akka.DependencyInjection;
using Akka.Hosting;
using Defuss.Actors.Routing;
using Defuss.Actors.Workers;
using Defuss.Control;
using Defuss.FrontDoor;
using Defuss.Processes;
using Defuss.Telemetry;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Defuss.Hosting;

/// <summary>
/// The primary process: starts the host (and with it the actor system, where <see cref="StartActors"/> puts Defuss's
/// supervisor and router), the control hub the workers report to, and the front door, which opens once a worker is
/// ready. Runs until a signal, the token or the host's lifetime asks it to stop; then it drains, and only then stops
/// the host, whose actor system shuts down after the workers are gone.
/// </summary>
internal sealed partial class DefussPrimary : IAsyncDisposable
{
    private readonly ILoggerFactory _loggerFactory;
    private readonly ILogger _logger;
    private readonly IWorkerProcessLauncher _launcher;
    private readonly DefussControl _control;
    private readonly DefussMetrics _metrics;
    private readonly TaskCompletionSource _firstReady = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _allGaveUp = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private TaskCompletionSource _readyChanged = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly CancellationTokenSource _shutdown = new();
    private readonly List<PosixSignalRegistration> _signals = [];
    private readonly Lock _drainGate = new();
    private DefussOptions? _options;
    private string? _directory;
    private bool _handoff;
    private FrontDoorLoop? _loop;
    private ActorBackendSelector? _selector;
    private ControlHub? _hub;
    private FrontDoorListener[] _frontDoors = [];
    private IActorRef? _supervisor;
    private IActorRef _router = ActorRefs.Nobody;
    private IActorRef _events = ActorRefs.Nobody;
    private Task? _drain;
    private (long Before, long Now)? _descriptorLimit;
    private WorkerExited? _lastFailure;
    private Admin.AdminEndpoint? _admin;
    private OpenTelemetry.Metrics.MeterProvider? _meters;
    private readonly TaskCompletionSource _finished = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _signalCount;

    public DefussPrimary(ILoggerFactory loggerFactory, IWorkerProcessLauncher launcher, DefussControl control, DefussMetrics metrics)
    {
        _loggerFactory = loggerFactory;
        _logger = loggerFactory.CreateLogger("Defuss");
        _launcher = launcher;
        _control = control;
        _metrics = metrics;
    }

    /// <summary>The first public endpoint, once the front door is listening.</summary>
    public IPEndPoint? Endpoint => Endpoints.Count > 0 ? Endpoints[0] : null;

    /// <summary>The public endpoints, once the front door is listening on them.</summary>
    public IReadOnlyList<IPEndPoint> Endpoints { get; private set; } = [];

    /// <summary>
    /// Runs the primary with validated <paramref name="options"/>; returns the process exit code (0 after a requested
    /// stop, 1 when it cannot start or every worker was given up).
    /// </summary>
    /// <remarks>
    /// With <paramref name="successor"/>, this primary takes over from the one that started it: it serves on that one's
    /// listening sockets once its own workers are Ready, and tells it why when it cannot.
    /// </remarks>
    public async Task<int> RunAsync(WebApplication app, DefussOptions options, CancellationToken cancellationToken, Upgrade.UpgradeSuccessor? successor = null)
    {
        _options = options;
        _successor = successor;
        _control.AttachStop(StopFromControlAsync);
        _control.AttachUpgrade(UpgradeAsync);
        StartSystemd();
        using var cancelled = cancellationToken.Register(() => RequestStop("the host asked to stop"));
        if (options.InstallSignalHandlers)
        {
            InstallSignalHandlers();
        }

        try
        {
            var endpoints = PublicEndpoints.Resolve(options, app.Configuration);
            if (endpoints.Error is { } settingError)
            {
                StartupFailed(settingError);
                return 1;
            }

            var (adopted, adoptError) = AdoptListeners(endpoints.Endpoints);
            if ((adoptError ?? (adopted is null ? endpoints.Endpoints.Select(endpoint => PortInUse(endpoint, endpoints)).FirstOrDefault(error => error is not null) : null)) is { } endpointError)
            {
                StartupFailed(endpointError);
                return 1;
            }

            try
            {
                _environmentFileAtStart = Upgrade.SuccessorEnvironment.ReadFile(options);
            }
            catch (FormatException exception)
            {
                // A hand-over reads it again, and refuses to start a new primary while it does not parse.
                Upgrade.UpgradeLog.EnvironmentFileUnreadable(_logger, exception.Message);
            }

            if (endpoints.Source != PublicEndpoints.DefussSource)
            {
                PrimaryLog.EndpointsFromAspNet(_logger, endpoints.Setting);
            }

            if (endpoints.Ignored.Count > 0)
            {
                PrimaryLog.UrlsIgnored(_logger, string.Join(", ", endpoints.Ignored), endpoints.Source);
            }

            _descriptorLimit = DescriptorLimit.RaiseToHard();
            _directory = CreatePrivateDirectory();
            Processes.LeftoverDirectories.Claim(_directory, Environment.ProcessId);
            if (Processes.LeftoverDirectories.RemoveStale(Path.GetDirectoryName(_directory)!, keep: _directory) is { Count: > 0 } removed)
            {
                var names = string.Join(", ", removed);
                PrimaryLog.LeftoversRemoved(_logger, removed.Count, names);
            }

            _handoff = DeliveryModes.UsesHandoff(options, DeliveryModes.WhyHandoffUnsupported, out var deliveryReason);
            var workers = options.ResolveWorkerCount();
            PrimaryLog.Started(_logger, Environment.ProcessId, workers, options.RouterName);
            PrimaryLog.DeliveryChosen(_logger, _handoff ? "handoff" : "proxy", deliveryReason);
            _control.Board.Describe(_handoff ? "handoff" : "proxy", options.RouterName, workers);
            _metrics.ObserveWorkers(_control.Board);

            var started = await StartHostAsync(app).ConfigureAwait(false);
            if (started == HostStart.Failed)
            {
                return 1;
            }

            var stopping = app.Lifetime.ApplicationStopping.Register(() => RequestStop("the host is stopping"));
            try
            {
                return started == HostStart.Cancelled ? 0 : await ServeAsync(adopted ?? endpoints.Endpoints).ConfigureAwait(false);
            }
            finally
            {
                await stopping.DisposeAsync().ConfigureAwait(false);
                await DrainAsync().ConfigureAwait(false);
                await app.StopAsync(CancellationToken.None).ConfigureAwait(false);
                if (_launcher is Processes.OsWorkerProcessLauncher launcher)
                {
                    // The workers' last lines (their shutdown) reach the console before the primary says it stopped.
                    await launcher.FlushOutputAsync(TimeSpan.FromSeconds(2)).ConfigureAwait(false);
                }

                PrimaryLog.Stopped(_logger, Environment.ProcessId);
            }
        }
        finally
        {
            await CleanUpAsync().ConfigureAwait(false);
            StopSystemd();
            _control.NeverListening("the primary stopped before its front door listened");
            _finished.TrySetResult();
        }
    }

    /// <summary>
    /// Starts the events actor, the router and the supervisor in <paramref name="system"/> (called by <c>WithDefuss</c>'s
    /// starter as the host starts) and registers them for <c>IRequiredActor&lt;DefussRouter&gt;</c> and
    /// <c>IRequiredActor&lt;DefussSupervisor&gt;</c>. The workers start later, once the control hub listens.
    /// </summary>
    public void StartActors(ActorSystem system, IActorRegistry registry, IDependencyResolver resolver)
    {
        if (_options is not { } options || _directory is null)
        {
            PrimaryLog.ActorsNotStarted(_logger, "the primary runs through app.RunDefussAsync(), not app.Run()");
            return;
        }

        _events = system.ActorOf(Props.Create(() => new WorkerEventLogger(_logger, _metrics, OnWorkerEvent, _control.Board)), "defuss-events");
        var routerProps = LoadBalancers.PropsFor(options, Random.Shared, resolver);
        if (_handoff)
        {
            // The router runs on the front door's loop: a handed-off connection is then accepted, routed and sent on one
            // thread, with no thread-pool hop per connection.
            _loop = new FrontDoorLoop(_loggerFactory.CreateLogger<FrontDoorLoop>());
            routerProps = routerProps.WithDispatcher(FrontDoorLoopDispatcher.Register(system, _loop));
        }

        _router = system.ActorOf(routerProps, "defuss-router");
        _router.Tell(new RoutingSettings(options.EjectionPeriod, _events), ActorRefs.Nobody);
        _supervisor = system.ActorOf(WorkerSupervisor.PropsFor(PoolSettings(options), _launcher, _router, _events), "defuss-supervisor");
        registry.Register<DefussRouter>(_router);
        registry.Register<DefussSupervisor>(_supervisor);

        // Whoever starts the actor system's shutdown, the drain runs before any actor stops.
        CoordinatedShutdown.Get(system).AddTask(CoordinatedShutdown.PhaseBeforeServiceUnbind, "defuss-drain", async () =>
        {
            RequestStop("the actor system is shutting down");
            await DrainAsync().ConfigureAwait(false);
            return Done.Instance;
        });
    }

    /// <summary>The container's end: whatever a run left (nothing, after a run that returned).</summary>
    public async ValueTask DisposeAsync()
    {
        await CleanUpAsync().ConfigureAwait(false);
        _shutdown.Dispose();
        _systemdStop.Dispose();
    }

    /// <summary>Releases what the run held: signal handlers, the front door, the control hub and the private directory.</summary>
    private async Task CleanUpAsync()
    {
        foreach (var signal in _signals)
        {
            signal.Dispose();
        }

        _signals.Clear();
        if (Interlocked.Exchange(ref _admin, null) is { } admin)
        {
            await admin.DisposeAsync().ConfigureAwait(false);
        }

        Interlocked.Exchange(ref _meters, null)?.Dispose();
        foreach (var frontDoor in Interlocked.Exchange(ref _frontDoors, []))
        {
            await frontDoor.DisposeAsync().ConfigureAwait(false);
        }

        // Sockets adopted for a front door that never started: systemd or the old primary still holds them.
        foreach (var socket in Interlocked.Exchange(ref _adoptedListeners, null) ?? [])
        {
            if (socket.SafeHandle is { IsClosed: false })
            {
                Upgrade.ListeningSockets.MarkShared(socket);
                socket.Dispose();
            }
        }

        if (Interlocked.Exchange(ref _hub, null) is { } hub)
        {
            await hub.DisposeAsync().ConfigureAwait(false);
        }

        Interlocked.Exchange(ref _selector, null)?.Dispose();

        // After the front doors: their channels end on it. Whatever the router still gets runs on the thread pool.
        Interlocked.Exchange(ref _loop, null)?.Dispose();

        if (Interlocked.Exchange(ref _directory, null) is { } directory)
        {
            try
            {
                Directory.Delete(directory, recursive: true);
            }
            catch (IOException)
            {
                // A worker may still be removing its socket; the directory is in the temp folder.
            }
        }
    }

    /// <summary>How long the front door waits for the router's answer; the router answers from memory in microseconds.</summary>
    private static TimeSpan RoutingTimeout => TimeSpan.FromSeconds(2);

    /// <summary>Starts the host; a failure (a hosted service that throws, an actor system that cannot start) stops it again.</summary>
    private async Task<HostStart> StartHostAsync(WebApplication app)
    {
        try
        {
            await app.StartAsync(_shutdown.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (_shutdown.IsCancellationRequested)
        {
            return HostStart.Cancelled;
        }
        catch (Exception exception)
        {
            StartupFailed("the host did not start: " + exception.Message);
            await app.StopAsync(CancellationToken.None).ConfigureAwait(false);
            return HostStart.Failed;
        }

        if (_supervisor is null)
        {
            StartupFailed("Defuss's actors did not start in the host's actor system; see the log above");
            await app.StopAsync(CancellationToken.None).ConfigureAwait(false);
            return HostStart.Failed;
        }

        AppPlacement.LogWhatRunsInThePrimary(app.Services, _logger);
        return HostStart.Started;
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
                Interlocked.Exchange(ref _readyChanged, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
                NotifyStatus();
                break;
            case WorkerExited { Expected: false } exited:
                _lastFailure = exited;
                NotifyStatus();
                break;
            case WorkerExited or WorkerStale or WorkerDraining or WorkerGaveUp:
                NotifyStatus();
                break;
        }
    }

    private Task WaitForStopAsync()
    {
        var stopped = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _shutdown.Token.Register(() => stopped.TrySetResult());
        return stopped.Task;
    }

    private void RequestStop(string reason)
    {
        lock (_drainGate)
        {
            if (_shutdown.IsCancellationRequested)
            {
                return;
            }

            PrimaryLog.Stopping(_logger, Environment.ProcessId, reason);
            NotifyStopping();
            _shutdown.Cancel();
        }
    }

    private enum HostStart
    {
        Started,
        Cancelled,
        Failed,
    }
}
