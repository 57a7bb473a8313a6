using System.Diagnostics;
using Defuss.Bench.Load.Drivers;
using Defuss.Bench.Load.Processes;
using Defuss.Bench.Load.Results;
using Defuss.Bench.Load.Topologies;

namespace Defuss.Bench.Load.Lifecycle;

/// <summary>
/// Measures a Defuss primary with 2 workers (the default delivery, the admin endpoint on), once per run and alone on the
/// machine: launch to its first 200, its resident memory after a warm-up, and <c>kill -9</c> of a worker to its
/// replacement's Ready row in <c>/status</c>.
/// </summary>
internal static class LifecycleProbe
{
    public const int Workers = 2;

    /// <summary>The resident memory a primary with 2 workers should stay under: 80 MiB.</summary>
    public const long RssGoalBytes = 80L * 1024 * 1024;

    /// <summary>How long a killed worker's replacement may take to be Ready.</summary>
    private static readonly TimeSpan RespawnTimeout = TimeSpan.FromSeconds(30);

    /// <summary>How often <c>/status</c> is asked while a replacement starts (each look costs the primary a little).</summary>
    private static readonly TimeSpan StatusInterval = TimeSpan.FromMilliseconds(10);

    private static readonly HttpClient Admin = new(new SocketsHttpHandler { UseProxy = false }) { Timeout = TimeSpan.FromSeconds(5) };

    /// <param name="warmupScripts">The wrk scripts of the warm-up (keep-alive, then a connection per request); none without wrk.</param>
    public static async Task<LifecycleResult> MeasureAsync(BenchEnvironment environment, IReadOnlyList<string> warmupScripts, CancellationToken cancellationToken)
    {
        var port = FreePorts.Next();
        var adminPort = FreePorts.Next();
        var baseAddress = new Uri($"http://127.0.0.1:{port}/");
        var admin = new Uri($"http://127.0.0.1:{adminPort}/status");
        var launched = Stopwatch.StartNew();
        await using var primary = Showcase.StartPrimary("lifecycle primary", port, Workers, delivery: null, $"--Defuss:AdminUrl=http://127.0.0.1:{adminPort}");
        await HttpProbe.WaitForOkAsync(baseAddress, primary, HttpProbe.StartTimeout, cancellationToken);
        var startup = launched.Elapsed;
        await Showcase.WaitForPrimaryAsync(primary, baseAddress, Workers, cancellationToken);
        primary.RememberDescendants();

        if (environment.Tools.Wrk is { } wrk)
        {
            foreach (var script in warmupScripts)
            {
                await WrkDriver.RunAsync(wrk, script, baseAddress, threads: 1, connections: 16, seconds: 1, cancellationToken);
            }
        }

        var rss = ProcFs.ReadResidentBytes(primary.Pid)
            ?? throw new InvalidOperationException($"the lifecycle primary (pid {primary.Pid}) has no resident memory: it is gone");
        var respawn = await RespawnAsync(primary, admin, cancellationToken);
        return new LifecycleResult(Workers, Math.Round(startup.TotalMilliseconds, 1), Math.Round(respawn.TotalMilliseconds, 1), rss, RssGoalBytes);
    }

    private static async Task<TimeSpan> RespawnAsync(ChildProcess primary, Uri status, CancellationToken cancellationToken)
    {
        var victim = (await ReadAsync(status, cancellationToken)).FirstOrDefault(r => r.IsReady)
            ?? throw new InvalidOperationException($"{status} lists no Ready worker to kill:\n{primary.OutputTail}");

        var killed = Stopwatch.StartNew();
        // A worker of the primary this bench started (checked: it is below that primary).
        if (!ProcFs.ReadDescendants(primary.Pid).Any(s => s.Pid == victim.Pid) || !Posix.Kill(victim.Pid, Posix.SIGKILL))
        {
            throw new InvalidOperationException($"worker {victim.Index} (pid {victim.Pid}) is not a live process of the lifecycle primary {primary.Pid}");
        }

        using var tick = new PeriodicTimer(StatusInterval);
        while (true)
        {
            var rows = await ReadAsync(status, cancellationToken);
            if (StatusRows.Replacement(rows, victim.Index, victim.Pid) is not null)
            {
                var elapsed = killed.Elapsed;
                primary.RememberDescendants();
                return elapsed;
            }

            if (killed.Elapsed > RespawnTimeout)
            {
                throw new TimeoutException(
                    $"worker {victim.Index} was not Ready again within {RespawnTimeout.TotalSeconds:0} s of kill -9 (rows: {string.Join("; ", rows)}):\n{primary.OutputTail}");
            }

            await tick.WaitForNextTickAsync(cancellationToken);
        }
    }

    private static async Task<IReadOnlyList<WorkerRow>> ReadAsync(Uri status, CancellationToken cancellationToken) =>
        StatusRows.Parse(await Admin.GetStringAsync(status, cancellationToken));
}
