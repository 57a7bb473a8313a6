namespace Defuss.Actors.Routing;

/// <summary>Asks the router for a backend for a new connection. Replied to with <see cref="BackendLease"/> or <see cref="NoBackend"/>.</summary>
internal sealed record ChooseBackend(ParsedRequest Request);

/// <summary>The router's choice; the front door releases it with <see cref="ReleaseBackend"/> when the connection ends.</summary>
internal sealed record BackendLease(BackendCandidate Backend);

/// <summary>No worker can take a connection now.</summary>
internal sealed record NoBackend
{
    private NoBackend()
    {
    }

    /// <summary>The one instance.</summary>
    public static NoBackend Instance { get; } = new();
}

/// <summary>A connection leased to backend <paramref name="Id"/> has ended.</summary>
internal sealed record ReleaseBackend(string Id);

/// <summary>The front door could not reach backend <paramref name="Id"/> (refused, or failed before any byte reached it).</summary>
internal sealed record BackendConnectFailed(string Id, string Reason);

/// <summary>A worker's state changed: added, or replaced by this newer view.</summary>
internal sealed record BackendUpdated(BackendCandidate Backend);

/// <summary>A worker is no longer routable (exited, draining, stopped).</summary>
internal sealed record BackendRemoved(string Id);

/// <summary>Asks a router for its <see cref="RouterStats"/>.</summary>
public sealed record GetRouterStats
{
    private GetRouterStats()
    {
    }

    /// <summary>The one instance.</summary>
    public static GetRouterStats Instance { get; } = new();
}

/// <summary>A router's counters: connections leased, and strategy failures routed round robin instead.</summary>
public sealed record RouterStats(long Leases, long StrategyFailures)
{
    /// <summary>Leases given and not yet released: the connections the router believes open, on any worker.</summary>
    public long OpenLeases { get; init; }
}

/// <summary>
/// The router's settings, told by the host right after it creates the router: a backend the front door could not reach
/// is left out of routing for <paramref name="EjectionPeriod"/> (zero: never), and each strategy failure is told to
/// <paramref name="Events"/> as a <see cref="RoutingStrategyFailed"/> (none: only logged and counted in <see cref="RouterStats"/>).
/// </summary>
internal sealed record RoutingSettings(TimeSpan EjectionPeriod, IActorRef? Events = null);
