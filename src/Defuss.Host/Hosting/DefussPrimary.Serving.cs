using System.Net;
using System.Net.Sockets;
using Akka.Actor;
using Defuss.Actors.Workers;
using Defuss.Control;
using Defuss.FrontDoor;
using Defuss.Processes;
using Defuss.Telemetry;
using Defuss.Worker.Protocol;
using Microsoft.Extensions.Logging;

namespace Defuss.Hosting;

internal sealed partial class DefussPrimary
{
    /// <summary>Starts the workers, waits for the first to be ready, opens the front door and serves until asked to stop.</summary>
    private async Task<int> ServeAsync(IReadOnlyList<IPEndPoint> endpoints)
    {
        if (_shutdown.IsCancellationRequested)
        {
            return 0;
        }

        if (!await StartAdminAsync().ConfigureAwait(false))
        {
            return 1;
        }

        _hub = new ControlHub(_supervisor!, ControlPath, _logger, _metrics);
        _hub.Start();
        _control.Attach(_supervisor!, _options!.GracefulShutdownTimeout);
        _supervisor!.Tell(StartWorkers.Instance, ActorRefs.Nobody);

        if (!await WaitForFirstWorkerAsync().ConfigureAwait(false))
        {
            return _shutdown.IsCancellationRequested && _lastFailure is null && !_allGaveUp.Task.IsCompleted ? 0 : 1;
        }

        try
        {
            // One listener per public endpoint, all routed alike; handed-off connections share the channels to the workers,
            // and the descriptor budget is shared between the listeners.
            var handoff = _handoff ? new HandoffDelivery(_loggerFactory.CreateLogger<HandoffDelivery>(), _metrics, loop: _loop) : null;
            var maxConnections = Math.Max(1, MaxConnections(_options) / endpoints.Count);
            var selector = _selector = new ActorBackendSelector(_router, RoutingTimeout);
            var bound = new List<IPEndPoint>();
            foreach (var endpoint in endpoints)
            {
                var frontDoor = new FrontDoorListener(
                    FrontDoorOptionsFor(_options, endpoint) with { MaxConnections = maxConnections }, selector, _loggerFactory, TimeProvider.System, delivery: null, handoff, _metrics);
                _frontDoors = [.. _frontDoors, frontDoor];
                bound.Add(await frontDoor.StartAsync().ConfigureAwait(false));
            }

            var frontDoors = _frontDoors;
            _metrics.ObserveConnections(() => frontDoors.Sum(frontDoor => frontDoor.ActiveConnections));
            Endpoints = bound;
        }
        catch (InvalidOperationException exception)
        {
            PrimaryLog.StartupFailed(_logger, exception.Message);
            return 1;
        }

        PublicUrls = string.Join(", ", Endpoints.Select(Admin.AdminUrl.Format));
        PrimaryLog.Listening(_logger, Environment.ProcessId, PublicUrls);
        _control.Listening(Endpoints);
        NotifyReady();
        await WaitForStopAsync().ConfigureAwait(false);
        return _allGaveUp.Task.IsCompleted ? 1 : 0;
    }

    /// <summary>
    /// Starts the metrics pipeline and the admin endpoint (on <c>Defuss:AdminUrl</c>, if set, and the local admin socket);
    /// false when the URL cannot be bound, which fails the start as a busy public port does.
    /// </summary>
    private async Task<bool> StartAdminAsync()
    {
        _meters = MetricsExport.Create(_logger);
        var options = _options!;
        var settings = new Admin.AdminSettings(
            options.AdminUrl is { } text && Admin.AdminUrl.TryParse(text, out var url) ? url : null,
            options.AdminToken,
            options.MinReadyWorkers,
            OperatingSystem.IsWindows() ? null : Worker.Protocol.AdminSockets.PathFor(Environment.ProcessId));
        try
        {
            _admin = await Admin.AdminEndpoint.StartAsync(settings, _control, ActorSystemAnswersAsync, _meters, _loggerFactory, _shutdown.Token).ConfigureAwait(false);
            return true;
        }
        catch (InvalidOperationException exception)
        {
            PrimaryLog.StartupFailed(_logger, exception.Message);
            return false;
        }
        catch (OperationCanceledException) when (_shutdown.IsCancellationRequested)
        {
            return true;
        }
    }

    /// <summary>For <c>/healthz</c>: whether the supervisor answers within 2 s (so the actor system runs and is not wedged).</summary>
    private async Task<bool> ActorSystemAnswersAsync(CancellationToken cancellationToken)
    {
        if (_supervisor is not { } supervisor)
        {
            return false;
        }

        try
        {
            return await supervisor.Ask<ActorIdentity>(new Identify(null), TimeSpan.FromSeconds(2), cancellationToken).ConfigureAwait(false) is { Subject: not null };
        }
        catch (Exception exception) when (exception is AskTimeoutException or OperationCanceledException)
        {
            return false;
        }
    }

    /// <summary>The admin endpoint's URLs, once it listens.</summary>
    internal IReadOnlyList<string> AdminUrls => _admin?.Urls ?? [];

    /// <summary>The public endpoints as URLs, in one line (as a structured sink shows it too), once the front door listens.</summary>
    private string PublicUrls { get; set; } = "";

    private async Task<bool> WaitForFirstWorkerAsync()
    {
        var stopRequested = Task.Delay(Timeout.Infinite, _shutdown.Token);
        var timeout = Task.Delay(_options!.StartupTimeout);
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

    /// <summary>The front door's settings from <paramref name="options"/>, listening on <paramref name="endpoint"/>.</summary>
    internal static FrontDoorOptions FrontDoorOptionsFor(DefussOptions options, IPEndPoint endpoint) => new()
    {
        Endpoint = endpoint,
        RequestInspectionTimeout = options.RequestInspectionTimeout,
        MaxHeaderBytes = options.MaxHeaderBytes,
        AllowHalfOpen = options.AllowHalfOpen,
        ConnectAttempts = options.ConnectAttempts,
        MaxConnections = options.MaxConnections ?? int.MaxValue,
        ProxyIdleTimeout = options.ProxyIdleTimeout,
        HalfCloseTimeout = options.HalfCloseTimeout,
    };

    /// <summary>
    /// <c>MaxConnections</c> as set, or derived from the descriptor limit (measured once the host has started, so that
    /// what it opened is counted); logged either way, with a warning when the set value does not fit the limit.
    /// </summary>
    private int MaxConnections(DefussOptions options)
    {
        if (_descriptorLimit is not { } limit)
        {
            return options.MaxConnections ?? int.MaxValue;
        }

        var open = DescriptorLimit.OpenNow();
        var fits = DescriptorLimit.MaxConnectionsWithin(limit.Now, open, options.ResolveWorkerCount());
        var max = options.MaxConnections ?? fits;
        PrimaryLog.DescriptorLimit(_logger, Environment.ProcessId, limit.Now, limit.Before, open, max, options.MaxConnections is null ? "derived from the limit" : "Defuss:MaxConnections");
        if (max > fits)
        {
            PrimaryLog.MaxConnectionsAboveLimit(_logger, max, limit.Now, fits);
        }

        return max;
    }

    private string ControlPath => Path.Combine(_directory!, "control.sock");

    private WorkerPoolSettings PoolSettings(DefussOptions options) => new()
    {
        Workers = options.ResolveWorkerCount(),
        EndpointFor = WorkerEndpointFor,
        Environment = options.WorkerEnv,
        ControlEndpoint = ControlPath,
        HeartbeatInterval = options.WorkerHeartbeatInterval,
        StartupTimeout = options.StartupTimeout,
        RespawnWorkers = options.RespawnWorkers,
        Restart = new RestartPolicy(
            options.RestartBackoffMin,
            options.RestartBackoffMax,
            options.RestartBackoffResetAfter,
            options.MaxRestarts,
            options.MaxRestartsWindow),
        HeartbeatStaleAfter = options.WorkerHeartbeatStaleAfter,
        MaxWorkerMemory = options.MaxWorkerMemory,
        DrainTimeout = options.GracefulShutdownTimeout,
        Scaling = options.ScalingPolicy(),
        KillGrace = options.WorkerKillGrace,
        Random = Random.Shared.NextDouble,
    };

    private string WorkerEndpointFor(int index, long incarnation)
    {
        var path = Path.Combine(_directory!, $"w{index}-{incarnation}.sock");
        return _handoff ? WorkerEndpoint.Format(new HandoffEndPoint(path))
            : _options!.BaseWorkerPort is { } basePort ? WorkerEndpoint.Format(new IPEndPoint(ParseAddress(_options.WorkerHost), basePort + index))
            : WorkerEndpoint.Format(new UnixDomainSocketEndPoint(path));
    }
}
