using Spectre.Console;

namespace Defuss.Cli.Rendering;

/// <summary>The colours of worker states and of each worker's log prefix.</summary>
internal static class Palette
{
    private static readonly Color[] WorkerColors =
    [
        Color.Aqua, Color.Lime, Color.Yellow, Color.Fuchsia, Color.DodgerBlue1, Color.Orange1, Color.MediumPurple1, Color.SpringGreen2,
    ];

    /// <summary>Ready green; Starting and Restarting yellow; Stale and Draining orange; Exited and GivenUp red.</summary>
    public static Style State(string state) => state switch
    {
        "Ready" => new Style(Color.Green),
        "Starting" or "Restarting" => new Style(Color.Yellow),
        "Stale" or "Draining" => new Style(Color.Orange1),
        "Exited" or "GivenUp" => new Style(Color.Red),
        _ => Style.Plain,
    };

    /// <summary>A worker's own colour, by index; red is left for stderr.</summary>
    public static Style Worker(int index) => new(WorkerColors[(index % WorkerColors.Length + WorkerColors.Length) % WorkerColors.Length]);

    public static Style Error { get; } = new(Color.Red);

    public static Style Dim { get; } = new(decoration: Decoration.Dim);
}
