extern alias cli;

using System.Net.Sockets;
using cli::Defuss.Cli;
using Microsoft.AspNetCore.Builder;

namespace Defuss.Tests.TestSupport;

/// <summary>
/// Runs the <c>defuss</c> tool in process against primaries of the test's own: a fresh socket directory (the tool is
/// pointed at it through <see cref="CliEnvironment.AdminDirectory"/>, not the process-wide DEFUSS_ADMIN_DIR), a
/// <see cref="CliConsole"/>, and the fake admin servers started in it; disposing stops them and deletes the directory.
/// </summary>
internal sealed class CliHarness : IAsyncDisposable
{
    private readonly ShortTempDirectory _directory = new();
    private readonly List<FakeAdminServer> _servers = [];
    private readonly List<Socket> _stale = [];

    public CliConsole Console { get; }

    public string Directory => _directory.FullPath;

    /// <summary>The tool's environment: this directory, no environment variables, 50 ms refreshes.</summary>
    public CliEnvironment Environment { get; set; }

    /// <param name="consoleWidth">The console's columns; the default is wide enough for every column of every table.</param>
    public CliHarness(int consoleWidth = 200)
    {
        Console = new CliConsole(consoleWidth);
        Environment = new CliEnvironment
        {
            AdminDirectory = _directory.FullPath,
            GetVariable = _ => null,
            RefreshInterval = TimeSpan.FromMilliseconds(50),
        };
    }

    public string SocketOf(int pid) => _directory.PathOf($"primary-{pid}.sock");

    /// <summary>Starts a fake primary whose admin socket says it is <paramref name="pid"/>.</summary>
    public async Task<FakeAdminServer> StartPrimaryAsync(int pid, Action<WebApplication> map)
    {
        var server = await FakeAdminServer.StartUnixAsync(SocketOf(pid), map);
        _servers.Add(server);
        return server;
    }

    /// <summary>Starts a fake <c>--admin</c> endpoint on loopback TCP.</summary>
    public async Task<FakeAdminServer> StartTcpAsync(Action<WebApplication> map)
    {
        var server = await FakeAdminServer.StartTcpAsync(map);
        _servers.Add(server);
        return server;
    }

    /// <summary>
    /// Leaves the socket file of a primary that has ended: bound, never listened on, so connecting is refused. The
    /// socket stays open until dispose, because closing it would delete the file.
    /// </summary>
    public string LeaveStaleSocket(int pid)
    {
        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        _stale.Add(socket);
        socket.Bind(new UnixDomainSocketEndPoint(SocketOf(pid)));
        return SocketOf(pid);
    }

    /// <summary>Starts the tool; the caller awaits it with a timeout.</summary>
    public Task<int> StartAsync(CancellationToken cancellationToken, params string[] args) =>
        DefussCli.RunAsync(args, Console, Environment, cancellationToken);

    /// <summary>Runs the tool to its end (within <see cref="TestTimeouts.Default"/>) and answers its exit code.</summary>
    public Task<int> RunAsync(params string[] args) => StartAsync(CancellationToken.None, args).WaitAsync(TestTimeouts.Default);

    public async ValueTask DisposeAsync()
    {
        foreach (var server in _servers)
        {
            await server.DisposeAsync();
        }

        foreach (var socket in _stale)
        {
            socket.Dispose();
        }

        Console.Dispose();
        _directory.Dispose();
    }
}
