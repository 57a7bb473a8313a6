using Defuss.Actors.Routing;

namespace Defuss.FrontDoor;

/// <summary>
/// The front door's one link to the control plane: it chooses a backend for each new connection (one routing ask),
/// and hears when a leased connection ends or a backend could not be reached.
/// </summary>
/// <remarks>
/// Every candidate <see cref="ChooseAsync"/> returns is a lease that the front door releases exactly once with
/// <see cref="Release"/>, also when connecting to it failed (then after <see cref="ReportConnectFailure"/>).
/// </remarks>
internal interface IBackendSelector
{
    /// <summary>A backend for this connection, or <c>null</c> when no worker can take it.</summary>
    ValueTask<BackendCandidate?> ChooseAsync(ParsedRequest request, CancellationToken cancellationToken);

    /// <summary>A connection leased to <paramref name="backend"/> has ended.</summary>
    void Release(BackendCandidate backend);

    /// <summary><paramref name="backend"/> refused the connection or failed before any byte reached it.</summary>
    void ReportConnectFailure(BackendCandidate backend, string reason);
}
