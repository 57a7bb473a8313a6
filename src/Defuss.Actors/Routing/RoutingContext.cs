namespace Defuss.Actors.Routing;

/// <summary>What a delegate routing strategy sees of one new connection.</summary>
/// <param name="Request">The connection's parsed request head.</param>
/// <param name="Candidates">The ready, healthy workers, ordered by index; never empty.</param>
/// <param name="ConnectionNumber">The number of this connection at the router, counting from 1.</param>
public sealed record RoutingContext(ParsedRequest Request, IReadOnlyList<BackendCandidate> Candidates, long ConnectionNumber);
