using Defuss.Cli.Admin;

namespace Defuss.Cli.Top;

/// <summary>
/// What <c>top</c> remembers between snapshots: a <see cref="WorkerHistory"/> per worker process, keyed by index and
/// pid, so that a replaced or respawned worker starts a fresh history and rate.
/// </summary>
internal sealed class TopModel
{
    private readonly int _capacity;
    private readonly Dictionary<(int Index, int Pid), WorkerHistory> _workers = [];

    /// <param name="capacity">How many samples each history keeps (a minute's worth at the refresh interval).</param>
    public TopModel(int capacity)
    {
        _capacity = capacity;
    }

    public PrimaryStatus? Latest { get; private set; }

    /// <summary>Samples needed to cover a minute at <paramref name="interval"/>, kept within 2 to 600.</summary>
    public static int MinuteOf(TimeSpan interval) =>
        interval <= TimeSpan.Zero ? 60 : (int)Math.Clamp(TimeSpan.FromMinutes(1) / interval, 2, 600);

    public void Update(PrimaryStatus status)
    {
        var seen = new HashSet<(int, int)>();
        foreach (var worker in status.Workers)
        {
            var key = (worker.Index, worker.Pid);
            seen.Add(key);
            if (!_workers.TryGetValue(key, out var history))
            {
                history = new WorkerHistory(_capacity);
                _workers[key] = history;
            }

            history.Add(worker, status.TakenAt);
        }

        foreach (var gone in _workers.Keys.Where(key => !seen.Contains(key)).ToList())
        {
            _workers.Remove(gone);
        }

        Latest = status;
    }

    public WorkerHistory? HistoryOf(WorkerInfo worker) => _workers.GetValueOrDefault((worker.Index, worker.Pid));
}
