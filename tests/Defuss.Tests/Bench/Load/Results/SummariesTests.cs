using Defuss.Bench.Load.Drivers;
using Defuss.Bench.Load.Results;

namespace Defuss.Tests.Bench.Load.Results;

public sealed class SummariesTests
{
    [Fact]
    public void Build_TakesMediansAndComparesWithPlainAndNginx()
    {
        var rounds = new Dictionary<(string, string), IReadOnlyList<RoundResult>>
        {
            [("get", "plain")] = [Round(1, 100_000, p99: 2), Round(2, 90_000, p99: 4), Round(3, 110_000, p99: 3)],
            [("get", "nginx")] = [Round(1, 60_000), Round(2, 50_000), Round(3, 40_000)],
            [("get", "handoff")] = [Round(1, 95_000, cpu: 1, rss: 60), Round(2, 100_000, cpu: 3, rss: 64, errors: 2), Round(3, 98_000, cpu: 2, rss: 62, errors: 1)],
        };

        var rows = Summaries.Build(rounds, ["get"], ["plain", "handoff", "proxy", "nginx"]);

        rows.Select(r => r.Topology).Should().Equal("plain", "handoff", "nginx");
        var plain = rows[0];
        plain.RequestsPerSecond.Should().Be(100_000);
        plain.P99Ms.Should().Be(3);
        plain.RatioToPlain.Should().Be(1);
        plain.RatioToNginx.Should().Be(2);
        plain.FrontCpuUsPerRequest.Should().BeNull();
        plain.FrontRssBytes.Should().BeNull();

        var handoff = rows[1];
        handoff.RequestsPerSecond.Should().Be(98_000);
        handoff.RatioToPlain.Should().Be(0.98);
        handoff.RatioToNginx.Should().Be(1.96);
        handoff.Errors.Should().Be(3, "errors are summed over the rounds");
        handoff.FrontCpuUsPerRequest.Should().Be(2);
        handoff.FrontRssBytes.Should().Be(62);
        handoff.Rounds.Should().HaveCount(3);
    }

    [Fact]
    public void Build_WithoutPlainOrNginx_LeavesThoseRatiosOut()
    {
        var rounds = new Dictionary<(string, string), IReadOnlyList<RoundResult>>
        {
            [("ws-echo", "proxy")] = [Round(1, 10_000)],
        };

        var row = Summaries.Build(rounds, ["get", "ws-echo"], ["plain", "proxy"]).Should().ContainSingle().Subject;

        row.Scenario.Should().Be("ws-echo");
        row.RatioToPlain.Should().BeNull();
        row.RatioToNginx.Should().BeNull();
    }

    private static RoundResult Round(int round, double rate, double p99 = 1, double? cpu = null, long? rss = null, long errors = 0) =>
        new(round, rate, (long)rate, 0.5, p99, new ErrorCounts(0, errors, 0, 0, 0), cpu, rss);
}
