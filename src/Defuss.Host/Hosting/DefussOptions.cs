using Akka.Actor;
using Defuss.Actors.Routing;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace Defuss.Hosting;

/// <summary>
/// Defuss's settings, bound from the <c>Defuss</c> configuration section (appsettings.json, <c>Defuss__Workers=4</c>,
/// <c>--Defuss:Port=8080</c>) and validated at start.
/// </summary>
public sealed class DefussOptions
{
    /// <summary>The configuration section the options bind from.</summary>
    public const string SectionName = "Defuss";

    /// <summary>
    /// The address the front door listens on. Defaults to <c>0.0.0.0</c> (every IPv4 interface), as a server expects.
    /// While neither this nor <see cref="Port"/> is set, the front door listens where an ASP.NET Core app would
    /// (<c>--urls</c>, <c>ASPNETCORE_URLS</c>, <c>ASPNETCORE_HTTP_PORTS</c>, the <c>urls</c> setting, launchSettings.json).
    /// </summary>
    public string Host { get; set; } = DefaultHost;

    /// <summary>
    /// The public port. Defaults to 3000, when no ASP.NET URL setting names one either. When set, it wins over those
    /// settings. 0 picks a free port (logged at start), which tests use.
    /// </summary>
    public int Port { get; set; } = DefaultPort;

    internal const string DefaultHost = "0.0.0.0";
    internal const int DefaultPort = 3000;

    /// <summary>The address workers listen on when <see cref="BaseWorkerPort"/> is set. Defaults to <c>127.0.0.1</c>: never public.</summary>
    public string WorkerHost { get; set; } = "127.0.0.1";

    /// <summary>
    /// Unset (the default): each worker gets a private endpoint the primary picks (a Unix domain socket in the primary's
    /// private directory). Set: worker N listens on TCP <c>WorkerHost:BaseWorkerPort+N</c>, where any local process can
    /// connect; a worker serves only connections whose PROXY header carries its own secret, which only the primary knows.
    /// </summary>
    public int? BaseWorkerPort { get; set; }

    /// <summary>How many worker processes: a number, or <c>auto</c> (the default) for one per processor. Not with <see cref="MinWorkers"/>/<see cref="MaxWorkers"/>.</summary>
    public string Workers { get; set; } = "auto";

    /// <summary>
    /// Makes the pool elastic, with at least this many workers (it starts with them). Defaults to unset: a fixed pool of
    /// <see cref="Workers"/>; with only <see cref="MaxWorkers"/> set, 1.
    /// </summary>
    public int? MinWorkers { get; set; }

    /// <summary>Makes the pool elastic, with at most this many workers. Defaults to unset; with only <see cref="MinWorkers"/> set, one per processor (at least MinWorkers).</summary>
    public int? MaxWorkers { get; set; }

    /// <summary>How long the Ready workers must stay saturated before an elastic pool starts one more. Defaults to 15 s: past a burst, short of a minute of overload.</summary>
    public TimeSpan ScaleUpAfter { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>How long an elastic pool must stay idle before it retires one worker (with a drain). Defaults to 5 minutes: a lull is not a trend.</summary>
    public TimeSpan ScaleDownAfter { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Mean CPU per Ready worker (percent of one core) at or above which the pool is saturated. Defaults to 70.</summary>
    public double ScaleUpCpuPercent { get; set; } = 70;

    /// <summary>Mean CPU per Ready worker under which the pool is idle (with few requests in flight). Defaults to 25.</summary>
    public double ScaleDownCpuPercent { get; set; } = 25;

    /// <summary>Mean requests in flight per Ready worker at or above which the pool is saturated. Defaults to 32.</summary>
    public double ScaleUpRequestsInFlight { get; set; } = 32;

    /// <summary>Mean requests in flight per Ready worker under which the pool is idle (with low CPU). Defaults to 4.</summary>
    public double ScaleDownRequestsInFlight { get; set; } = 4;

    /// <summary>Whether the pool is elastic: <see cref="MinWorkers"/> or <see cref="MaxWorkers"/> is set.</summary>
    internal bool Elastic => MinWorkers is not null || MaxWorkers is not null;

    /// <summary>The elastic pool's policy (valid options only), or null for a fixed pool.</summary>
    internal Actors.Workers.ScalingPolicy? ScalingPolicy()
    {
        if (!Elastic)
        {
            return null;
        }

        var min = MinWorkers ?? 1;
        return new Actors.Workers.ScalingPolicy
        {
            MinWorkers = min,
            MaxWorkers = MaxWorkers ?? Math.Max(min, Environment.ProcessorCount),
            ScaleUpAfter = ScaleUpAfter,
            ScaleDownAfter = ScaleDownAfter,
            ScaleUpCpuPercent = ScaleUpCpuPercent,
            ScaleDownCpuPercent = ScaleDownCpuPercent,
            ScaleUpRequestsInFlight = ScaleUpRequestsInFlight,
            ScaleDownRequestsInFlight = ScaleDownRequestsInFlight,
        };
    }

    /// <summary>How long the front door waits for a request head before it routes without one. Defaults to 10 ms.</summary>
    public TimeSpan RequestInspectionTimeout { get; set; } = TimeSpan.FromMilliseconds(10);

    /// <summary>The most bytes of a request head the front door reads to route it. Defaults to 16 KiB.</summary>
    public int MaxHeaderBytes { get; set; } = 16 * 1024;

    /// <summary>Whether a client's half-close is passed on while the response still flows. Defaults to true.</summary>
    public bool AllowHalfOpen { get; set; } = true;

    /// <summary>How often a worker reports its stats. Defaults to 1 s.</summary>
    public TimeSpan WorkerHeartbeatInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>A Ready worker with no heartbeat for this long is stale: routed around, stopped, killed after <see cref="WorkerKillGrace"/>, and replaced. Defaults to 5 s (five missed beats).</summary>
    public TimeSpan WorkerHeartbeatStaleAfter { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>How long shutdown waits for in-flight work before it forces. Defaults to 10 s.</summary>
    public TimeSpan GracefulShutdownTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How long the primary waits for the first worker to be ready, and each worker for its own start. Defaults to 30 s.</summary>
    public TimeSpan StartupTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Whether a worker that exits is started again. Defaults to true.</summary>
    public bool RespawnWorkers { get; set; } = true;

    /// <summary>The delay before a worker's first respawn; it doubles (less up to 20 % jitter) per failure. Defaults to 100 ms.</summary>
    public TimeSpan RestartBackoffMin { get; set; } = TimeSpan.FromMilliseconds(100);

    /// <summary>The longest delay between respawns. Defaults to 10 s.</summary>
    public TimeSpan RestartBackoffMax { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>A worker Ready for this long has its backoff reset to the minimum. Defaults to 30 s.</summary>
    public TimeSpan RestartBackoffResetAfter { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>More respawns than this within <see cref="MaxRestartsWindow"/> gives a worker up (a crash loop). Defaults to 10.</summary>
    public int MaxRestarts { get; set; } = 10;

    /// <summary>The window <see cref="MaxRestarts"/> counts in. Defaults to 1 minute.</summary>
    public TimeSpan MaxRestartsWindow { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>
    /// A worker whose working set passes this many bytes is replaced by a rolling replacement (the new one Ready first,
    /// then the old one drained within <see cref="GracefulShutdownTimeout"/>). Defaults to unset: no limit.
    /// </summary>
    public long? MaxWorkerMemory { get; set; }

    /// <summary>
    /// A worker the front door could not reach (refused, or failed before any byte reached it) is left out of routing
    /// this long, and the connection goes to another worker. Defaults to 10 s; zero turns ejection off.
    /// </summary>
    public TimeSpan EjectionPeriod { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// How many workers the front door tries for one connection when it cannot reach them, before an HTTP/1 client gets
    /// a 503. Defaults to 3: enough to get past one or two unreachable workers (each is ejected as it fails) without
    /// keeping a client waiting on a pool that is down. At most 16, since each attempt may wait for the 2 s connect timeout.
    /// </summary>
    public int ConnectAttempts { get; set; } = 3;

    /// <summary>
    /// The most client connections the front door keeps open at once (proxied, or handed off and not yet ended in their
    /// worker). Beyond it, a new connection gets a <c>503</c> (HTTP/1) or is closed at once, and is counted. Defaults to
    /// unset: derived at start from the descriptor limit, as (limit - descriptors open - a reserve) / 2, since a proxied
    /// connection holds two descriptors and the primary needs some of its own (logging, control, worker launch).
    /// </summary>
    public int? MaxConnections { get; set; }

    /// <summary>
    /// A proxied connection on which no byte has moved either way for this long is closed (both sides reset). Defaults to
    /// 10 minutes, nginx's stream <c>proxy_timeout</c>: long enough for idle WebSockets and server-sent events, short
    /// enough that abandoned connections do not pin descriptors for ever. Zero turns it off. (Handed-off connections are
    /// the worker's: Kestrel's own timeouts apply.)
    /// </summary>
    public TimeSpan ProxyIdleTimeout { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>
    /// Once one side of a proxied connection has ended (FIN) and the other has not, how long the primary waits for the
    /// other side before it closes both. Defaults to 10 s, in the spirit of HAProxy's <c>timeout client-fin</c>: a client
    /// that read its response and never closes does not pin the connection. Zero turns it off.
    /// </summary>
    public TimeSpan HalfCloseTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How long a stale (hung) worker may take to stop before it is killed. Defaults to 5 s.</summary>
    public TimeSpan WorkerKillGrace { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Where the admin endpoint listens (<c>/status</c>, <c>/metrics</c>, <c>/healthz</c>, <c>/readyz</c>, <c>/reload</c>,
    /// <c>/logs</c> and the status page at <c>/</c>), for example <c>http://127.0.0.1:9464</c>. Defaults to unset: off (the
    /// private local admin socket that the <c>defuss</c> tool uses is always there). It answers only loopback clients unless
    /// <see cref="AdminToken"/> is set.
    /// </summary>
    public string? AdminUrl { get; set; }

    /// <summary>
    /// A secret the admin endpoint requires as <c>Authorization: Bearer &lt;token&gt;</c>; once set, clients from any address
    /// may call it. Defaults to unset: loopback clients only, no token.
    /// </summary>
    public string? AdminToken { get; set; }

    /// <summary>How many workers must be Ready for <c>/readyz</c> to answer 200. Defaults to 1: the service can answer.</summary>
    public int MinReadyWorkers { get; set; } = 1;

    /// <summary>
    /// A file of environment variables (systemd's <c>EnvironmentFile=</c> format: <c>KEY=VALUE</c> lines) that a hand-over
    /// (<c>SIGUSR2</c>, <c>POST /upgrade</c>, <c>defuss upgrade</c>) reads afresh: the new primary, and its workers, start with
    /// its current variables over the old primary's environment. Under systemd, name the unit's <c>EnvironmentFile=</c>;
    /// as there, a leading <c>-</c> lets the file be missing. Defaults to unset: the new primary gets the old one's
    /// environment as it is.
    /// </summary>
    public string? EnvironmentFile { get; set; }

    /// <summary>Extra environment variables for every worker process.</summary>
    public Dictionary<string, string> WorkerEnv { get; set; } = [];

    /// <summary>Whether the primary handles SIGINT/SIGTERM (and SIGHUP) itself. Defaults to true.</summary>
    public bool InstallSignalHandlers { get; set; } = true;

    /// <summary>The routing strategy by name, one of <see cref="LoadBalancers"/>. Defaults to <c>RoundRobin</c>. Ignored once <c>UseRouter</c> is called.</summary>
    public string LoadBalancer { get; set; } = LoadBalancers.RoundRobin;

    /// <summary>
    /// What <c>ConsistentHash</c> hashes: <c>header:Name</c>, <c>cookie:name</c> or <c>client-address</c>. Defaults to
    /// <c>client-address</c>, which every connection has; a request without the key is routed round robin.
    /// </summary>
    public string ConsistentHashKey { get; set; } = "client-address";

    /// <summary>
    /// How long a delegate strategy (<see cref="UseRouter(Func{RoutingContext, ValueTask{BackendCandidate}})"/>) may take
    /// to answer before the connection is routed round robin. Defaults to 100 ms: routing is on every connection's path.
    /// </summary>
    public TimeSpan RoutingTimeout { get; set; } = TimeSpan.FromMilliseconds(100);

    /// <summary>
    /// How connections reach their workers: <c>Auto</c> (the default: <c>Handoff</c> on Linux, where it works, else
    /// <c>Proxy</c>; the start-up log says which and why), <c>Handoff</c> (the accepted socket goes to the worker, and the
    /// primary steps out of the byte path) or <c>Proxy</c> (the primary pumps the bytes; any OS, and needed for
    /// <see cref="BaseWorkerPort"/>). One of <see cref="DeliveryModes"/>.
    /// </summary>
    public string Delivery { get; set; } = DeliveryModes.Auto;

    private Props? _router;
    private Type? _routerType;
    private Func<RoutingContext, ValueTask<BackendCandidate?>>? _strategy;
    private Action<ListenOptions>? _workerEndpoint;

    /// <summary>
    /// Configures the Kestrel endpoint each worker serves on, after Defuss's own connection middleware: for instance
    /// <c>listen.UseHttps(certificate)</c> for TLS terminated in the worker (HTTP/2 then comes with ALPN), or
    /// <c>listen.Protocols</c>. Runs in the workers only.
    /// </summary>
    public DefussOptions ConfigureWorkerEndpoint(Action<ListenOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(configure);
        _workerEndpoint += configure;
        return this;
    }

    /// <summary>What <see cref="ConfigureWorkerEndpoint"/> was given, if anything.</summary>
    internal Action<ListenOptions>? WorkerEndpointConfiguration => _workerEndpoint;

    /// <summary>The router set with <c>UseRouter</c> as props or a delegate, if any; a delegate's router takes <see cref="RoutingTimeout"/> as it is at start.</summary>
    internal Props? CustomRouter => _router ?? (_strategy is { } strategy
        ? Props.Create(() => new DelegateRouter(strategy, RoutingTimeout))
        : null);

    /// <summary>The router type set with <see cref="UseRouter{TRouter}"/>, if any, which Akka's dependency injection creates.</summary>
    internal Type? CustomRouterType => _routerType;

    /// <summary>
    /// Routes with router actor <typeparamref name="TRouter"/>, which Akka's dependency injection creates in the primary:
    /// its constructor may take the app's services.
    /// </summary>
    public DefussOptions UseRouter<TRouter>()
        where TRouter : RouterActorBase
    {
        (_routerType, _router, _strategy) = (typeof(TRouter), null, null);
        return this;
    }

    /// <summary>Routes with the router actor that <paramref name="props"/> builds (a subclass of <see cref="RouterActorBase"/>).</summary>
    public DefussOptions UseRouter(Props props)
    {
        ArgumentNullException.ThrowIfNull(props);
        if (!typeof(RouterActorBase).IsAssignableFrom(props.Type))
        {
            throw new ArgumentException($"{props.Type.Name} is not a {nameof(RouterActorBase)}.", nameof(props));
        }

        (_router, _routerType, _strategy) = (props, null, null);
        return this;
    }

    /// <summary>Routes with <paramref name="strategy"/>, which must answer within <see cref="RoutingTimeout"/>.</summary>
    public DefussOptions UseRouter(Func<RoutingContext, ValueTask<BackendCandidate?>> strategy)
    {
        ArgumentNullException.ThrowIfNull(strategy);
        (_router, _routerType, _strategy) = (null, null, strategy);
        return this;
    }

    /// <summary>Routes with the synchronous <paramref name="strategy"/>.</summary>
    public DefussOptions UseRouter(Func<RoutingContext, BackendCandidate?> strategy)
    {
        ArgumentNullException.ThrowIfNull(strategy);
        return UseRouter(context => new ValueTask<BackendCandidate?>(strategy(context)));
    }

    /// <summary>The strategy as the start-up log names it.</summary>
    internal string RouterName => _routerType?.Name ?? _router?.Type.Name ?? (_strategy is null ? LoadBalancer : nameof(DelegateRouter));

    /// <summary>The number of workers <see cref="Workers"/> stands for on this machine (valid options only).</summary>
    public int ResolveWorkerCount() =>
        ScalingPolicy() is { } elastic ? elastic.MinWorkers
        : DefussOptionsValidator.TryResolveWorkers(Workers, out var count)
            ? count
            : throw new InvalidOperationException($"Defuss:Workers = '{Workers}' is not 'auto' or a number of workers.");
}
