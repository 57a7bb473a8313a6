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

        // The new primary of a hand-over opens its admin endpoint once the old one has closed its own (the same URL).
        if (_successor is null && await TryStartAdminAsync().ConfigureAwait(false) is { } adminError)
        {
            StartupFailed(adminError);
            return 1;
        }

        _hub = new ControlHub(_supervisor!, ControlPath, _logger, _metrics);
        _hub.Start();
        _control.Attach(_supervisor!, _options!.GracefulShutdownTimeout);
        var startDeadline = Environment.TickCount64 + (long)_options.StartupTimeout.TotalMilliseconds;
        _supervisor!.Tell(StartWorkers.Instance, ActorRefs.Nobody);

        // The new primary of a hand-over waits for MinReadyWorkers, within the same StartupTimeout as the first.
        if (!await WaitForFirstWorkerAsync().ConfigureAwait(false)
            || (_successor is not null && !await WaitForReadyWorkersAsync(startDeadline).ConfigureAwait(false)))
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
            for (var i = 0; i < endpoints.Count; i++)
            {
                var frontDoor = new FrontDoorListener(
                    FrontDoorOptionsFor(_options, endpoints[i]) with { MaxConnections = maxConnections }, selector, _loggerFactory, TimeProvider.System, delivery: null, handoff, _metrics);
                _frontDoors = [.. _frontDoors, frontDoor];
                bound.Add(await frontDoor.StartAsync(AdoptedListener(i)).ConfigureAwait(false));
            }

            var frontDoors = _frontDoors;
            _metrics.ObserveConnections(() => frontDoors.Sum(frontDoor => frontDoor.ActiveConnections));
            Endpoints = bound;
        }
        catch (InvalidOperationException exception)
        {
            StartupFailed(exception.Message);
            return 1;
        }

        PublicUrls = string.Join(", ", Endpoints.Select(Admin.AdminUrl.Format));
        PrimaryLog.Listening(_logger, Environment.ProcessId, PublicUrls);
        _control.Listening(Endpoints);
        if (_successor is { } successor)
        {
            // The service's main process is this one from here on (before the old one, which systemd follows until now, exits).
            NotifyReady(mainProcess: true);
            _ = TakeOverAsync(successor);
        }
        else
        {
            NotifyReady();
        }
        await WaitForStopAsync().ConfigureAwait(false);
        return _allGaveUp.Task.IsCompleted ? 1 : 0;
    }

    /// <summary>
    /// Starts the metrics pipeline and the admin endpoint (on <c>Defuss:AdminUrl</c>, if set, and the local admin socket);
    /// the reason when the URL cannot be bound, which fails the start as a busy public port does, else null.
    /// </summary>
    private async Task<string?> TryStartAdminAsync()
    {
        _meters ??= MetricsExport.Create(_logger);
        var options = _options!;
        var settings = new Admin.AdminSettings(
            options.AdminUrl is { } text && Admin.AdminUrl.TryParse(text, out var url) ? url : null,
            options.AdminToken,
            options.MinReadyWorkers,
            OperatingSystem.IsWindows() ? null : Worker.Protocol.AdminSockets.PathFor(Environment.ProcessId));
        try
        {
            _admin = await Admin.AdminEndpoint.StartAsync(settings, _control, ActorSystemAnswersAsync, _meters, _loggerFactory, _shutdown.Token).ConfigureAwait(false);
            return null;
        }
        catch (InvalidOperationException exception)
        {
            return exception.Message;
        }
        catch (OperationCanceledException) when (_shutdown.IsCancellationRequested)
        {
            return null;
        }
    }

    /// <summary>
    /// The new primary of a hand-over waits for <c>Defuss:MinReadyWorkers</c> (at least one) Ready workers before it
    /// accepts, by <paramref name="deadline"/> (<c>Defuss:StartupTimeout</c> from the workers' start, in
    /// <see cref="Environment.TickCount64"/>); false when they were not, and why is logged (and told to the old one).
    /// </summary>
    private async Task<bool> WaitForReadyWorkersAsync(long deadline)
    {
        var wanted = Math.Max(1, _options!.MinReadyWorkers);
        while (true)
        {
            // Taken before the count is read: a worker that becomes Ready after the read completes it.
            var readyChanged = Volatile.Read(ref _readyChanged);
            if (_control.Board.ReadyWorkers >= wanted)
            {
                return true;
            }

            var left = deadline - Environment.TickCount64;
            if (_shutdown.IsCancellationRequested || _allGaveUp.Task.IsCompleted || left <= 0)
            {
                if (!_shutdown.IsCancellationRequested || _allGaveUp.Task.IsCompleted)
                {
                    StartupFailed($"{_control.Board.ReadyWorkers} of the {wanted} workers Defuss:MinReadyWorkers asks for were ready within Defuss:StartupTimeout ({_options.StartupTimeout}).{LastFailureText()}");
                }

                return false;
            }

            using var wake = CancellationTokenSource.CreateLinkedTokenSource(_shutdown.Token);
            wake.CancelAfter(TimeSpan.FromMilliseconds(left));
            await Task.WhenAny(readyChanged.Task, _allGaveUp.Task, Task.Delay(Timeout.Infinite, wake.Token)).ConfigureAwait(false);
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
            StartupFailed("every worker was given up before one was ready." + LastFailureText());
            return false;
        }

        if (first == timeout)
        {
            StartupFailed($"no worker was ready within Defuss:StartupTimeout ({_options.StartupTimeout}).{LastFailureText()}");
        }

        return false;
    }

    /// <summary>The last worker that failed, with its last error output, for a failed start's reason; empty when none did.</summary>
    private string LastFailureText() => _lastFailure is { } exited
        ? $" Worker {exited.Index} (pid {exited.Pid}) exited with {exited.Exit}; its last error output:{Environment.NewLine}{WorkerEventLogger.Tail(exited.RecentErrorOutput)}"
        : "";

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
