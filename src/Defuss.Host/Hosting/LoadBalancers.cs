using Akka.Actor;
using Akka.DependencyInjection;
using Defuss.Actors.Routing;

namespace Defuss.Hosting;

/// <summary>The names of the built-in routing strategies, as <c>Defuss:LoadBalancer</c> takes them (case-insensitive).</summary>
public static class LoadBalancers
{
    /// <summary>Each ready worker in turn (the default).</summary>
    public const string RoundRobin = "RoundRobin";

    /// <summary>The worker with the fewest active connections; ties go to the lowest index.</summary>
    public const string LeastConnections = "LeastConnections";

    /// <summary>The worker with the lowest score from its connections, CPU and GC heap use.</summary>
    public const string ResourceAware = "ResourceAware";

    /// <summary>The less busy of two workers picked at random.</summary>
    public const string PowerOfTwoChoices = "PowerOfTwoChoices";

    /// <summary>The worker that owns the request's key (<c>Defuss:ConsistentHashKey</c>) on a hash ring.</summary>
    public const string ConsistentHash = "ConsistentHash";

    /// <summary>Every built-in name.</summary>
    public static IReadOnlyList<string> All { get; } = [RoundRobin, LeastConnections, ResourceAware, PowerOfTwoChoices, ConsistentHash];

    /// <summary>Whether <paramref name="name"/> names a built-in strategy (case-insensitive).</summary>
    public static bool IsKnown(string? name) => All.Contains(name ?? "", StringComparer.OrdinalIgnoreCase);

    /// <summary>
    /// The router the options ask for: the custom one if set (a router type is created by <paramref name="resolver"/>,
    /// so its constructor may take the app's services), else the built-in named by <see cref="DefussOptions.LoadBalancer"/>.
    /// </summary>
    internal static Props PropsFor(DefussOptions options, Random random, IDependencyResolver? resolver)
    {
        if (options.CustomRouterType is { } routerType)
        {
            return resolver is null ? Props.Create(routerType) : resolver.Props(routerType);
        }

        if (options.CustomRouter is { } custom)
        {
            return custom;
        }

        var key = RoutingKey.TryParse(options.ConsistentHashKey, out var parsed) ? parsed : RoutingKey.ClientAddress;
        return options.LoadBalancer switch
        {
            _ when Is(options.LoadBalancer, LeastConnections) => Props.Create(() => new LeastConnectionsRouter()),
            _ when Is(options.LoadBalancer, ResourceAware) => Props.Create(() => new ResourceAwareRouter()),
            _ when Is(options.LoadBalancer, PowerOfTwoChoices) => Props.Create(() => new PowerOfTwoChoicesRouter(random)),
            _ when Is(options.LoadBalancer, ConsistentHash) => Props.Create(() => new ConsistentHashRouter(key)),
            _ => Props.Create(() => new RoundRobinRouter()),
        };
    }

    private static bool Is(string? name, string builtIn) => string.Equals(name, builtIn, StringComparison.OrdinalIgnoreCase);
}
