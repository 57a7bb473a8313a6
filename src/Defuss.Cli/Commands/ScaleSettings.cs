using System.ComponentModel;
using Spectre.Console.Cli;

namespace Defuss.Cli.Commands;

/// <summary>The options of <c>defuss scale N</c>.</summary>
internal sealed class ScaleSettings : AdminSettings
{
    // A string, so that a bad value is reported by name and value, as the other options are.
    [CommandArgument(0, "<WORKERS>")]
    [Description("How many workers the pool should have; the primary refuses a size outside its bounds (1..1024, or Defuss:MinWorkers..Defuss:MaxWorkers).")]
    public string Workers { get; init; } = "";

    /// <summary>The parsed <see cref="Workers"/>, once <see cref="AdminSettings.Validate"/> has passed.</summary>
    public int WorkerCount => ParseWhole(Workers) ?? 0;

    protected override void Check(List<string> errors)
    {
        base.Check(errors);
        if (ParseWhole(Workers) is null)
        {
            errors.Add($"WORKERS '{Workers}' is not a worker count (a whole number from 0)");
        }
    }
}
