using Defuss.Bench.Load.Drivers;
using Defuss.Bench.Load.Results;

namespace Defuss.Tests.TestSupport;

/// <summary>A fixed load-benchmark report for the report writers' tests: two scenarios, three topologies, one skipped.</summary>
internal static class BenchReports
{
    public static BenchReport Sample(LifecycleResult? lifecycle = null, IReadOnlyList<string>? failures = null) => new(
        StartedAt: new DateTimeOffset(2026, 12, 2, 9, 30, 0, TimeSpan.Zero),
        ElapsedSeconds: 754,
        Commit: "abc1234",
        Machine: new MachineInfo("Debian GNU/Linux 12 (bookworm), Linux 6.1.0, x64", "Test CPU @ 2.0GHz", 2, ".NET 10.0.0", "wrk 4.1.0"),
        Settings: new RunSettings(DurationSeconds: 5, Connections: 64, Workers: 2, Rounds: 3, WarmupSeconds: 1, Threads: 1),
        Scenarios: [new("get", "GET / (\"hello\"), keep-alive"), new("json-echo-large", "POST /json/echo, 72.3 KiB of JSON")],
        Topologies: [new("plain", "one plain Kestrel process"), new("handoff", "Defuss, 2 workers, handoff"), new("nginx", "nginx | stream")],
        Results:
        [
            Row("get", "plain", 100_000, 1.0, 0.5, null, null),
            Row("get", "handoff", 98_000, 0.98, 0.49, 2.5, 62L * 1024 * 1024),
            Row("get", "nginx", 50_000, 0.5, 1.0, 9.25, 13L * 1024 * 1024),
            Row("json-echo-large", "plain", 4_000, 1.0, null, null, null, errors: 3),
            Row("json-echo-large", "handoff", 3_000, 0.75, null, 4, 64L * 1024 * 1024),
        ],
        Skipped: [new("haproxy", "not installed (apt-get install -y haproxy)")],
        Failures: failures ?? [],
        Lifecycle: lifecycle);

    private static ResultRow Row(string scenario, string topology, double rate, double? toPlain, double? toNginx, double? cpu, long? rss, long errors = 0) =>
        new(scenario, topology, rate, 0.61, 2.5, errors, toPlain, toNginx, cpu, rss,
            [new RoundResult(1, rate, (long)(rate * 5), 0.61, 2.5, new ErrorCounts(0, errors, 0, 0, 0), cpu, rss)]);
}
