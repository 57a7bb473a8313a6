using System.Text.Json;

namespace Defuss.Bench.Load.Lifecycle;

/// <summary>One worker row of the admin endpoint's <c>GET /status</c>.</summary>
internal sealed record WorkerRow(int Index, int Pid, string State)
{
    public bool IsReady => State == "Ready";
}

/// <summary>Reads the worker rows of <c>GET /status</c> (Defuss.Hosting.DefussStatus, camel-cased).</summary>
internal static class StatusRows
{
    /// <exception cref="FormatException">The text is not a status document.</exception>
    public static IReadOnlyList<WorkerRow> Parse(string json)
    {
        try
        {
            using var document = JsonDocument.Parse(json);
            if (!document.RootElement.TryGetProperty("workers", out var workers) || workers.ValueKind != JsonValueKind.Array)
            {
                throw new FormatException($"/status has no workers array: {Shorten(json)}");
            }

            return workers.EnumerateArray()
                .Select(w => new WorkerRow(w.GetProperty("index").GetInt32(), w.GetProperty("pid").GetInt32(), w.GetProperty("state").GetString() ?? ""))
                .ToArray();
        }
        catch (Exception exception) when (exception is JsonException or KeyNotFoundException or InvalidOperationException)
        {
            throw new FormatException($"/status is not what Defuss serves ({exception.Message}): {Shorten(json)}", exception);
        }
    }

    /// <summary>The Ready row of worker <paramref name="index"/> whose pid is not <paramref name="oldPid"/>: its replacement.</summary>
    public static WorkerRow? Replacement(IReadOnlyList<WorkerRow> rows, int index, int oldPid) =>
        rows.FirstOrDefault(r => r.Index == index && r.IsReady && r.Pid != oldPid && r.Pid > 0);

    private static string Shorten(string text) => text.Length <= 300 ? text : text[..300] + "…";
}
