namespace Defuss.Actors.Workers;

/// <summary>What the worker actors need from the host's options.</summary>
internal sealed record WorkerPoolSettings
{
    /// <summary>How many workers.</summary>
    public required int Workers { get; init; }

    /// <summary>The endpoint worker N serves on, for incarnation I (text form of <c>WorkerEndpoint</c>).</summary>
    public required Func<int, long, string> EndpointFor { get; init; }

    /// <summary>The environment every worker process gets, besides its own <c>DEFUSS_*</c> variables.</summary>
    public IReadOnlyDictionary<string, string> Environment { get; init; } = new Dictionary<string, string>();

    /// <summary>The path of the primary's control socket.</summary>
    public required string ControlEndpoint { get; init; }

    /// <summary>How often workers send heartbeats.</summary>
    public TimeSpan HeartbeatInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>How long a worker may take to become ready before it is replaced.</summary>
    public TimeSpan StartupTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Whether an exited worker is started again.</summary>
    public bool RespawnWorkers { get; init; } = true;

    /// <summary>Backoff, reset and crash-loop budget of every worker's respawns.</summary>
    public RestartPolicy Restart { get; init; } = RestartPolicy.Default;

    /// <summary>A Ready worker with no heartbeat for this long is stale: routed around, stopped and replaced.</summary>
    public TimeSpan HeartbeatStaleAfter { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>How long a stale worker may take to stop before it is killed.</summary>
    public TimeSpan KillGrace { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>A worker whose working set passes this many bytes is replaced (new one Ready first); <c>null</c> for no limit.</summary>
    public long? MaxWorkerMemory { get; init; }

    /// <summary>How long an old process may drain when it is replaced because of <see cref="MaxWorkerMemory"/>.</summary>
    public TimeSpan DrainTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>The elastic pool's bounds and rule; null (the default) for a pool fixed at <see cref="Workers"/>.</summary>
    public ScalingPolicy? Scaling { get; init; }

    /// <summary>The source of jitter: a number in [0, 1) per call. The host passes a shared random; tests a fixed one.</summary>
    public Func<double> Random { get; init; } = () => 0;
}
