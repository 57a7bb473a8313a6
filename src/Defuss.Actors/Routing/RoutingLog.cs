using Microsoft.Extensions.Logging;

namespace Defuss.Actors.Routing;

/// <summary>The routers' log messages; event ids are listed in <see cref="ActorsEventIds"/>.</summary>
internal static partial class RoutingLog
{
    [LoggerMessage(EventId = ActorsEventIds.RoutingStrategyFailed, Level = LogLevel.Warning, Message = "Routing strategy {Router} threw; the connection is routed round robin")]
    public static partial void StrategyFailed(ILogger logger, string router, Exception exception);

    [LoggerMessage(EventId = ActorsEventIds.RoutingStrategyChoseUnknown, Level = LogLevel.Warning, Message = "Routing strategy {Router} chose a backend that is not a candidate; the connection is routed round robin")]
    public static partial void StrategyChoseUnknown(ILogger logger, string router);

    [LoggerMessage(EventId = ActorsEventIds.RoutingStrategyTimedOut, Level = LogLevel.Warning, Message = "Routing strategy {Router} did not answer within the routing timeout; the connection is routed round robin")]
    public static partial void StrategyTimedOut(ILogger logger, string router);

    [LoggerMessage(EventId = ActorsEventIds.BackendEjected, Level = LogLevel.Warning, Message = "{Backend} could not be reached ({Reason}); it is left out of routing for {EjectionMs} ms")]
    public static partial void BackendEjected(ILogger logger, string backend, string reason, long ejectionMs);

    [LoggerMessage(EventId = ActorsEventIds.RoutingPanic, Level = LogLevel.Warning, Message = "Every ready worker is ejected; routing to all of them rather than refusing every connection")]
    public static partial void Panic(ILogger logger);
}
