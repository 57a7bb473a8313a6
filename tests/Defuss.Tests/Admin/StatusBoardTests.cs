using Defuss.Actors.Workers;
using Defuss.Admin;
using Defuss.Tests.TestSupport;
using Defuss.Worker.Protocol;

namespace Defuss.Tests.Admin;

public sealed class StatusBoardTests
{
    private readonly ManualTimeProvider _time = new();
    private readonly StatusBoard _board;

    public StatusBoardTests()
    {
        _board = new StatusBoard(_time);
        _board.Describe("handoff", "RoundRobin", workers: 2);
    }

    [Fact]
    public void Snapshot_BeforeAnyWorkerStarted_ListsEveryWorkerAsStartingWithNoProcess()
    {
        var status = _board.Snapshot(pid: 42, version: "1.2.3");

        status.Should().BeEquivalentTo(new { Pid = 42, Version = "1.2.3", Delivery = "handoff", LoadBalancer = "RoundRobin", ReadyWorkers = 0 });
        status.Workers.Select(w => (w.Index, w.Pid, w.State)).Should().Equal((0, 0, "Starting"), (1, 0, "Starting"));
    }

    [Fact]
    public void Apply_StartedThenReadyThenHeartbeat_ShowsTheProcessItsStatsAndItsUptime()
    {
        _board.Apply(new WorkerStarted(0, 1, 100, "e"));
        _board.Apply(new WorkerReady(0, 1, 100, "e"));
        _board.Apply(new WorkerStatsReported(0, 1, 100, Stats(cpu: 12.5, workingSet: 1000, served: 7)));
        _time.Advance(TimeSpan.FromSeconds(3));

        var worker = _board.Snapshot(1, "v").Workers[0];

        worker.Should().BeEquivalentTo(new
        {
            Pid = 100,
            Incarnation = 1L,
            State = "Ready",
            UptimeSeconds = 3.0,
            CpuPercent = 12.5,
            WorkingSetBytes = 1000L,
            RequestsServed = 7L,
            Restarts = 0,
        });
        _board.ReadyWorkers.Should().Be(1);
    }

    [Fact]
    public void Apply_ACrashAndItsRespawn_CountsTheRestartKeepsTheLastExitAndFollowsTheNewProcess()
    {
        _board.Apply(new WorkerStarted(1, 1, 100, "e"));
        _board.Apply(new WorkerReady(1, 1, 100, "e"));
        _board.Apply(new WorkerExited(1, 1, 100, new WorkerExit(137, "SIGKILL"), Expected: false, []));
        _board.Snapshot(1, "v").Workers[1].State.Should().Be("Exited");
        _board.Apply(new WorkerRespawnScheduled(1, 1, TimeSpan.FromMilliseconds(100)));
        _board.Snapshot(1, "v").Workers[1].State.Should().Be("Restarting");
        _board.Apply(new WorkerStarted(1, 2, 200, "e"));
        _board.Apply(new WorkerReady(1, 2, 200, "e"));

        var worker = _board.Snapshot(1, "v").Workers[1];

        worker.Should().BeEquivalentTo(new { Pid = 200, Incarnation = 2L, State = "Ready", Restarts = 1, LastExit = "signal SIGKILL" });
    }

    [Fact]
    public void Apply_AReplacement_KeepsTheOldProcessReadyUntilItDrains()
    {
        _board.Apply(new WorkerStarted(0, 1, 100, "e"));
        _board.Apply(new WorkerReady(0, 1, 100, "e"));
        _board.Apply(new WorkerStarted(0, 2, 200, "e"));

        _board.ReadyWorkers.Should().Be(1, "the old process still serves while its replacement starts");
        _board.Snapshot(1, "v").Workers[0].State.Should().Be("Starting");

        _board.Apply(new WorkerReady(0, 2, 200, "e"));
        _board.Apply(new WorkerDraining(0, 1, 100, "replaced"));
        _board.Apply(new WorkerExited(0, 1, 100, new WorkerExit(0, null), Expected: true, []));

        _board.ReadyWorkers.Should().Be(1);
        _board.Snapshot(1, "v").Workers[0].Should().BeEquivalentTo(new { Pid = 200, State = "Ready", Restarts = 0 });
    }

    [Fact]
    public void Apply_StatsFromAnOlderIncarnation_AreIgnored()
    {
        _board.Apply(new WorkerStarted(0, 2, 200, "e"));
        _board.Apply(new WorkerStatsReported(0, 1, 100, Stats(cpu: 99, workingSet: 5, served: 5)));

        _board.Snapshot(1, "v").Workers[0].CpuPercent.Should().Be(0);
    }

    [Fact]
    public void Apply_MoreEventsThanItKeeps_KeepsTheNewestInOrder()
    {
        for (var i = 1; i <= StatusBoard.EventCapacity + 20; i++)
        {
            _board.Apply(new WorkerStarted(0, i, 1000 + i, "e"));
        }

        var events = _board.Snapshot(1, "v").RecentEvents;

        events.Should().HaveCount(StatusBoard.EventCapacity);
        events[0].Incarnation.Should().Be(21);
        events[^1].Should().BeEquivalentTo(new { Worker = 0, Kind = "started", Message = "worker 0 started (pid 1120, incarnation 120)" });
    }

    [Fact]
    public void Apply_GivenUp_IsNotReady()
    {
        _board.Apply(new WorkerStarted(0, 1, 100, "e"));
        _board.Apply(new WorkerReady(0, 1, 100, "e"));
        _board.Apply(new WorkerGaveUp(0, 1, 100, new WorkerExit(1, null), 10, TimeSpan.FromMinutes(1), []));

        _board.ReadyWorkers.Should().Be(0);
        _board.Snapshot(1, "v").Workers[0].State.Should().Be("GivenUp");
    }

    [Fact]
    public void Apply_AScaleDown_RemovesTheRetiredRowOnceItsProcessHasExited_AndAScaleUpAddsOne()
    {
        _board.Apply(new WorkerStarted(1, 1, 101, "e"));
        _board.Apply(new WorkerReady(1, 1, 101, "e"));
        _board.Apply(new WorkerPoolScaled(1, 1, "down", "idle", 1, 0));
        _board.Apply(new WorkerDraining(1, 1, 101, "retired"));
        _board.Snapshot(1, "v").Workers.Should().HaveCount(2, "it drains first");

        _board.Apply(new WorkerExited(1, 1, 101, new WorkerExit(0, null), Expected: true, []));

        _board.Snapshot(1, "v").Workers.Select(w => w.Index).Should().Equal(0);
        _board.Snapshot(1, "v").RecentEvents.Select(e => e.Kind).Should().Contain("scaled_down");

        _board.Apply(new WorkerPoolScaled(2, 2, "up", "busy", 90, 3));
        _board.Apply(new WorkerStarted(2, 1, 102, "e"));
        _board.Snapshot(1, "v").Workers.Select(w => (w.Index, w.Pid)).Should().Equal((0, 0), (2, 102));
    }

    private static WorkerStats Stats(double cpu, long workingSet, long served) =>
        new(100, cpu, workingSet, 10, 20, 0, 0, 3, 1, 1000, 0) { RequestsServed = served };
}
