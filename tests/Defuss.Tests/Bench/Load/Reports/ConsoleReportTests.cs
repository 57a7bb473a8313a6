using Defuss.Bench.Load.Reports;
using Defuss.Bench.Load.Results;
using Defuss.Tests.TestSupport;

namespace Defuss.Tests.Bench.Load.Reports;

public sealed class ConsoleReportTests
{
    [Fact]
    public void Write_AlignsTheColumns_AndEndsWithTheLifecycleSkippedAndFailed()
    {
        using var output = new StringWriter();

        ConsoleReport.Write(BenchReports.Sample(new LifecycleResult(2, 812.4, 640, 90L * 1024 * 1024, 80L * 1024 * 1024), ["proxy did not start"]), output);

        var lines = output.ToString().Split(Environment.NewLine);
        var header = lines.Single(l => l.StartsWith("scenario", StringComparison.Ordinal));
        var handoff = lines.Single(l => l.Contains("handoff", StringComparison.Ordinal) && l.Contains("98,000", StringComparison.Ordinal));
        handoff.IndexOf("98,000", StringComparison.Ordinal).Should().Be(header.IndexOf("req/s", StringComparison.Ordinal) + "req/s".Length - "98,000".Length,
            "numbers are right-aligned under their heading");
        lines.Should().Contain(l => l.Contains("primary RSS after warm-up 90 MiB (goal: under 80 MiB, NOT met)", StringComparison.Ordinal));
        lines.Should().Contain("haproxy: skipped, not installed (apt-get install -y haproxy)");
        lines.Should().Contain("failed: proxy did not start");
    }
}
