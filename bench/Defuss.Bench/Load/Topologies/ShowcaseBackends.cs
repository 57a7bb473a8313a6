using Defuss.Bench.Load.Processes;

namespace Defuss.Bench.Load.Topologies;

/// <summary>Starts the plain Showcase processes that nginx and HAProxy balance over, one per worker, and waits until each answers.</summary>
internal static class ShowcaseBackends
{
    /// <returns>The port of each backend.</returns>
    public static async Task<IReadOnlyList<int>> StartAsync(string owner, int count, Func<ChildProcess, ChildProcess> track, CancellationToken cancellationToken)
    {
        var started = Enumerable.Range(0, count).Select(i =>
        {
            var port = FreePorts.Next();
            return (Port: port, Process: track(Showcase.StartPlain($"{owner} backend {i}", port)));
        }).ToArray();
        await Task.WhenAll(started.Select(b =>
            HttpProbe.WaitForOkAsync(new Uri($"http://127.0.0.1:{b.Port}/"), b.Process, HttpProbe.StartTimeout, cancellationToken)));
        return started.Select(b => b.Port).ToArray();
    }
}
