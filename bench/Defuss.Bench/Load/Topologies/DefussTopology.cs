using Defuss.Bench.Load.Processes;

namespace Defuss.Bench.Load.Topologies;

/// <summary>The Showcase under Defuss: a primary and its workers, the connections delivered by handoff or by proxy.</summary>
internal sealed class DefussTopology(string name, string delivery) : Topology(name)
{
    private ChildProcess? _primary;

    public override async Task StartAsync(BenchEnvironment environment, CancellationToken cancellationToken)
    {
        var port = FreePorts.Next();
        _primary = Track(Showcase.StartPrimary($"{Name} primary", port, environment.Workers, delivery));
        ListenOn(port);
        await Showcase.WaitForPrimaryAsync(_primary, BaseAddress, environment.Workers, cancellationToken);
        RememberDescendants();
    }

    public override IReadOnlyList<int> FrontPids() => _primary is null ? [] : [_primary.Pid];
}
