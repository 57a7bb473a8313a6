using Akka.Actor;

namespace Defuss.Samples.Showcase.Routing;

/// <summary>Reads <c>Showcase:Router</c>: which router actor of the Showcase's own, if any, replaces <c>Defuss:LoadBalancer</c>.</summary>
internal static class ShowcaseRouting
{
    /// <summary>The setting: unset (the default) routes with <c>Defuss:LoadBalancer</c>.</summary>
    public const string RouterSetting = "Showcase:Router";

    /// <summary>The value that selects <see cref="StickySessionRouter"/> (case-insensitive).</summary>
    public const string Sticky = "Sticky";

    /// <summary>The router that <see cref="RouterSetting"/> names, or <c>null</c> when it is unset.</summary>
    /// <exception cref="InvalidOperationException">The setting names no router of the Showcase.</exception>
    public static Props? RouterFrom(IConfiguration configuration) => configuration[RouterSetting] switch
    {
        null or "" => null,
        var name when name.Equals(Sticky, StringComparison.OrdinalIgnoreCase) => Props.Create<StickySessionRouter>(),
        var name => throw new InvalidOperationException(
            $"{RouterSetting} = '{name}' is invalid: expected '{Sticky}', or no value to route with Defuss:LoadBalancer."),
    };
}
