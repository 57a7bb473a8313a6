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
}
