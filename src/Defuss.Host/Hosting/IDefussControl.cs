using Defuss.Actors.Workers;

namespace Defuss.Hosting;

/// <summary>
/// Controls the running primary from the app's startup code: resolve it from <c>app.Services</c> (registered by
/// <c>AddDefuss</c>) before <c>RunDefussAsync</c>. In a worker process it is there too, but sees no events and
/// <see cref="RollingRestartAsync"/> throws: workers have no workers (check <see cref="IsPrimary"/>).
/// </summary>
public interface IDefussControl
{
    /// <summary>Whether this process is the primary (your app's endpoints run in the workers, never here).</summary>
    bool IsPrimary { get; }

    /// <summary>
    /// Every worker event (started, ready, stale, draining, exited, respawn scheduled, given up, replacing), as it happens.
    /// Observers run on Defuss's event actor: keep them quick, never block.
    /// </summary>
    IObservable<WorkerEvent> Events { get; }

    /// <summary>Replaces every worker, one at a time, each new one Ready before the old one drains (as SIGHUP does).</summary>
    /// <returns>How many workers were replaced.</returns>
    Task<int> RollingRestartAsync(CancellationToken cancellationToken = default);
}
