namespace Defuss.Actors.Routing;

/// <summary>The worker with the fewest active connections; ties go to the lowest index.</summary>
internal sealed class LeastConnectionsRouter : RouterActorBase
{
    protected override BackendCandidate? Choose(ParsedRequest request, IReadOnlyList<BackendCandidate> candidates)
    {
        var best = candidates[0];
        for (var i = 1; i < candidates.Count; i++)
        {
            if (candidates[i].ActiveConnections < best.ActiveConnections)
            {
                best = candidates[i];
            }
        }

        return best;
    }
}
