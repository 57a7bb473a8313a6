using System.Diagnostics;
using Defuss.Bench.Load.Results;
using Defuss.Bench.Load.Scenarios;
using Defuss.Bench.Load.Topologies;

namespace Defuss.Bench.Load;

internal sealed partial class LoadRunner
{
    /// <summary>Starts every topology that can run here, all at once; a missing tool skips one, a failed start fails it.</summary>
    private async Task StartTopologiesAsync(BenchEnvironment environment, CancellationToken cancellationToken)
    {
        var starting = new List<Topology>();
        foreach (var name in options.Topologies)
        {
            var reason = TopologyCatalog.SkipReason(name, environment.Tools);
            if (reason is null && name == TopologyCatalog.Node)
            {
                reason = await NodeTopology.InstallAsync(environment, cancellationToken);
            }

            if (reason is not null)
            {
                output.WriteLine($"{name}: skipped, {reason}");
                _skipped.Add(new SkippedTopology(name, reason));
                continue;
            }

            starting.Add(TopologyCatalog.Create(name));
        }

        if (starting.Count == 0)
        {
            return;
        }

        output.Write($"starting {string.Join(", ", starting.Select(t => t.Name))} … ");
        await output.FlushAsync(cancellationToken);
        var clock = Stopwatch.StartNew();
        // Each is known to the run before it starts, so that the run's end stops it whatever happens to the others.
        _running.AddRange(starting);
        var outcomes = await Task.WhenAll(starting.Select(async topology =>
        {
            try
            {
                await topology.StartAsync(environment, cancellationToken);
                return null;
            }
            catch (Exception exception) when (exception is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                return exception.Message;
            }
        }));
        output.WriteLine($"{clock.Elapsed.TotalSeconds:0.0} s");
        for (var i = 0; i < starting.Count; i++)
        {
            if (outcomes[i] is { } failure)
            {
                await FailAsync(starting[i], $"did not start: {failure}");
            }
        }
    }

    /// <summary>Sends every scenario's request once to every topology, and fails those that answer wrongly.</summary>
    private async Task CheckAsync(CancellationToken cancellationToken)
    {
        foreach (var topology in _running.ToArray())
        {
            foreach (var scenario in options.Scenarios)
            {
                string? problem;
                try
                {
                    problem = await ScenarioCheck.RunAsync(scenario, topology.BaseAddress, cancellationToken);
                }
                catch (Exception exception) when (exception is HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
                {
                    problem = $"{scenario.Method} {scenario.Path} failed: {exception.Message}";
                }

                if (problem is not null)
                {
                    await FailAsync(topology, $"answered {scenario.Name} wrongly: {problem}");
                    break;
                }
            }
        }
    }

    private async Task FailAsync(Topology topology, string reason)
    {
        output.WriteLine($"{topology.Name}: failed, {reason}");
        _failures.Add($"{topology.Name} {reason}");
        _skipped.Add(new SkippedTopology(topology.Name, $"failed: {reason.Split('\n')[0]}"));
        _running.Remove(topology);
        await topology.DisposeAsync();
    }
}
