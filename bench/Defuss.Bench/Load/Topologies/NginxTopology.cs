using System.Text;
using Defuss.Bench.Load.Processes;

namespace Defuss.Bench.Load.Topologies;

/// <summary>nginx's stream (TCP) proxy with one worker process, round robin over one plain Showcase process per worker.</summary>
internal sealed class NginxTopology() : Topology(TopologyCatalog.Nginx)
{
    private ChildProcess? _nginx;

    public override async Task StartAsync(BenchEnvironment environment, CancellationToken cancellationToken)
    {
        var backends = await ShowcaseBackends.StartAsync(Name, environment.Workers, Track, cancellationToken);
        var port = FreePorts.Next();
        var directory = Directory.CreateDirectory(Path.Combine(environment.ScratchDirectory, "nginx")).FullName;
        var configuration = Path.Combine(directory, "nginx.conf");
        await File.WriteAllTextAsync(configuration, Configuration(directory, port, backends, environment.Tools.NginxStream!), cancellationToken);
        // -e: the error log from the first line on, before the configuration is read (the default path may not be writable).
        _nginx = Track(ChildProcess.Start("nginx", environment.Tools.Nginx!, ["-p", directory, "-c", configuration, "-e", Path.Combine(directory, "error.log")]));
        ListenOn(port);
        await HttpProbe.WaitForOkAsync(BaseAddress, _nginx, HttpProbe.StartTimeout, cancellationToken);
        RememberDescendants();
    }

    /// <summary>nginx's master and its worker process.</summary>
    public override IReadOnlyList<int> FrontPids() =>
        _nginx is null ? [] : [_nginx.Pid, .. ProcFs.ReadDescendants(_nginx.Pid).Select(s => s.Pid)];

    /// <param name="streamModule">The dynamic stream module's path, or "" when nginx has it built in.</param>
    internal static string Configuration(string directory, int port, IReadOnlyList<int> backends, string streamModule)
    {
        var text = new StringBuilder();
        if (streamModule.Length > 0)
        {
            text.Append("load_module ").Append(streamModule).Append(";\n");
        }

        text.Append("daemon off;\n");
        text.Append("worker_processes 1;\n");
        text.Append("pid ").Append(Path.Combine(directory, "nginx.pid")).Append(";\n");
        text.Append("error_log ").Append(Path.Combine(directory, "error.log")).Append(" warn;\n");
        text.Append("events { worker_connections 4096; }\n");
        text.Append("stream {\n");
        text.Append("  upstream showcase {\n");
        foreach (var backend in backends)
        {
            text.Append("    server 127.0.0.1:").Append(backend).Append(";\n");
        }

        text.Append("  }\n");
        text.Append("  server { listen 127.0.0.1:").Append(port).Append("; proxy_pass showcase; }\n");
        text.Append("}\n");
        return text.ToString();
    }
}
