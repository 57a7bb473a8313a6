namespace Defuss.Actors.Routing;

/// <summary>
/// The worker that owns the request's key on a <see cref="HashRing"/>, so that a session sticks to one worker while the
/// set of workers is stable; a request without the key goes round robin.
/// </summary>
internal sealed class ConsistentHashRouter(RoutingKey key) : RouterActorBase
{
    private string[] _ringIds = [];
    private HashRing _ring = new([]);
    private long _next;

    protected override BackendCandidate? Choose(ParsedRequest request, IReadOnlyList<BackendCandidate> candidates)
    {
        if (key.From(request) is not { } value)
        {
            return candidates[(int)(_next++ % candidates.Count)];
        }

        if (!candidates.Select(c => c.Id).SequenceEqual(_ringIds))
        {
            _ringIds = candidates.Select(c => c.Id).ToArray();
            _ring = new HashRing(_ringIds);
        }

        return candidates[_ring.OwnerOf(value)];
    }
}
