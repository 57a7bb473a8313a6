using System.Net;

namespace Defuss.FrontDoor;

/// <summary>The front door's settings, taken from <see cref="Hosting.DefussOptions"/>.</summary>
internal sealed record FrontDoorOptions
{
    /// <summary>Where the front door listens (port 0 picks a free one).</summary>
    public required IPEndPoint Endpoint { get; init; }

    /// <summary>How long to wait for a complete request head before routing without one.</summary>
    public TimeSpan RequestInspectionTimeout { get; init; } = TimeSpan.FromMilliseconds(10);

    /// <summary>The most bytes of a head to read for routing.</summary>
    public int MaxHeaderBytes { get; init; } = 16 * 1024;

    /// <summary>Whether a client's half-close is passed on while the response still flows.</summary>
    public bool AllowHalfOpen { get; init; } = true;

    /// <summary>How many backends to try for one connection when connecting fails (<c>Defuss:ConnectAttempts</c>).</summary>
    public int ConnectAttempts { get; init; } = 3;

    /// <summary>How long one connect to a backend may take.</summary>
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>The <c>Retry-After</c> seconds of the 503 sent when no backend is available.</summary>
    public int RetryAfterSeconds { get; init; } = 1;

    /// <summary>The most connections open at once; beyond it a new one gets a 503 (HTTP/1) or is closed at once.</summary>
    public int MaxConnections { get; init; } = int.MaxValue;

    /// <summary>A proxied connection with no byte either way for this long is closed; zero: never.</summary>
    public TimeSpan ProxyIdleTimeout { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>How long a proxied connection may stay half-closed (one side ended, the other not); zero: for ever.</summary>
    public TimeSpan HalfCloseTimeout { get; init; } = TimeSpan.FromSeconds(10);
}
