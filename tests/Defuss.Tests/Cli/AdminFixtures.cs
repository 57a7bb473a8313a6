using System.Text.Json;
using Defuss.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Defuss.Tests.Cli;

/// <summary>
/// Admin API answers shaped as the primary serves them: built from the host's own <see cref="DefussStatus"/> record
/// with System.Text.Json's web defaults, plus the contract's example verbatim.
/// </summary>
internal static class AdminFixtures
{
    public static readonly DateTimeOffset Started = new(2026, 12, 2, 5, 0, 0, TimeSpan.Zero);

    /// <summary>The example of the admin API contract, as written there.</summary>
    public const string ContractExample = """
        {"pid":4242,"version":"1.0.0","startedAt":"2026-12-02T05:00:00+00:00","uptimeSeconds":12.5,"endpoints":["http://0.0.0.0:3000"],"delivery":"handoff","loadBalancer":"RoundRobin","readyWorkers":2,"workers":[{"index":0,"pid":4250,"incarnation":1,"state":"Ready","startedAt":"2026-12-02T05:00:00.6+00:00","uptimeSeconds":11.9,"restarts":0,"lastExit":null,"cpuPercent":3.5,"workingSetBytes":73400320,"gcHeapBytes":8123456,"connections":4,"requestsInFlight":1,"requestsServed":1520,"lastHeartbeatAt":"2026-12-02T05:00:12+00:00"}],"recentEvents":[{"time":"2026-12-02T05:00:01+00:00","worker":0,"incarnation":1,"kind":"ready","message":"worker 0 ready (pid 4250)"}]}
        """;

    public static WorkerStatus WorkerAt(
        int index, int pid, long incarnation = 1, string state = "Ready", long served = 0, double heartbeatAt = 10, int restarts = 0, string? lastExit = null) =>
        new(index, pid, incarnation, state, Started.AddSeconds(1), 11.9, restarts, lastExit, 3.5, 73_400_320, 8_123_456, 4, 1, served, Started.AddSeconds(heartbeatAt));

    public static DefussStatus Status(int pid, params WorkerStatus[] workers) => new(
        pid,
        "1.0.0",
        Started,
        12.5,
        ["http://0.0.0.0:3000"],
        "handoff",
        "RoundRobin",
        workers.Count(w => w.State == "Ready"),
        workers,
        [new WorkerEventRecord(Started.AddSeconds(2), 0, 1, "ready", $"worker 0 ready (pid {workers.FirstOrDefault()?.Pid})")]);

    public static string Json(DefussStatus status) => JsonSerializer.Serialize(status, JsonSerializerOptions.Web);

    /// <summary>Serves <c>GET /status</c> with <paramref name="status"/>, asked afresh for each request.</summary>
    public static void MapStatus(this WebApplication app, Func<DefussStatus> status) =>
        app.MapGet("/status", () => Results.Text(Json(status()), "application/json"));

    public static void MapStatus(this WebApplication app, DefussStatus status) => app.MapStatus(() => status);

    /// <summary>One <c>/logs</c> line as the contract writes it.</summary>
    public static string LogLine(int worker, int pid, string text, string stream = "stdout") =>
        JsonSerializer.Serialize(new { time = Started, worker, pid, stream, text }, JsonSerializerOptions.Web) + "\n";
}
