using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Http.Features;

namespace Defuss.Hosting;

/// <summary>
/// The primary's <see cref="IServer"/>, in place of Kestrel: the primary serves no request itself (the front door takes
/// the public port and the workers run the app), but the host it runs still starts a server.
/// </summary>
internal sealed class PrimaryServer : IServer
{
    public IFeatureCollection Features { get; } = new FeatureCollection();

    public Task StartAsync<TContext>(IHttpApplication<TContext> application, CancellationToken cancellationToken)
        where TContext : notnull => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public void Dispose()
    {
    }
}
