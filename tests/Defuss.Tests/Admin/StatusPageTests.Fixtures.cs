using Defuss.Hosting;

namespace Defuss.Tests.Admin;

/// <summary>
/// Three snapshots of one primary, ten seconds apart: worker 2 starting after a crash loop; then worker 1 killed;
/// then worker 1 back with a new pid. Each repeats the events of the one before, as <c>/status</c> does.
/// </summary>
public sealed partial class StatusPageTests
{
    private const long MiB = 1024 * 1024;

    private static readonly DateTimeOffset PrimaryStartedAt = new(2026, 12, 2, 5, 0, 0, TimeSpan.Zero);

    private static DefussStatus FirstSnapshot() => Snapshot(
        100,
        [
            Worker(0, 4250, "Ready", served: 1000, cpu: 3.5, workingSet: 70 * MiB),
            Worker(1, 4251, "Ready", served: 800, cpu: 5.1, workingSet: 75 * MiB),
            Worker(2, 4252, "Starting", incarnation: 5, restarts: 4, lastExit: "exit code 1", cpu: 21.0, workingSet: 40 * MiB),
        ],
        FirstEvents());

    private static DefussStatus SecondSnapshot() => Snapshot(
        110,
        [
            Worker(0, 4250, "Ready", served: 1500, cpu: 6.2, workingSet: 72 * MiB),
            Worker(1, 4251, "Exited", served: 900, lastExit: "SIGKILL", cpu: 0, workingSet: 0),
            Worker(2, 4252, "Ready", incarnation: 5, restarts: 4, lastExit: "exit code 1", served: 30, cpu: 9.8, workingSet: 68 * MiB),
        ],
        [.. FirstEvents(), .. SecondEvents()]);

    private static DefussStatus ThirdSnapshot() => Snapshot(
        120,
        [
            Worker(0, 4250, "Ready", served: 2100, cpu: 4.4, workingSet: 73 * MiB),
            Worker(1, 4301, "Ready", incarnation: 2, restarts: 1, lastExit: "SIGKILL", served: 12, cpu: 18.5, workingSet: 66 * MiB),
            Worker(2, 4252, "Ready", incarnation: 5, restarts: 4, lastExit: "exit code 1", served: 420, cpu: 5.0, workingSet: 69 * MiB),
        ],
        [
            .. FirstEvents(), .. SecondEvents(),
            Event(111, 1, 2, "started", "worker 1 started (pid 4301)"),
            Event(112, 1, 2, "ready", "worker 1 ready (pid 4301)"),
        ]);

    /// <summary>17 events: workers 0 and 1 start; worker 2 exits four times before its fifth process starts.</summary>
    private static List<WorkerEventRecord> FirstEvents()
    {
        List<WorkerEventRecord> events =
        [
            Event(0.4, 0, 1, "started", "worker 0 started (pid 4250)"),
            Event(0.4, 1, 1, "started", "worker 1 started (pid 4251)"),
            Event(1.1, 0, 1, "ready", "worker 0 ready (pid 4250)"),
            Event(1.2, 1, 1, "ready", "worker 1 ready (pid 4251)"),
        ];
        for (var incarnation = 1; incarnation <= 4; incarnation++)
        {
            var at = incarnation * 20;
            var pid = 4200 + incarnation;
            events.Add(Event(at, 2, incarnation, "started", $"worker 2 started (pid {pid})"));
            events.Add(Event(at + 0.5, 2, incarnation, "exited", $"worker 2 exited (pid {pid}, exit code 1)"));
            events.Add(Event(at + 0.5, 2, incarnation, "respawn_scheduled", $"worker 2 respawns in {incarnation} s"));
        }

        events.Add(Event(99, 2, 5, "started", "worker 2 started (pid 4252)"));
        return events;
    }

    /// <summary>3 events, the newest a respawn; one message carries markup that must be shown as text.</summary>
    private static List<WorkerEventRecord> SecondEvents() =>
    [
        Event(101, 2, 5, "ready", "worker 2 ready (pid 4252)"),
        Event(105, 1, 1, "exited", Injection),
        Event(105, 1, 1, "respawn_scheduled", "worker 1 respawns in 1 s"),
    ];

    private static DefussStatus Snapshot(double uptime, WorkerStatus[] workers, List<WorkerEventRecord> events) => new(
        Pid: 4242,
        Version: "1.0.0",
        StartedAt: PrimaryStartedAt,
        UptimeSeconds: uptime,
        Endpoints: ["http://0.0.0.0:3000"],
        Delivery: "handoff",
        LoadBalancer: "RoundRobin",
        ReadyWorkers: workers.Count(w => w.State == "Ready"),
        Workers: workers,
        RecentEvents: events);

    private static WorkerStatus Worker(
        int index, int pid, string state, long incarnation = 1, int restarts = 0, string? lastExit = null, long served = 0, double cpu = 0, long workingSet = 0)
    {
        var running = state != "Exited";
        return new WorkerStatus(
            Index: index,
            Pid: pid,
            Incarnation: incarnation,
            State: state,
            StartedAt: PrimaryStartedAt.AddSeconds(1),
            UptimeSeconds: running ? 95 + (index * 7) : 0,
            Restarts: restarts,
            LastExit: lastExit,
            CpuPercent: cpu,
            WorkingSetBytes: workingSet,
            GcHeapBytes: workingSet / 9,
            Connections: running ? 3 + index : 0,
            RequestsInFlight: running ? index : 0,
            RequestsServed: served,
            LastHeartbeatAt: PrimaryStartedAt.AddSeconds(99));
    }

    private static WorkerEventRecord Event(double at, int worker, long incarnation, string kind, string message) =>
        new(PrimaryStartedAt.AddSeconds(at), worker, incarnation, kind, message);
}
