namespace Defuss.Worker.Protocol;

/// <summary>The environment variables through which the primary tells a worker process who it is.</summary>
internal static class WorkerEnvironment
{
    /// <summary><c>worker</c> in a worker process; absent in the primary.</summary>
    public const string Role = "DEFUSS_ROLE";

    /// <summary>The value of <see cref="Role"/> in a worker.</summary>
    public const string WorkerRole = "worker";

    /// <summary>The worker's index, 0..Workers-1.</summary>
    public const string Index = "DEFUSS_WORKER_INDEX";

    /// <summary>The incarnation (generation) of this worker index, counting from 1.</summary>
    public const string Incarnation = "DEFUSS_WORKER_INCARNATION";

    /// <summary>The path of the primary's control socket.</summary>
    public const string ControlEndpoint = "DEFUSS_CONTROL_ENDPOINT";

    /// <summary>The per-incarnation secret the worker presents in its <see cref="Hello"/>.</summary>
    public const string Secret = "DEFUSS_WORKER_SECRET";

    /// <summary>The private endpoint the worker serves on (see <see cref="WorkerEndpoint"/>).</summary>
    public const string Endpoint = "DEFUSS_WORKER_ENDPOINT";

    /// <summary>The heartbeat interval in milliseconds.</summary>
    public const string HeartbeatIntervalMs = "DEFUSS_HEARTBEAT_INTERVAL_MS";

    /// <summary>The primary's process id: the worker watches it, and stops if the primary is gone.</summary>
    public const string PrimaryPid = "DEFUSS_PRIMARY_PID";
}
