using Defuss.Bench.Load.Processes;

namespace Defuss.Bench.Load.Topologies;

/// <summary>
/// One way of serving the Showcase's endpoints on a loopback port: its processes, started once per run and stopped
/// (by pid, with everything below them) when it is disposed.
/// </summary>
internal abstract class Topology : IAsyncDisposable
{
    private readonly List<ChildProcess> _processes = [];

    protected Topology(string name)
    {
        Name = name;
    }

    public string Name { get; }

    /// <summary>Where the load goes: <c>http://127.0.0.1:PORT/</c>.</summary>
    public Uri BaseAddress { get; private set; } = new("http://127.0.0.1/");

    /// <summary>Starts the processes and returns once the topology serves at full strength (every worker ready).</summary>
    public abstract Task StartAsync(BenchEnvironment environment, CancellationToken cancellationToken);

    /// <summary>
    /// The processes between the client and the app, whose CPU time per request and memory the reports show: Defuss's
    /// primary, nginx (master and worker), HAProxy, Node's cluster primary. None for plain Kestrel.
    /// </summary>
    public virtual IReadOnlyList<int> FrontPids() => [];

    /// <summary>Stops every process of the topology, all at once.</summary>
    public async ValueTask DisposeAsync()
    {
        await Task.WhenAll(_processes.Select(p => p.DisposeAsync().AsTask()));
        _processes.Clear();
    }

    protected ChildProcess Track(ChildProcess process)
    {
        _processes.Add(process);
        return process;
    }

    protected void ListenOn(int port) => BaseAddress = new Uri($"http://127.0.0.1:{port}/");

    /// <summary>Notes the processes below each of this topology's own, so that stopping it finds them even once orphaned.</summary>
    protected void RememberDescendants()
    {
        foreach (var process in _processes)
        {
            process.RememberDescendants();
        }
    }
}
