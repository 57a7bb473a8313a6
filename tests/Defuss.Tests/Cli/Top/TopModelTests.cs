extern alias cli;

using cli::Defuss.Cli.Admin;
using cli::Defuss.Cli.Top;

namespace Defuss.Tests.Cli.Top;

public sealed class TopModelTests
{
    private static readonly DateTimeOffset T0 = new(2026, 12, 2, 5, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Update_SameProcess_KeepsABoundedHistoryAndARate()
    {
        var model = new TopModel(capacity: 3);

        for (var i = 0; i < 5; i++)
        {
            model.Update(Snapshot(new WorkerInfo { Index = 0, Pid = 10, CpuPercent = i, WorkingSetBytes = 100 * i, RequestsServed = 10 * i, LastHeartbeatAt = T0.AddSeconds(i) }));
        }

        var history = model.HistoryOf(new WorkerInfo { Index = 0, Pid = 10 })!;
        history.Cpu.Should().Equal(2, 3, 4);
        history.Memory.Should().Equal(200, 300, 400);
        history.RequestsPerSecond.Should().Be(10);
    }

    [Fact]
    public void Update_WorkerReplaced_StartsAFreshHistory()
    {
        var model = new TopModel(capacity: 60);
        model.Update(Snapshot(new WorkerInfo { Index = 0, Pid = 10, RequestsServed = 100, LastHeartbeatAt = T0 }));
        model.Update(Snapshot(new WorkerInfo { Index = 0, Pid = 10, RequestsServed = 200, LastHeartbeatAt = T0.AddSeconds(1) }));

        model.Update(Snapshot(new WorkerInfo { Index = 0, Pid = 11, RequestsServed = 5, LastHeartbeatAt = T0.AddSeconds(2) }));

        var replacement = model.HistoryOf(new WorkerInfo { Index = 0, Pid = 11 })!;
        replacement.Cpu.Should().HaveCount(1);
        replacement.RequestsPerSecond.Should().BeNull("a new process has no rate until its second snapshot");
        model.HistoryOf(new WorkerInfo { Index = 0, Pid = 10 }).Should().BeNull("the old process's history is dropped");
    }

    [Fact]
    public void Update_NoHeartbeatYet_MeasuresByThePrimarysClock()
    {
        var model = new TopModel(capacity: 60);

        model.Update(Snapshot(new WorkerInfo { Index = 0, Pid = 10, RequestsServed = 0 }, uptime: 10));
        model.Update(Snapshot(new WorkerInfo { Index = 0, Pid = 10, RequestsServed = 40 }, uptime: 14));

        model.HistoryOf(new WorkerInfo { Index = 0, Pid = 10 })!.RequestsPerSecond.Should().Be(10);
    }

    [Theory]
    [InlineData(1000, 60)]
    [InlineData(50, 600)]
    [InlineData(60_000, 2)]
    public void MinuteOf_Interval_CoversAMinuteWithinBounds(int intervalMs, int expected)
    {
        TopModel.MinuteOf(TimeSpan.FromMilliseconds(intervalMs)).Should().Be(expected);
    }

    private static PrimaryStatus Snapshot(WorkerInfo worker, double uptime = 0) =>
        new() { Pid = 1, StartedAt = T0, UptimeSeconds = uptime, Workers = [worker] };
}
