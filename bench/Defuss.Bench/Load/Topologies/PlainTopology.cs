using Defuss.Bench.Load.Processes;

namespace Defuss.Bench.Load.Topologies;

/// <summary>The Showcase as one plain Kestrel process, without Defuss: the baseline.</summary>
internal sealed class PlainTopology() : Topology(TopologyCatalog.Plain)
{
    public override async Task StartAsync(BenchEnvironment environment, CancellationToken cancellationToken)
    {
        var port = FreePorts.Next();
        var process = Track(Showcase.StartPlain("plain Showcase", port));
        ListenOn(port);
        await HttpProbe.WaitForOkAsync(BaseAddress, process, HttpProbe.StartTimeout, cancellationToken);
    }
}
