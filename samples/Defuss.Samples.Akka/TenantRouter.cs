using Defuss.Actors.Routing;

namespace Defuss.Samples.Akka;

/// <summary>
/// The app's router actor, in the primary: a connection whose request names a tenant (<c>X-Tenant</c>) pinned to a
/// worker goes to that worker while it is a candidate; everything else goes round robin. Akka's dependency injection
/// creates it, so it takes the app's <see cref="TenantPlacement"/>.
/// </summary>
public sealed class TenantRouter(TenantPlacement placement) : RouterActorBase
{
    private long _next;

    protected override BackendCandidate? Choose(ParsedRequest request, IReadOnlyList<BackendCandidate> candidates)
    {
        if (request.GetHeader("X-Tenant") is { Length: > 0 } tenant
            && placement.PinnedWorker(tenant) is { } index
            && candidates.FirstOrDefault(c => c.Index == index) is { } pinned)
        {
            return pinned;
        }

        return candidates[(int)(_next++ % candidates.Count)];
    }
}
