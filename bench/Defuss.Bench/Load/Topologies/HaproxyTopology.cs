using System.Text;
using Defuss.Bench.Load.Processes;

namespace Defuss.Bench.Load.Topologies;

/// <summary>HAProxy in <c>mode tcp</c> with one thread, round robin over one plain Showcase process per worker.</summary>
internal sealed class HaproxyTopology() : Topology(TopologyCatalog.Haproxy)
{
    private ChildProcess? _haproxy;

    public override async Task StartAsync(BenchEnvironment environment, CancellationToken cancellationToken)
    {
        var backends = await ShowcaseBackends.StartAsync(Name, environment.Workers, Track, cancellationToken);
        var port = FreePorts.Next();
        var configuration = Path.Combine(environment.ScratchDirectory, "haproxy.cfg");
        await File.WriteAllTextAsync(configuration, Configuration(port, backends), cancellationToken);
        // -db: in the foreground, as this process (no daemon, no master-worker).
        _haproxy = Track(ChildProcess.Start("haproxy", environment.Tools.Haproxy!, ["-db", "-f", configuration]));
        ListenOn(port);
        await HttpProbe.WaitForOkAsync(BaseAddress, _haproxy, HttpProbe.StartTimeout, cancellationToken);
    }

    public override IReadOnlyList<int> FrontPids() => _haproxy is null ? [] : [_haproxy.Pid];

    internal static string Configuration(int port, IReadOnlyList<int> backends)
    {
        var text = new StringBuilder();
        text.Append("global\n");
        text.Append("  nbthread 1\n");
        text.Append("  maxconn 4096\n");
        text.Append("defaults\n");
        text.Append("  mode tcp\n");
        text.Append("  timeout connect 5s\n");
        text.Append("  timeout client 60s\n");
        text.Append("  timeout server 60s\n");
        text.Append("frontend front\n");
        text.Append("  bind 127.0.0.1:").Append(port).Append('\n');
        text.Append("  default_backend showcase\n");
        text.Append("backend showcase\n");
        text.Append("  balance roundrobin\n");
        for (var i = 0; i < backends.Count; i++)
        {
            text.Append("  server s").Append(i).Append(" 127.0.0.1:").Append(backends[i]).Append('\n');
        }

        return text.ToString();
    }
}
