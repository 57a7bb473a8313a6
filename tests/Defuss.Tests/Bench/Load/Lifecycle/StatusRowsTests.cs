using Defuss.Bench.Load.Lifecycle;

namespace Defuss.Tests.Bench.Load.Lifecycle;

public sealed class StatusRowsTests
{
    private const string Status = """
        {"pid":100,"version":"1.0","startedAt":"2026-01-01T00:00:00+00:00","uptimeSeconds":3.5,"endpoints":["http://127.0.0.1:3000"],
         "delivery":"handoff","loadBalancer":"RoundRobin","readyWorkers":1,
         "workers":[
           {"index":0,"pid":201,"incarnation":2,"state":"Ready","restarts":1},
           {"index":1,"pid":0,"incarnation":1,"state":"Starting","restarts":0}],
         "recentEvents":[]}
        """;

    [Fact]
    public void Parse_ReadsEachWorkersIndexPidAndState()
    {
        StatusRows.Parse(Status).Should().Equal(new WorkerRow(0, 201, "Ready"), new WorkerRow(1, 0, "Starting"));
    }

    [Fact]
    public void Parse_NotAStatusDocument_Throws()
    {
        ((Action)(() => StatusRows.Parse("{}"))).Should().Throw<FormatException>().WithMessage("*no workers*");
        ((Action)(() => StatusRows.Parse("<html>"))).Should().Throw<FormatException>();
        ((Action)(() => StatusRows.Parse("""{"workers":[{"index":0}]}"""))).Should().Throw<FormatException>();
    }

    [Fact]
    public void Replacement_IsAReadyRowOfTheSameIndexWithANewPid()
    {
        WorkerRow[] killed = [new(0, 200, "Ready"), new(1, 300, "Ready")];
        WorkerRow[] starting = [new(0, 201, "Starting"), new(1, 300, "Ready")];
        WorkerRow[] replaced = [new(0, 201, "Ready"), new(1, 300, "Ready")];

        StatusRows.Replacement(killed, 0, oldPid: 200).Should().BeNull("the old process's row may still read Ready");
        StatusRows.Replacement(starting, 0, 200).Should().BeNull();
        StatusRows.Replacement(replaced, 0, 200).Should().Be(new WorkerRow(0, 201, "Ready"));
    }
}
