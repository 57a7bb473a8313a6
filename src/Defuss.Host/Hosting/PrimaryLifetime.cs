using Microsoft.Extensions.Hosting;

namespace Defuss.Hosting;

/// <summary>
/// The primary's host lifetime, in place of the console lifetime: it handles no signal, since the primary's own
/// handlers (<c>Defuss:InstallSignalHandlers</c>) lead the drain and only then stop the host.
/// </summary>
internal sealed class PrimaryLifetime : IHostLifetime
{
    public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
