using System.Globalization;
using System.Text;
using Defuss.Bench.Load.Results;

namespace Defuss.Bench.Load.Reports;

/// <summary>The report as Markdown: how it ran, the chart, the results table, the lifecycle figures, the legend.</summary>
internal static class MarkdownReport
{
    /// <param name="chartFileName">The SVG chart beside the Markdown file, linked relatively; null for none.</param>
    public static string Write(BenchReport report, string? chartFileName)
    {
        var settings = report.Settings;
        var text = new StringBuilder();
        text.Append("# Defuss load benchmark\n\n");
        text.Append(CultureInfo.InvariantCulture, $"Run on {report.StartedAt.UtcDateTime:yyyy-MM-dd HH:mm} UTC at commit `{report.Commit}`: ");
        text.Append(CultureInfo.InvariantCulture, $"{report.Machine.Os}, {report.Machine.Cores} cores{(report.Machine.Cpu is { } cpu ? $" ({cpu})" : "")}, {report.Machine.Runtime}");
        text.Append(report.Machine.Wrk is { } wrk ? $", {wrk}" : "").Append(CultureInfo.InvariantCulture, $"; took {Duration(report.ElapsedSeconds)}.\n\n");
        text.Append(CultureInfo.InvariantCulture,
            $"Every run: {settings.DurationSeconds} s, {settings.Connections} connections (wrk `-t{settings.Threads} -c{settings.Connections} -d{settings.DurationSeconds}s`; ");
        text.Append("WebSocket echo by the bench's own client), ");
        text.Append(CultureInfo.InvariantCulture, $"{settings.Workers} workers or backends, {settings.Rounds} round(s) with the topologies alternated, ");
        text.Append(CultureInfo.InvariantCulture, $"{settings.WarmupSeconds} s of warm-up per scenario and topology first. Figures are medians over the rounds; ");
        text.Append("the load generator shares the machine with the servers, alike for every topology.\n\n");

        if (chartFileName is not null && report.Results.Count > 0)
        {
            text.Append("![requests per second by scenario and topology](").Append(chartFileName).Append(")\n\n");
        }

        text.Append("## Results\n\n");
        if (report.Results.Count == 0)
        {
            text.Append("Nothing was measured.\n\n");
        }
        else
        {
            text.Append("| ").Append(string.Join(" | ", ReportTable.Header)).Append(" |\n");
            text.Append("| ").Append(string.Join(" | ", ReportTable.Numeric.Select(n => n ? "---:" : "---"))).Append(" |\n");
            foreach (var row in ReportTable.Rows(report.Results))
            {
                text.Append("| ").Append(string.Join(" | ", row.Select(Cell))).Append(" |\n");
            }

            text.Append('\n').Append(ReportTable.FrontNote).Append("\n\n");
        }

        if (report.Lifecycle is { } lifecycle)
        {
            text.Append(CultureInfo.InvariantCulture, $"## Lifecycle: a Defuss primary with {lifecycle.Workers} workers\n\n");
            text.Append("Measured once, alone on the machine, before the topologies start: the Showcase under Defuss, default delivery, admin endpoint on.\n\n");
            text.Append("| measure | value |\n| --- | ---: |\n");
            text.Append("| start: primary launched → first 200 on `GET /` | ").Append(Units.Milliseconds(lifecycle.StartupMs)).Append(" |\n");
            text.Append("| respawn: `kill -9` of a worker → its replacement Ready in `/status` | ").Append(Units.Milliseconds(lifecycle.RespawnMs)).Append(" |\n");
            text.Append("| primary RSS after warm-up (goal: under ").Append(Units.Size(lifecycle.RssGoalBytes)).Append(") | ")
                .Append(Units.Size(lifecycle.PrimaryRssBytes)).Append(lifecycle.MeetsRssGoal ? " (met)" : " (**not met**)").Append(" |\n\n");
        }

        text.Append("## Scenarios\n\n| scenario | request |\n| --- | --- |\n");
        foreach (var scenario in report.Scenarios)
        {
            text.Append("| ").Append(scenario.Name).Append(" | ").Append(Cell(scenario.Request)).Append(" |\n");
        }

        text.Append("\n## Topologies\n\n| topology | what |\n| --- | --- |\n");
        foreach (var topology in report.Topologies)
        {
            text.Append("| ").Append(topology.Name).Append(" | ").Append(Cell(topology.Description)).Append(" |\n");
        }

        if (report.Skipped.Count > 0)
        {
            text.Append("\n## Skipped\n\n");
            foreach (var skipped in report.Skipped)
            {
                text.Append("- ").Append(skipped.Topology).Append(": ").Append(skipped.Reason).Append('\n');
            }
        }

        if (report.Failures.Count > 0)
        {
            text.Append("\n## Failures\n\n");
            foreach (var failure in report.Failures)
            {
                text.Append("- ").Append(failure.Split('\n')[0]).Append('\n');
            }
        }

        return text.ToString();
    }

    private static string Cell(string text) => text.Replace("|", "\\|", StringComparison.Ordinal);

    private static string Duration(double seconds) => seconds < 120
        ? string.Create(CultureInfo.InvariantCulture, $"{seconds:0} s")
        : string.Create(CultureInfo.InvariantCulture, $"{seconds / 60:0} min");
}
