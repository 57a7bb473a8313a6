using System.Globalization;
using Defuss.Cli.Admin;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace Defuss.Cli.Rendering;

/// <summary>How <c>ls</c> shows a primary: a header line and a table of its workers.</summary>
internal static class StatusView
{
    /// <summary>Below this many columns the table leaves out incarnation, GC heap and in flight, and draws no box.</summary>
    public const int NarrowBelow = 115;

    private static readonly Column[] Columns =
    [
        new("id", Right: true, Wide: false, w => Plain(Whole(w.Index))),
        new("pid", Right: true, Wide: false, w => Plain(w.Pid == 0 ? "-" : Whole(w.Pid))),
        new("inc", Right: true, Wide: true, w => Plain(Whole(w.Incarnation))),
        new("state", Right: false, Wide: false, w => new Text(w.State, Palette.State(w.State))),
        new("uptime", Right: false, Wide: false, w => Plain(w.StartedAt is null ? "-" : Units.Duration(w.UptimeSeconds))),
        new("restarts", Right: true, Wide: false, w => Plain(Whole(w.Restarts))),
        new("cpu", Right: true, Wide: false, w => Plain(Units.Percent(w.CpuPercent))),
        new("memory", Right: true, Wide: false, w => Plain(Units.Bytes(w.WorkingSetBytes))),
        new("gc heap", Right: true, Wide: true, w => Plain(Units.Bytes(w.GcHeapBytes))),
        new("conns", Right: true, Wide: false, w => Plain(Whole(w.Connections))),
        new("in flight", Right: true, Wide: true, w => Plain(Whole(w.RequestsInFlight))),
        new("last exit", Right: false, Wide: false, w => w.LastExit is { } exit ? new Text(exit, Palette.Error) : Plain("-")),
    ];

    public static IRenderable Render(PrimaryStatus status, int consoleWidth)
    {
        var narrow = consoleWidth < NarrowBelow;
        var columns = Columns.Where(c => !narrow || !c.Wide).ToList();
        var table = new Table().Border(narrow ? TableBorder.None : TableBorder.Rounded);
        foreach (var column in columns)
        {
            var header = new TableColumn(narrow ? new Markup($"[bold]{column.Header}[/]") : new Text(column.Header)).NoWrap();
            if (narrow)
            {
                header.Padding(0, 0, 2, 0);
            }

            table.AddColumn(column.Right ? header.RightAligned() : header);
        }

        foreach (var worker in status.Workers.OrderBy(w => w.Index))
        {
            table.AddRow(columns.Select(c => c.Cell(worker)));
        }

        return new Rows(Header(status), table);
    }

    /// <summary>
    /// <c>primary 4242 · v1.0.0 · up 12s · http://0.0.0.0:3000 · delivery handoff · balancer RoundRobin · 2/2 ready</c>.
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
        var line = string.Join(" · ", parts);
        if (status.Predecessor is { } predecessor)
        {
            line += Markup.Escape($" · took over from primary {predecessor.Pid} ({predecessor.State})");
        }

        if (status.Upgrade is { State: not "idle" } upgrade)
        {
            line += $" · [yellow]{Markup.Escape(upgrade.State == "starting" ? $"handing over to new primary {upgrade.SuccessorPid?.ToString(CultureInfo.InvariantCulture) ?? "?"}" : $"handed over to primary {upgrade.SuccessorPid}, draining")}[/]";
        }

        return new Markup(line);
    }

    private static string Whole(long value) => value.ToString(CultureInfo.InvariantCulture);

    private static Text Plain(string text) => new(text);

    private sealed record Column(string Header, bool Right, bool Wide, Func<WorkerInfo, IRenderable> Cell);
}
