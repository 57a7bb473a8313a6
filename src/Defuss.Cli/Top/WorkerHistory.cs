using Defuss.Cli.Admin;

namespace Defuss.Cli.Top;

/// <summary>One worker process's recent figures (a bounded window), as <c>top</c> draws them.</summary>
internal sealed class WorkerHistory
{
    private readonly int _capacity;
    private readonly Queue<double> _cpu = new();
    private readonly Queue<double> _memory = new();
    private readonly RateMeter _requests = new();

    public WorkerHistory(int capacity)
    {
        _capacity = Math.Max(capacity, 1);
    }

    /// <summary>CPU percent of one core, oldest first.</summary>
    public IReadOnlyList<double> Cpu => [.. _cpu];

    /// <summary>Working set in bytes, oldest first.</summary>
    public IReadOnlyList<double> Memory => [.. _memory];

    public double? RequestsPerSecond => _requests.PerSecond;

    /// <param name="worker">The worker in a new snapshot.</param>
    /// <param name="takenAt">When the primary took the snapshot, for a worker that has not sent a heartbeat.</param>
    public void Add(WorkerInfo worker, DateTimeOffset takenAt)
    {
        Push(_cpu, worker.CpuPercent);
        Push(_memory, worker.WorkingSetBytes);

        // RequestsServed comes with the heartbeat: measuring from heartbeat to heartbeat keeps the rate right when
        // the tool's refresh and the worker's heartbeat drift apart.
        _requests.Observe(worker.RequestsServed, worker.LastHeartbeatAt ?? takenAt);
    }

    private void Push(Queue<double> series, double value)
    {
        series.Enqueue(value);
        while (series.Count > _capacity)
        {
            series.Dequeue();
        }
    }
}
