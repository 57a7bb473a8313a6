using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;

namespace Defuss.Worker.Runtime;

/// <summary>
/// A worker's Kestrel, with a list of server addresses of its own that stays empty. The host writes the app's configured
/// URLs into that list and logs "Now listening on" for each address in it; a worker serves only the private endpoint the
/// primary gave it, so there is no URL to bind there, nothing to override, and nothing for the operator to call: the
/// primary logs the public URLs once.
/// </summary>
internal sealed class WorkerServer(IServer kestrel) : IServer
{
    private readonly FeatureCollection _features = Features(kestrel);

    /// <summary>The Kestrel behind it, with the addresses it bound.</summary>
    public IServer Kestrel => kestrel;

    IFeatureCollection IServer.Features => _features;

    public Task StartAsync<TContext>(IHttpApplication<TContext> application, CancellationToken cancellationToken)
        where TContext : notnull =>
        kestrel.StartAsync(application, cancellationToken);

    public Task StopAsync(CancellationToken cancellationToken) => kestrel.StopAsync(cancellationToken);

    public void Dispose() => kestrel.Dispose();

    private static FeatureCollection Features(IServer kestrel)
    {
        var features = new FeatureCollection(kestrel.Features);
        features.Set<IServerAddressesFeature>(new ServerAddressesFeature());
        return features;
    }
}
