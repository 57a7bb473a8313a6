using Defuss.Bench.Load.Processes;

namespace Defuss.Bench.Load.Topologies;

/// <summary>The programs outside .NET that the load benchmark drives or compares with; null where one is not installed.</summary>
/// <param name="Wrk">wrk, the HTTP load generator.</param>
/// <param name="Nginx">nginx.</param>
/// <param name="NginxStream">How nginx gets its stream (TCP) module: <c>load_module</c> and a path, "" when built in, null when it has none.</param>
/// <param name="Haproxy">HAProxy.</param>
/// <param name="Node">Node.js.</param>
/// <param name="NodeMajorVersion">Node's major version, 0 when unknown.</param>
/// <param name="Npm">npm, which installs the Node anchor's packages.</param>
internal sealed record Tools(string? Wrk, string? Nginx, string? NginxStream, string? Haproxy, string? Node, int NodeMajorVersion, string? Npm)
{
    /// <summary>Where distributions put nginx's dynamic stream module.</summary>
    private static readonly string[] StreamModules =
    [
        "/usr/lib/nginx/modules/ngx_stream_module.so",
        "/usr/lib64/nginx/modules/ngx_stream_module.so",
        "/usr/share/nginx/modules/ngx_stream_module.so",
        "/usr/local/nginx/modules/ngx_stream_module.so",
    ];

    /// <summary>Directories searched after PATH: nginx and HAProxy live in sbin, which a user's PATH may lack.</summary>
    private static readonly string[] SystemDirectories = ["/usr/local/sbin", "/usr/sbin", "/sbin"];

    private static readonly TimeSpan VersionTimeout = TimeSpan.FromSeconds(10);

    /// <summary>Looks every tool up (and asks nginx and Node for their build and version).</summary>
    public static async Task<Tools> FindAsync(CancellationToken cancellationToken)
    {
        var nginx = Which("nginx");
        var node = Which("node");
        return new Tools(
            Wrk: Which("wrk"),
            Nginx: nginx,
            NginxStream: nginx is null ? null : await NginxStreamAsync(nginx, cancellationToken),
            Haproxy: Which("haproxy"),
            Node: node,
            NodeMajorVersion: node is null ? 0 : await NodeMajorAsync(node, cancellationToken),
            Npm: Which("npm"));
    }

    /// <summary>The first executable file called <paramref name="name"/> on PATH or in the system directories.</summary>
    public static string? Which(string name) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Concat(SystemDirectories)
            .Select(directory => Path.Combine(directory, name))
            .FirstOrDefault(IsExecutable);

    /// <summary>Reads <c>node --version</c> (<c>v20.11.1</c>).</summary>
    internal static int ParseNodeMajor(string version)
    {
        var text = version.Trim().TrimStart('v');
        var dot = text.IndexOf('.', StringComparison.Ordinal);
        return int.TryParse(dot < 0 ? text : text[..dot], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var major) ? major : 0;
    }

    /// <summary>Reads <c>nginx -V</c>: whether the stream module is compiled in (rather than dynamic, or absent).</summary>
    internal static bool HasBuiltInStream(string configureArguments) =>
        configureArguments.Split(' ', StringSplitOptions.RemoveEmptyEntries).Contains("--with-stream");

    private static async Task<string?> NginxStreamAsync(string nginx, CancellationToken cancellationToken)
    {
        if (StreamModules.FirstOrDefault(File.Exists) is { } module)
        {
            return module;
        }

        try
        {
            var (_, output) = await ChildProcess.RunAsync("nginx -V", nginx, ["-V"], VersionTimeout, cancellationToken);
            return HasBuiltInStream(output) ? "" : null;
        }
        catch (Exception exception) when (exception is TimeoutException or System.ComponentModel.Win32Exception)
        {
            return null;
        }
    }

    private static async Task<int> NodeMajorAsync(string node, CancellationToken cancellationToken)
    {
        try
        {
            var (exitCode, output) = await ChildProcess.RunAsync("node --version", node, ["--version"], VersionTimeout, cancellationToken);
            return exitCode == 0 ? ParseNodeMajor(output) : 0;
        }
        catch (Exception exception) when (exception is TimeoutException or System.ComponentModel.Win32Exception)
        {
            return 0;
        }
    }

    private static bool IsExecutable(string path) =>
        File.Exists(path) && (OperatingSystem.IsWindows()
            || (File.GetUnixFileMode(path) & (UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute)) != 0);
}
