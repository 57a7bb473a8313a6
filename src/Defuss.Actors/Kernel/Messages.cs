namespace Defuss.Actors;

/// <summary>Stops the actor that receives it, after the messages enqueued before it.</summary>
public sealed class PoisonPill
{
    private PoisonPill()
    {
    }

    /// <summary>The one instance.</summary>
    public static PoisonPill Instance { get; } = new();
}

/// <summary>Delivered to each watcher, exactly once, when a watched actor has stopped.</summary>
public sealed record Terminated(IActorRef ActorRef);

/// <summary>Replies that carry the outcome of an operation; an <c>Ask</c> that receives a <see cref="Failure"/> fails with its cause.</summary>
public static class Status
{
    /// <summary>The operation succeeded.</summary>
    public sealed record Success(object? Value);

    /// <summary>The operation failed with <paramref name="Cause"/>.</summary>
    public sealed record Failure(Exception Cause);
}
