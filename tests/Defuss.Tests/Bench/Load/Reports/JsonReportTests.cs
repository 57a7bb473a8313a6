using System.Text.Json;
using Defuss.Bench.Load.Reports;
using Defuss.Bench.Load.Results;
using Defuss.Tests.TestSupport;

namespace Defuss.Tests.Bench.Load.Reports;

public sealed class JsonReportTests
{
    [Fact]
    public void Write_HoldsEveryFigureCamelCased()
    {
        var report = BenchReports.Sample(new LifecycleResult(2, 812.4, 640, 62L * 1024 * 1024, 80L * 1024 * 1024));

        using var json = JsonDocument.Parse(JsonReport.Write(report));
        var root = json.RootElement;

        root.GetProperty("commit").GetString().Should().Be("abc1234");
        root.GetProperty("startedAt").GetDateTimeOffset().Should().Be(report.StartedAt);
        root.GetProperty("machine").GetProperty("cores").GetInt32().Should().Be(2);
        root.GetProperty("settings").GetProperty("durationSeconds").GetInt32().Should().Be(5);
        root.GetProperty("settings").GetProperty("rounds").GetInt32().Should().Be(3);

        var results = root.GetProperty("results");
        results.GetArrayLength().Should().Be(5);
        var handoff = results[1];
        handoff.GetProperty("scenario").GetString().Should().Be("get");
        handoff.GetProperty("topology").GetString().Should().Be("handoff");
        handoff.GetProperty("requestsPerSecond").GetDouble().Should().Be(98_000);
        handoff.GetProperty("ratioToPlain").GetDouble().Should().Be(0.98);
        handoff.GetProperty("frontCpuUsPerRequest").GetDouble().Should().Be(2.5);
        handoff.GetProperty("frontRssBytes").GetInt64().Should().Be(62L * 1024 * 1024);
        handoff.GetProperty("rounds")[0].GetProperty("errors").GetProperty("total").GetInt64().Should().Be(0);
        results[0].GetProperty("frontCpuUsPerRequest").ValueKind.Should().Be(JsonValueKind.Null, "plain has nothing in front of the app");

        var lifecycle = root.GetProperty("lifecycle");
        lifecycle.GetProperty("startupMs").GetDouble().Should().Be(812.4);
        lifecycle.GetProperty("respawnMs").GetDouble().Should().Be(640);
        lifecycle.GetProperty("meetsRssGoal").GetBoolean().Should().BeTrue();
        root.GetProperty("skipped")[0].GetProperty("topology").GetString().Should().Be("haproxy");
        root.GetProperty("failures").GetArrayLength().Should().Be(0);
    }

    [Fact]
    public void Write_KeepsTextReadable()
    {
        var text = JsonReport.Write(BenchReports.Sample());

        text.Should().Contain("\"request\": \"GET / (\\\"hello\\\"), keep-alive\"", "only what JSON requires is escaped");
        text.Should().Contain("\"lifecycle\": null");
        text.Should().EndWith("}\n");
    }
}
