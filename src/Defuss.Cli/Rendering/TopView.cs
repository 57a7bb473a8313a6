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

    /// <summary>What the boxed table needs besides its two graphs, borders and padding included.</summary>
    private const int FixedWidth = 104;

    public static IRenderable Render(PrimaryStatus status, TopModel model, bool unicode, int consoleWidth)
    {
        var narrow = consoleWidth < StatusView.NarrowBelow;

        // The graphs take what the terminal has to spare, so that a wide one shows more of the minute.
        var sparkWidth = Math.Clamp((consoleWidth - FixedWidth) / 2, 5, 30);
        var columns = new List<(string Header, bool Right, Func<WorkerInfo, WorkerHistory?, IRenderable> Cell)>
        {
            ("id", true, (w, _) => Plain(Whole(w.Index))),
            ("pid", true, (w, _) => Plain(w.Pid == 0 ? "-" : Whole(w.Pid))),
            ("state", false, (w, _) => new Text(w.State, Palette.State(w.State))),
            ("uptime", false, (w, _) => Plain(w.StartedAt is null ? "-" : Units.Duration(w.UptimeSeconds))),
            ("restarts", true, (w, _) => new Text(Whole(w.Restarts), w.Restarts > 0 ? new Style(Color.Yellow) : Style.Plain)),
            ("cpu", true, (w, _) => Plain(Units.Percent(w.CpuPercent))),
        };
        if (!narrow)
        {
            columns.Add(("", true, (_, h) => Graph(h?.Cpu ?? [], 100, sparkWidth, unicode, Color.Aqua)));
        }

        columns.Add(("memory", true, (w, _) => Plain(Units.Bytes(w.WorkingSetBytes))));
        if (!narrow)
        {
            columns.Add(("", true, (_, h) => Graph(h?.Memory ?? [], 0, sparkWidth, unicode, Color.Fuchsia)));
        }

        columns.Add(("conns", true, (w, _) => Plain(Whole(w.Connections))));
        if (!narrow)
        {
            columns.Add(("in flight", true, (w, _) => Plain(Whole(w.RequestsInFlight))));
        }

        columns.Add(("req/s", true, (_, h) => Plain(Units.Rate(h?.RequestsPerSecond))));

        var table = new Table().Border(narrow ? TableBorder.None : TableBorder.Rounded);
        foreach (var (header, right, _) in columns)
        {
            var column = new TableColumn(narrow ? new Markup($"[bold]{header}[/]") : new Text(header)).NoWrap();
            if (narrow)
            {
                column.Padding(0, 0, 2, 0);
            }

            table.AddColumn(right ? column.RightAligned() : column);
        }

        foreach (var worker in status.Workers.OrderBy(w => w.Index))
        {
            var history = model.HistoryOf(worker);
            table.AddRow(columns.Select(c => c.Cell(worker, history)));
        }

        var rows = new List<IRenderable> { StatusView.Header(status), table };
        foreach (var e in status.RecentEvents.TakeLast(Events))
        {
            rows.Add(new Text($"{e.Time.ToLocalTime():HH:mm:ss}  w{e.Worker}  {e.Message}", Palette.Dim));
        }

        rows.Add(new Markup(narrow ? "[dim]q or Ctrl+C to quit[/]" : "[dim]graphs: the last minute · q or Ctrl+C to quit[/]"));
        return new Rows(rows);
    }

    /// <param name="floor">The least full scale: 100 for CPU percent, so that an idle worker draws low.</param>
    private static Text Graph(IReadOnlyList<double> values, double floor, int width, bool unicode, Color color) =>
        new(Sparkline.Render(values, Math.Max(floor, values.DefaultIfEmpty(0).Max()), width, unicode), new Style(color));

    private static string Whole(long value) => value.ToString(CultureInfo.InvariantCulture);

    private static Text Plain(string text) => new(text);
}
