namespace Defuss.Worker.Protocol;

/// <summary>What a worker knows about itself that a balancer can use; sampled at every heartbeat.</summary>
/// <param name="Pid">The worker's process id.</param>
/// <param name="CpuPercent">CPU used since the previous sample, as a percentage of one core (0-100 x cores).</param>
/// <param name="WorkingSetBytes">The process's working set.</param>
/// <param name="GcHeapBytes">The managed heap size after the last GC.</param>
/// <param name="GcCommittedBytes">The memory the GC has committed.</param>
/// <param name="GcPausePercent">The share of time spent in GC pauses since the process started.</param>
/// <param name="ThreadPoolQueueLength">Work items waiting for a thread-pool thread.</param>
/// <param name="ActiveConnections">Connections the worker's Kestrel has open.</param>
/// <param name="RequestsInFlight">Requests being handled.</param>
/// <param name="UptimeMs">Milliseconds since the worker started.</param>
/// <param name="SampledAtUnixMs">When the sample was taken (Unix milliseconds).</param>
public sealed record WorkerStats(
    int Pid,
    double CpuPercent,
    long WorkingSetBytes,
    long GcHeapBytes,
    long GcCommittedBytes,
    double GcPausePercent,
    long ThreadPoolQueueLength,
    long ActiveConnections,
    long RequestsInFlight,
    long UptimeMs,
    long SampledAtUnixMs)
{
    /// <summary>Requests the worker has completed since it started: a rate is the difference between two samples.</summary>
    public long RequestsServed { get; init; }
}
