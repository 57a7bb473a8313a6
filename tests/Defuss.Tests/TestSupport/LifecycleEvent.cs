namespace Defuss.Tests.TestSupport;

/// <summary>The lifecycle hooks of an actor.</summary>
internal enum Hook
{
    PreStart,
    PostStop,
    PreRestart,
    PostRestart,
}

/// <summary>A hook that ran on incarnation <paramref name="Incarnation"/> (1 for the first instance) of the actor named <paramref name="Actor"/>.</summary>
internal sealed record LifecycleEvent(string Actor, Hook Hook, int Incarnation)
{
    /// <summary>The cause of a restart (<see cref="Hook.PreRestart"/> and <see cref="Hook.PostRestart"/> only).</summary>
    public Exception? Reason { get; init; }

    /// <summary>The message being handled when the actor failed (<see cref="Hook.PreRestart"/> only).</summary>
    public object? Message { get; init; }

    /// <summary>Whether this is <paramref name="hook"/> of incarnation <paramref name="incarnation"/> of <paramref name="actor"/>.</summary>
    public bool Is(string actor, Hook hook, int incarnation) => Actor == actor && Hook == hook && Incarnation == incarnation;
}
