namespace Defuss.Actors;

/// <summary>An actor's constructor, <c>PreStart</c> or <c>PostRestart</c> threw. The default strategy stops such an actor.</summary>
public sealed class ActorInitializationException : Exception
{
    public ActorInitializationException(ActorPath path, Exception cause)
        : base($"Actor {path} failed to start: {cause.Message}", cause)
    {
        Path = path;
    }

    /// <summary>The actor that failed to start.</summary>
    public ActorPath Path { get; }
}

/// <summary>An actor name is empty, contains '/', starts with '$', or is already taken by a sibling.</summary>
public sealed class InvalidActorNameException(string message) : Exception(message);

/// <summary>An <c>Ask</c> got no reply within its timeout.</summary>
public sealed class AskTimeoutException(string message) : TimeoutException(message);

/// <summary>An <c>Ask</c>'s target stopped before it replied.</summary>
public sealed class AskTargetTerminatedException(string message) : Exception(message);
