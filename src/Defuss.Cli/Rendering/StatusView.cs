using Defuss.Cli.Admin;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace Defuss.Cli.Rendering;

/// <summary>How <c>ls</c> shows a primary: a header line and a table of its workers.</summary>
internal static class StatusView
{
    public static IRenderable Render(PrimaryStatus status)
    {
        var table = new Table().Border(TableBorder.Rounded);
        foreach (var header in new[] { "id", "pid", "inc", "state", "uptime", "restarts", "cpu", "memory", "gc heap", "conns", "in flight", "last exit" })
        {
            table.AddColumn(new TableColumn(header).NoWrap());
        }

        foreach (var column in table.Columns.Where((_, i) => i is 0 or 1 or 2 or 5 or 6 or 7 or 8 or 9 or 10))
        {
            column.RightAligned();
        }

        foreach (var worker in status.Workers.OrderBy(w => w.Index))
        {
            table.AddRow(
                Cell(worker.Index.ToString(System.Globalization.CultureInfo.InvariantCulture)),
                Cell(Pid(worker.Pid)),
                Cell(worker.Incarnation.ToString(System.Globalization.CultureInfo.InvariantCulture)),
                new Text(worker.State, Palette.State(worker.State)),
                Cell(worker.StartedAt is null ? "-" : Units.Duration(worker.UptimeSeconds)),
                Cell(worker.Restarts.ToString(System.Globalization.CultureInfo.InvariantCulture)),
                Cell(Units.Percent(worker.CpuPercent)),
                Cell(Units.Bytes(worker.WorkingSetBytes)),
                Cell(Units.Bytes(worker.GcHeapBytes)),
                Cell(worker.Connections.ToString(System.Globalization.CultureInfo.InvariantCulture)),
                Cell(worker.RequestsInFlight.ToString(System.Globalization.CultureInfo.InvariantCulture)),
                worker.LastExit is { } exit ? new Text(exit, Palette.Error) : Cell("-"));
        }

        return new Rows(Header(status), table);
    }

    /// <summary>
    /// <c>primary 4242 · 1.0.0 · up 12s · http://0.0.0.0:3000 · handoff · RoundRobin · 2/2 ready</c>.
    /// </summary>
    public static IRenderable Header(PrimaryStatus status)
    {
        var total = status.Workers.Count;
        var ready = status.ReadyWorkers == total && total > 0 ? Color.Green : Color.Yellow;
        var endpoints = status.Endpoints.Count == 0 ? "not listening yet" : string.Join(", ", status.Endpoints);
        var parts = new[]
        {
            $"[bold]primary {status.Pid}[/]",
            Markup.Escape(status.Version.Length == 0 ? "version ?" : "v" + status.Version),
            $"up {Units.Duration(status.UptimeSeconds)}",
            Markup.Escape(endpoints),
            $"delivery {Markup.Escape(status.Delivery)}",
            $"balancer {Markup.Escape(status.LoadBalancer)}",
            $"[{ready.ToMarkup()}]{status.ReadyWorkers}/{total} ready[/]",
        };
        return new Markup(string.Join(" · ", parts));
    }

    private static string Pid(int pid) => pid == 0 ? "-" : pid.ToString(System.Globalization.CultureInfo.InvariantCulture);

    private static Text Cell(string text) => new(text);
}
