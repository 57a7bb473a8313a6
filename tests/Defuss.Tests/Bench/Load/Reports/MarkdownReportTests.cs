using Defuss.Bench.Load.Reports;
using Defuss.Bench.Load.Results;
using Defuss.Tests.TestSupport;

namespace Defuss.Tests.Bench.Load.Reports;

public sealed class MarkdownReportTests
{
    [Fact]
    public void Write_SaysHowItRanAndLinksTheChart()
    {
        var markdown = MarkdownReport.Write(BenchReports.Sample(), "latest.svg");

        markdown.Should().StartWith("# Defuss load benchmark\n");
        markdown.Should().Contain("Run on 2026-12-02 09:30 UTC at commit `abc1234`");
        markdown.Should().Contain("2 cores (Test CPU @ 2.0GHz)");
        markdown.Should().Contain("took 13 min");
        markdown.Should().Contain("wrk `-t1 -c64 -d5s`");
        markdown.Should().Contain("![requests per second by scenario and topology](latest.svg)");
    }

    [Fact]
    public void Write_TableHasAFormattedRowPerResult_TheScenarioNamedOncePerGroup()
    {
        var lines = MarkdownReport.Write(BenchReports.Sample(), null).Split('\n');

        lines.Should().Contain("| scenario | topology | req/s | p50 | p99 | errors | × plain | × nginx | front CPU/req | front RSS |");
        lines.Should().Contain("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
        lines.Should().Contain("| get | plain | 100,000 | 0.61 ms | 2.50 ms | 0 | 1.00× | 0.50× | — | — |");
        lines.Should().Contain("|  | handoff | 98,000 | 0.61 ms | 2.50 ms | 0 | 0.98× | 0.49× | 2.5 µs | 62 MiB |");
        lines.Should().Contain("| json-echo-large | plain | 4,000 | 0.61 ms | 2.50 ms | 3 | 1.00× | — | — | — |");
        lines.Should().NotContain(l => l.StartsWith("![", StringComparison.Ordinal), "no chart was named");
    }

    [Fact]
    public void Write_ListsScenariosTopologiesAndSkipped_EscapingPipes()
    {
        var markdown = MarkdownReport.Write(BenchReports.Sample(), null);

        markdown.Should().Contain("| json-echo-large | POST /json/echo, 72.3 KiB of JSON |");
        markdown.Should().Contain("| nginx | nginx \\| stream |");
        markdown.Should().Contain("## Skipped\n\n- haproxy: not installed (apt-get install -y haproxy)\n");
        markdown.Should().NotContain("## Failures");
        markdown.Should().NotContain("## Lifecycle");
    }

    [Fact]
    public void Write_Lifecycle_ShowsEachMeasureAndTheMemoryGoal()
    {
        var met = MarkdownReport.Write(BenchReports.Sample(new LifecycleResult(2, 812.4, 640, 62L * 1024 * 1024, 80L * 1024 * 1024)), null);
        var missed = MarkdownReport.Write(BenchReports.Sample(new LifecycleResult(2, 812.4, 640, 90L * 1024 * 1024, 80L * 1024 * 1024)), null);

        met.Should().Contain("## Lifecycle: a Defuss primary with 2 workers");
        met.Should().Contain("| start: primary launched → first 200 on `GET /` | 812 ms |");
        met.Should().Contain("| respawn: `kill -9` of a worker → its replacement Ready in `/status` | 640 ms |");
        met.Should().Contain("| primary RSS after warm-up (goal: under 80 MiB) | 62 MiB (met) |");
        missed.Should().Contain("| 90 MiB (**not met**) |");
    }

    [Fact]
    public void Write_Failures_AreListedOneLineEach()
    {
        var markdown = MarkdownReport.Write(BenchReports.Sample(failures: ["node did not start: exited\nwith a long tail"]), null);

        markdown.Should().Contain("## Failures\n\n- node did not start: exited\n");
        markdown.Should().NotContain("with a long tail");
    }
}
