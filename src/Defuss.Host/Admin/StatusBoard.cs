using Defuss.Actors.Workers;
using Defuss.Hosting;
using Defuss.Worker.Protocol;

namespace Defuss.Admin;

/// <summary>
/// What the primary knows of itself and its workers, kept from the workers' events and heartbeats as the events actor
/// sees them, and read by <c>/status</c>, <c>/readyz</c>, the per-worker gauges and <c>IDefussControl.GetStatus</c>.
/// Each worker's row follows its newest incarnation; messages about an older one only end that one's readiness.
/// Thread-safe: one writer (the events actor), any number of readers, each reading a consistent snapshot.
/// </summary>
internal sealed partial class StatusBoard
{
    /// <summary>How many recent events <c>/status</c> lists.</summary>
    public const int EventCapacity = 100;

    private readonly Lock _gate = new();
    private readonly SortedDictionary<int, Row> _rows = [];
    private readonly Queue<WorkerEventRecord> _events = new();
    private readonly TimeProvider _time;
    private readonly long _startedTimestamp;
    private IReadOnlyList<string> _endpoints = [];
    private string _delivery = "";
    private string _loadBalancer = "";

    public StatusBoard(TimeProvider? time = null)
    {
        _time = time ?? TimeProvider.System;
        StartedAt = _time.GetUtcNow();
        _startedTimestamp = _time.GetTimestamp();
    }

    /// <summary>When the primary started.</summary>
    public DateTimeOffset StartedAt { get; }

    /// <summary>Names how the primary serves, once it has chosen.</summary>
    public void Describe(string delivery, string loadBalancer, int workers)
    {
        lock (_gate)
        {
            (_delivery, _loadBalancer) = (delivery, loadBalancer);
            for (var index = 0; index < workers; index++)
            {
                _rows.TryAdd(index, new Row());
            }
        }
    }

    /// <summary>The public URLs, once the front door listens.</summary>
    public void SetEndpoints(IReadOnlyList<string> endpoints) => Volatile.Write(ref _endpoints, endpoints);

    /// <summary>How many workers are Ready now (a retiring process that still serves counts until it drains).</summary>
    public int ReadyWorkers
    {
        get
        {
            lock (_gate)
            {
                return CountReady();
            }
        }
    }

    public void Apply(WorkerStatsReported report)
    {
        lock (_gate)
        {
            if (_rows.TryGetValue(report.Index, out var row) && row.Incarnation == report.Incarnation)
            {
                row.Stats = report.Stats;
                row.LastHeartbeatAt = _time.GetUtcNow();
            }
        }
    }

    public void Apply(WorkerEvent workerEvent)
    {
        var now = _time.GetUtcNow();
        lock (_gate)
        {
            if (!_rows.TryGetValue(workerEvent.Index, out var row))
            {
                _rows[workerEvent.Index] = row = new Row();
            }

            Update(row, workerEvent, now);
            if (row.Retired && workerEvent is WorkerExited { Expected: true } exited && exited.Incarnation == row.Incarnation)
            {
                // A worker a scale-down retired: its index leaves the pool (a later scale-up may take it again).
                _rows.Remove(workerEvent.Index);
            }

            _events.Enqueue(new WorkerEventRecord(now, workerEvent.Index, workerEvent.Incarnation, KindOf(workerEvent), Describe(workerEvent)));
            while (_events.Count > EventCapacity)
            {
                _events.Dequeue();
            }
        }
    }

    /// <summary>Each worker's row, without the rest of the snapshot (the per-worker gauges read it at every collection).</summary>
    public IReadOnlyList<WorkerStatus> Workers()
    {
        var now = _time.GetUtcNow();
        lock (_gate)
        {
            return [.. _rows.Select(pair => pair.Value.ToStatus(pair.Key, now))];
        }
    }

    /// <summary>A consistent snapshot of everything, as <c>/status</c> serves it.</summary>
    public DefussStatus Snapshot(int pid, string version)
    {
        var now = _time.GetUtcNow();
        lock (_gate)
        {
            var workers = _rows.Select(pair => pair.Value.ToStatus(pair.Key, now)).ToArray();
            return new DefussStatus(
                pid,
                version,
                StartedAt,
                Math.Round(_time.GetElapsedTime(_startedTimestamp).TotalSeconds, 3),
                Volatile.Read(ref _endpoints),
                _delivery,
                _loadBalancer,
                CountReady(),
                workers,
                [.. _events])
            {
                Upgrade = CurrentUpgrade(),
                Predecessor = CurrentPredecessor(),
            };
        }
    }

    /// <summary>Under the lock: the Ready workers, a retiring process that still serves counted until it drains.</summary>
    private int CountReady() => _rows.Values.Count(row => row.State == "Ready" || row.RetiringReady);

    private static void Update(Row row, WorkerEvent workerEvent, DateTimeOffset now)
    {
        var current = workerEvent.Incarnation == row.Incarnation;
        switch (workerEvent)
        {
            case WorkerStarted started when started.Incarnation > row.Incarnation:
                row.RetiringReady = row.State == "Ready";
                row.RetiringIncarnation = row.Incarnation;
                (row.Incarnation, row.Pid, row.State, row.StartedAt, row.Stats, row.LastHeartbeatAt) =
                    (started.Incarnation, started.Pid, "Starting", now, null, null);
                break;
            case WorkerReady when current:
                row.State = "Ready";
                break;
            case WorkerStale when current:
                row.State = "Stale";
                break;
            case WorkerDraining when current:
                row.State = "Draining";
                break;
            case WorkerExited exited:
                row.LastExit = exited.Exit.ToString();
                if (current)
                {
                    row.State = "Exited";
                }

                break;
            case WorkerLaunchFailed failed when failed.Incarnation >= row.Incarnation:
                (row.Incarnation, row.Pid, row.State, row.LastExit) = (failed.Incarnation, 0, "Exited", "launch failed: " + failed.Reason);
                break;
            case WorkerRespawnScheduled:
                row.Restarts++;
                row.State = "Restarting";
                break;
            case WorkerGaveUp:
                row.State = "GivenUp";
                break;
            case WorkerPoolScaled scaled:
                row.Retired = scaled.Direction == "down";
                break;
        }

        if (workerEvent is WorkerDraining or WorkerExited && workerEvent.Incarnation == row.RetiringIncarnation)
        {
            row.RetiringReady = false;
        }
    }

    private sealed class Row
    {
        public long Incarnation { get; set; }

        public int Pid { get; set; }

        public string State { get; set; } = "Starting";

        public DateTimeOffset? StartedAt { get; set; }

        public int Restarts { get; set; }

        public string? LastExit { get; set; }

        public WorkerStats? Stats { get; set; }

        public DateTimeOffset? LastHeartbeatAt { get; set; }

        /// <summary>A scale-down is retiring this worker: its row goes when its process has exited.</summary>
        public bool Retired { get; set; }

        /// <summary>The previous incarnation was Ready when this one started (a replacement) and has not drained yet.</summary>
        public bool RetiringReady { get; set; }

        public long RetiringIncarnation { get; set; }

        public WorkerStatus ToStatus(int index, DateTimeOffset now) => new(
            index,
            Pid,
            Incarnation,
            State,
            StartedAt,
            StartedAt is { } started && State is not ("Exited" or "GivenUp" or "Restarting") ? Math.Round((now - started).TotalSeconds, 3) : 0,
            Restarts,
            LastExit,
            Math.Round(Stats?.CpuPercent ?? 0, 2),
            Stats?.WorkingSetBytes ?? 0,
            Stats?.GcHeapBytes ?? 0,
            Stats?.ActiveConnections ?? 0,
            Stats?.RequestsInFlight ?? 0,
            Stats?.RequestsServed ?? 0,
            LastHeartbeatAt);
    }
}
