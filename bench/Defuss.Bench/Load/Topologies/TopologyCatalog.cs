namespace Defuss.Bench.Load.Topologies;

/// <summary>Every topology, in the order the benchmark runs and reports them, and what each needs.</summary>
internal static class TopologyCatalog
{
    public const string Plain = "plain";
    public const string Handoff = "handoff";
    public const string Proxy = "proxy";
    public const string Nginx = "nginx";
    public const string Haproxy = "haproxy";
    public const string Node = "node";

    /// <summary>The oldest Node that Express 5 runs on.</summary>
    public const int MinimumNodeMajor = 18;

    public static IReadOnlyList<string> All { get; } = [Plain, Handoff, Proxy, Nginx, Haproxy, Node];

    /// <summary>One line for a person, N standing for the workers.</summary>
    public static string Describe(string name, int workers) => name switch
    {
        Plain => "the Showcase as one plain Kestrel process, without Defuss (the baseline)",
        Handoff => $"Defuss, {workers} workers, Delivery=Handoff (the accepted socket is passed to the worker)",
        Proxy => $"Defuss, {workers} workers, Delivery=Proxy (the primary pumps the bytes)",
        Nginx => $"nginx stream (TCP) proxy, 1 worker process, round robin over {workers} plain Showcase processes",
        Haproxy => $"HAProxy, mode tcp, nbthread 1, round robin over {workers} plain Showcase processes",
        Node => $"Node's cluster, {workers} Express 5 workers (bench/anchors/node)",
        _ => throw new ArgumentOutOfRangeException(nameof(name), name, "no such topology"),
    };

    /// <summary>Why the topology cannot run here (with how to install what it lacks), or null when it can.</summary>
    public static string? SkipReason(string name, Tools tools) => name switch
    {
        Plain or Proxy => null,
        Handoff => OperatingSystem.IsLinux() ? null : "Delivery=Handoff runs on Linux only",
        Nginx when tools.Nginx is null => "not installed (apt-get install -y nginx libnginx-mod-stream)",
        Nginx when tools.NginxStream is null => "nginx has no stream module (apt-get install -y libnginx-mod-stream)",
        Nginx => null,
        Haproxy => tools.Haproxy is null ? "not installed (apt-get install -y haproxy)" : null,
        Node when tools.Node is null => "not installed (apt-get install -y nodejs npm)",
        Node when tools.NodeMajorVersion < MinimumNodeMajor => $"Node {tools.NodeMajorVersion} is too old: Express 5 needs Node {MinimumNodeMajor} or later",
        Node when tools.Npm is null && !NodeTopology.IsInstalled(BenchEnvironment.NodeAnchorDirectory) => "npm is not installed, and bench/anchors/node has no node_modules (apt-get install -y npm)",
        Node => null,
        _ => throw new ArgumentOutOfRangeException(nameof(name), name, "no such topology"),
    };

    public static Topology Create(string name) => name switch
    {
        Plain => new PlainTopology(),
        Handoff => new DefussTopology(Handoff, "Handoff"),
        Proxy => new DefussTopology(Proxy, "Proxy"),
        Nginx => new NginxTopology(),
        Haproxy => new HaproxyTopology(),
        Node => new NodeTopology(),
        _ => throw new ArgumentOutOfRangeException(nameof(name), name, "no such topology"),
    };
}
