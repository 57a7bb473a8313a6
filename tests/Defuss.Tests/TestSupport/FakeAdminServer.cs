using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Defuss.Tests.TestSupport;

/// <summary>
/// A small real Kestrel app that plays a primary's admin API for the <c>defuss</c> tool: on a Unix socket (as a local
/// primary's <c>primary-PID.sock</c>) or on loopback TCP (as an <c>--admin</c> endpoint). The test maps the routes.
/// </summary>
internal sealed class FakeAdminServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private int _disposed;

    private FakeAdminServer(WebApplication app, string address)
    {
        _app = app;
        Address = address;
    }

    /// <summary>The socket path, or the base URL (<c>http://127.0.0.1:PORT</c>).</summary>
    public string Address { get; }

    public static Task<FakeAdminServer> StartUnixAsync(string socketPath, Action<WebApplication> map) =>
        StartAsync(kestrel => kestrel.ListenUnixSocket(socketPath), map, _ => socketPath);

    public static Task<FakeAdminServer> StartTcpAsync(Action<WebApplication> map) =>
        StartAsync(kestrel => kestrel.Listen(System.Net.IPAddress.Loopback, 0), map, app =>
            app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single());

    /// <summary>Stops the server (a primary going away); a second call does nothing.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        using var timeout = new CancellationTokenSource(TestTimeouts.Default);
        await _app.StopAsync(timeout.Token);
        await _app.DisposeAsync();
    }

    private static async Task<FakeAdminServer> StartAsync(
        Action<Microsoft.AspNetCore.Server.Kestrel.Core.KestrelServerOptions> listen, Action<WebApplication> map, Func<WebApplication, string> address)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(listen);
        var app = builder.Build();
        map(app);
        await app.StartAsync().WaitAsync(TestTimeouts.Default);
        return new FakeAdminServer(app, address(app));
    }
}
