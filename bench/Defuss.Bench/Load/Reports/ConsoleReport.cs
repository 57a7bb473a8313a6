using Defuss.Bench.Load.Results;

namespace Defuss.Bench.Load.Reports;

/// <summary>The results as an aligned table for the terminal, then the lifecycle figures and what was skipped.</summary>
internal static class ConsoleReport
{
    public static void Write(BenchReport report, TextWriter output)
    {
        var rows = ReportTable.Rows(report.Results).ToList();
        var widths = ReportTable.Header.Select((h, i) => rows.Select(r => r[i].Length).Append(h.Length).Max()).ToArray();
        output.WriteLine();
        output.WriteLine(Line(ReportTable.Header, widths));
        output.WriteLine(string.Join("  ", widths.Select(w => new string('-', w))));
        foreach (var row in rows)
        {
            if (row[0].Length > 0 && row != rows[0])
            {
                output.WriteLine();
            }

            output.WriteLine(Line(row, widths));
        }

        output.WriteLine();
        output.WriteLine($"medians of {report.Settings.Rounds} round(s) of {report.Settings.DurationSeconds} s, {report.Settings.Connections} connections, {report.Settings.Workers} workers");
        if (report.Lifecycle is { } lifecycle)
        {
            output.WriteLine(
                $"lifecycle ({lifecycle.Workers} workers): start to first response {Units.Milliseconds(lifecycle.StartupMs)}, " +
                $"kill -9 of a worker to its replacement Ready {Units.Milliseconds(lifecycle.RespawnMs)}, " +
                $"primary RSS after warm-up {Units.Size(lifecycle.PrimaryRssBytes)} (goal: under {Units.Size(lifecycle.RssGoalBytes)}, {(lifecycle.MeetsRssGoal ? "met" : "NOT met")})");
        }

        foreach (var skipped in report.Skipped)
        {
            output.WriteLine($"{skipped.Topology}: skipped, {skipped.Reason}");
        }

        foreach (var failure in report.Failures)
        {
            output.WriteLine($"failed: {failure}");
        }
    }

    private static string Line(string[] cells, int[] widths) =>
        string.Join("  ", cells.Select((c, i) => ReportTable.Numeric[i] ? c.PadLeft(widths[i]) : c.PadRight(widths[i]))).TrimEnd();
}
