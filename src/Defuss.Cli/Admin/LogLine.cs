namespace Defuss.Cli.Admin;

/// <summary>One line a worker wrote, as <c>GET /logs</c> streams it (one JSON object per line).</summary>
internal sealed record LogLine
{
    public DateTimeOffset Time { get; init; }

    public int Worker { get; init; }

    public int Pid { get; init; }

    /// <summary><c>stdout</c> or <c>stderr</c>.</summary>
    public string Stream { get; init; } = "stdout";

    public string Text { get; init; } = "";

    public bool IsError => string.Equals(Stream, "stderr", StringComparison.OrdinalIgnoreCase);
}
