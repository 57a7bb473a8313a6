using System.Net;
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

    /// <summary>
    /// Sets the pool to <paramref name="workers"/> workers: new ones start at the lowest free indexes, or the highest
    /// retire with a drain. Completes with the size once that many are Ready; throws <see cref="ArgumentOutOfRangeException"/>
    /// naming the bound it would break (an elastic pool's <c>MinWorkers</c>..<c>MaxWorkers</c>, else 1..1024).
    /// </summary>
    Task<int> ScaleAsync(int workers, CancellationToken cancellationToken = default);

    /// <summary>A snapshot of the primary and its workers: the same data as the admin endpoint's <c>/status</c>.</summary>
    DefussStatus GetStatus();

    /// <summary>The endpoints the front door listens on (with the real port when <c>Port</c> is 0); empty until it listens.</summary>
    IReadOnlyList<IPEndPoint> Endpoints { get; }

    /// <summary>Completes with <see cref="Endpoints"/> once the front door listens; fails if the primary stops before it does.</summary>
    Task<IReadOnlyList<IPEndPoint>> WhenListeningAsync(CancellationToken cancellationToken = default);

    /// <summary>
    /// Stops the primary, as SIGTERM does: <paramref name="graceful"/> drains (in-flight requests finish within
    /// <c>GracefulShutdownTimeout</c>); not graceful kills the workers at once, as a second SIGTERM does. Completes once the
    /// drain has ended; <c>RunDefussAsync</c> then returns.
    /// </summary>
    Task StopAsync(bool graceful = true, CancellationToken cancellationToken = default);
}
