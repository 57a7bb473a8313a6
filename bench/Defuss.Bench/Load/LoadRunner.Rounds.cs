using Defuss.Bench.Load.Drivers;
using Defuss.Bench.Load.Processes;
using Defuss.Bench.Load.Results;
using Defuss.Bench.Load.Scenarios;
using Defuss.Bench.Load.Topologies;

namespace Defuss.Bench.Load;

internal sealed partial class LoadRunner
{
    private async Task WarmUpAsync(BenchEnvironment environment, CancellationToken cancellationToken)
    {
        if (options.WarmupSeconds == 0 || _running.Count == 0)
        {
            return;
        }

        output.Write($"warm-up: {options.WarmupSeconds} s of every scenario on every topology … ");
        await output.FlushAsync(cancellationToken);
        foreach (var topology in _running)
        {
            foreach (var scenario in options.Scenarios)
            {
                try
                {
                    await LoadAsync(environment, scenario, topology, options.WarmupSeconds, cancellationToken);
                }
                catch (Exception exception) when (exception is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
                {
                    _failures.Add($"warm-up of {scenario.Name} on {topology.Name}: {exception.Message}");
                }
            }
        }

        output.WriteLine("done");
    }

    private async Task RunRoundsAsync(BenchEnvironment environment, CancellationToken cancellationToken)
    {
        for (var round = 1; round <= options.Rounds; round++)
        {
            var order = RoundOrder(_running, round);
            foreach (var scenario in options.Scenarios)
            {
                foreach (var topology in order)
                {
                    output.Write($"round {round}/{options.Rounds} · {scenario.Name} · {topology.Name} … ");
                    await output.FlushAsync(cancellationToken);
                    try
                    {
                        var result = await MeasureAsync(environment, scenario, topology, round, cancellationToken);
                        if (!_rounds.TryGetValue((scenario.Name, topology.Name), out var list))
                        {
                            _rounds[(scenario.Name, topology.Name)] = list = [];
                        }

                        list.Add(result);
                        output.WriteLine(
                            $"{Units.Rate(result.RequestsPerSecond)} req/s, p99 {Units.Milliseconds(result.P99Ms)}" +
                            (result.Errors.Total > 0 ? $", {Units.Count(result.Errors.Total)} errors" : "") +
                            (result.FrontCpuUsPerRequest is { } cpu ? $", front {Units.Microseconds(cpu)}/req" : ""));
                    }
                    catch (Exception exception) when (exception is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
                    {
                        output.WriteLine("failed");
                        _failures.Add($"round {round}, {scenario.Name} on {topology.Name}: {exception.Message}");
                    }
                }
            }
        }
    }

    /// <summary>One measured run, with the front processes' CPU time read before and after it and their memory after it.</summary>
    private async Task<RoundResult> MeasureAsync(BenchEnvironment environment, Scenario scenario, Topology topology, int round, CancellationToken cancellationToken)
    {
        var front = topology.FrontPids();
        var before = CpuTicks(front);
        var sample = await LoadAsync(environment, scenario, topology, options.DurationSeconds, cancellationToken);
        var after = CpuTicks(front);
        var rss = front.Count == 0 ? null : (long?)front.Sum(pid => ProcFs.ReadResidentBytes(pid) ?? 0);
        var cpu = front.Count == 0 ? null : Stats.CpuMicrosecondsPerRequest(before, after, Posix.ClockTicksPerSecond, sample.Requests);
        return new RoundResult(
            round,
            Math.Round(sample.RequestsPerSecond, 1),
            sample.Requests,
            Math.Round(sample.P50Ms, 3),
            Math.Round(sample.P99Ms, 3),
            sample.Errors,
            cpu is { } microseconds ? Math.Round(microseconds, 2) : null,
            rss);
    }

    private Task<LoadSample> LoadAsync(BenchEnvironment environment, Scenario scenario, Topology topology, int seconds, CancellationToken cancellationToken) =>
        scenario.Kind == ScenarioKind.WebSocket
            ? WebSocketDriver.RunAsync(topology.BaseAddress, options.Connections, ScenarioCatalog.WebSocketMessageBytes, TimeSpan.FromSeconds(seconds), cancellationToken)
            : WrkDriver.RunAsync(environment.Tools.Wrk!, _scripts[scenario.Name], topology.BaseAddress, options.Threads, options.Connections, seconds, cancellationToken);

    /// <summary>The CPU time the processes have used so far, in clock ticks (a process gone counts nothing).</summary>
    private static long CpuTicks(IReadOnlyList<int> pids) => pids.Sum(pid => ProcFs.ReadStat(pid)?.CpuTicks ?? 0);
}
