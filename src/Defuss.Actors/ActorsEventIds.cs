namespace Defuss.Actors;

/// <summary>The stable event ids of every log message in Defuss.Actors (1000-1999).</summary>
internal static class ActorsEventIds
{
    // Supervision: 1000-1099
    public const int ChildFailed = 1000;
    public const int WorkerActorReplaced = 1001;
    public const int WorkerActorGivenUp = 1002;

    // Routing: 1200-1299
    public const int RoutingStrategyFailed = 1200;
    public const int RoutingStrategyChoseUnknown = 1201;
    public const int RoutingStrategyTimedOut = 1202;
    public const int BackendEjected = 1203;
    public const int RoutingPanic = 1204;
}
