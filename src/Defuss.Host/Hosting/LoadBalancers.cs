namespace Defuss.Hosting;

/// <summary>The names of the built-in routing strategies, as <c>Defuss:LoadBalancer</c> takes them.</summary>
public static class LoadBalancers
{
    /// <summary>Each ready worker in turn (the default).</summary>
    public const string RoundRobin = "RoundRobin";

    /// <summary>Every built-in name.</summary>
    public static IReadOnlyList<string> All { get; } = [RoundRobin];

    /// <summary>Whether <paramref name="name"/> names a built-in strategy (case-insensitive).</summary>
    public static bool IsKnown(string? name) => All.Contains(name ?? "", StringComparer.OrdinalIgnoreCase);
}
