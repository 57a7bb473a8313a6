namespace Defuss.Actors.Routing;

/// <summary>Each ready, healthy worker in turn, in index order (the default strategy).</summary>
internal sealed class RoundRobinRouter : RouterActorBase
{
    private long _next;

    protected override BackendCandidate? Choose(ParsedRequest request, IReadOnlyList<BackendCandidate> candidates) =>
        candidates[(int)(_next++ % candidates.Count)];
}
