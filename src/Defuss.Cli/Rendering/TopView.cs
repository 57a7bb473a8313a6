using System.Globalization;
using Defuss.Cli.Admin;
using Defuss.Cli.Top;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace Defuss.Cli.Rendering;

/// <summary>One frame of <c>top</c>: the primary's header, each worker with its CPU and memory over the last minute, the latest events.</summary>
internal static class TopView
{
    private const int Events = 5;

    /// <summary>What the table needs besides its two graphs, borders and padding included.</summary>
    private const int FixedWidth = 104;

    public static IRenderable Render(PrimaryStatus status, TopModel model, bool unicode, int consoleWidth)
    {
        // The graphs take what the terminal has to spare, so that a wide one shows more of the minute.
        var sparkWidth = Math.Clamp((consoleWidth - FixedWidth) / 2, 5, 30);
        var table = new Table().Border(TableBorder.Rounded);
        foreach (var header in new[] { "id", "pid", "state", "uptime", "restarts", "cpu", "", "memory", "", "conns", "in flight", "req/s" })
        {
            table.AddColumn(new TableColumn(header).NoWrap());
        }

        foreach (var column in table.Columns.Where((_, i) => i is 0 or 1 or 4 or 5 or 7 or 9 or 10 or 11))
        {
            column.RightAligned();
        }

        foreach (var worker in status.Workers.OrderBy(w => w.Index))
        {
            var history = model.HistoryOf(worker);
            var cpu = history?.Cpu ?? [];
            var memory = history?.Memory ?? [];
            table.AddRow(
                new Text(Whole(worker.Index)),
                new Text(worker.Pid == 0 ? "-" : Whole(worker.Pid)),
                new Text(worker.State, Palette.State(worker.State)),
                new Text(worker.StartedAt is null ? "-" : Units.Duration(worker.UptimeSeconds)),
                new Text(Whole(worker.Restarts), worker.Restarts > 0 ? new Style(Color.Yellow) : Style.Plain),
                new Text(Units.Percent(worker.CpuPercent)),
                new Text(Sparkline.Render(cpu, Math.Max(100, cpu.DefaultIfEmpty(0).Max()), sparkWidth, unicode), new Style(Color.Aqua)),
                new Text(Units.Bytes(worker.WorkingSetBytes)),
                new Text(Sparkline.Render(memory, memory.DefaultIfEmpty(0).Max(), sparkWidth, unicode), new Style(Color.Fuchsia)),
                new Text(Whole(worker.Connections)),
                new Text(Whole(worker.RequestsInFlight)),
                new Text(Units.Rate(history?.RequestsPerSecond)));
        }

        var rows = new List<IRenderable> { StatusView.Header(status), table };
        foreach (var e in status.RecentEvents.TakeLast(Events))
        {
            rows.Add(new Text($"{e.Time.ToLocalTime():HH:mm:ss}  w{e.Worker}  {e.Message}", Palette.Dim));
        }

        rows.Add(new Markup("[dim]graphs: the last minute · q or Ctrl+C to quit[/]"));
        return new Rows(rows);
    }

    private static string Whole(long value) => value.ToString(CultureInfo.InvariantCulture);
}
