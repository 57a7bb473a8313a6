using System.ComponentModel;
using Spectre.Console.Cli;

namespace Defuss.Cli.Commands;

/// <summary>The options of <c>defuss logs</c>.</summary>
internal sealed class LogsSettings : AdminSettings
{
    [CommandOption("-w|--worker <N>")]
    [Description("Only this worker's lines (its index, from 0). Defaults to every worker.")]
    public string? Worker { get; init; }

    [CommandOption("-n|--lines <K>")]
    [Description("How many of each worker's last lines to print first. Defaults to the primary's default (20).")]
    public string? Lines { get; init; }

    [CommandOption("-f|--follow")]
    [Description("Keep printing new lines as they come, until Ctrl+C.")]
    public bool Follow { get; init; }

    public int? WorkerIndex => Worker is null ? null : ParseWhole(Worker);

    public int? LineCount => Lines is null ? null : ParseWhole(Lines);

    protected override void Check(List<string> errors)
    {
        base.Check(errors);
        if (Worker is not null && ParseWhole(Worker) is null)
        {
            errors.Add($"--worker '{Worker}' is not a worker index (a whole number from 0)");
        }

        if (Lines is not null && ParseWhole(Lines) is null)
        {
            errors.Add($"--lines '{Lines}' is not a line count (a whole number from 0)");
        }
    }
}
