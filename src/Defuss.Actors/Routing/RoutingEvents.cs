namespace Defuss.Actors.Routing;

/// <summary>How a routing strategy failed for one connection.</summary>
public enum RoutingFailureKind
{
    /// <summary>The strategy threw.</summary>
    Threw,

    /// <summary>A delegate strategy did not answer within its routing timeout.</summary>
    TimedOut,

    /// <summary>The strategy chose a backend that is not one of the candidates.</summary>
    Invalid,
}

/// <summary>
/// Router <paramref name="Router"/>'s strategy failed for one connection (<paramref name="Kind"/>), which was routed round
/// robin instead. The router tells it to <see cref="RoutingSettings.Events"/>; the host counts it.
/// </summary>
public sealed record RoutingStrategyFailed(string Router, RoutingFailureKind Kind);

/// <summary>The router left backend <paramref name="Id"/> out of routing for its ejection period; told to the events actor, which counts it.</summary>
internal sealed record BackendEjected(string Id, string Reason);
