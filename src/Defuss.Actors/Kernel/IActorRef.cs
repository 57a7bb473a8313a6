namespace Defuss.Actors;

/// <summary>A handle to an actor: the only way to talk to it.</summary>
public interface IActorRef
{
    /// <summary>Where the actor lives in its system.</summary>
    ActorPath Path { get; }

    /// <summary>
    /// Enqueues <paramref name="message"/> for the actor and returns at once. Without a
    /// <paramref name="sender"/>, the sender is the actor whose handler is running (or <see cref="ActorRefs.Nobody"/>).
    /// </summary>
    void Tell(object message, IActorRef? sender = null);
}

/// <summary>Well-known references.</summary>
public static class ActorRefs
{
    /// <summary>The sender of a message sent from outside any actor; messages to it are dropped.</summary>
    public static IActorRef Nobody { get; } = new NobodyRef();

    private sealed class NobodyRef : IActorRef
    {
        public ActorPath Path { get; } = ActorPath.Root.Child("nobody");

        public void Tell(object message, IActorRef? sender = null)
        {
        }

        public override string ToString() => "[nobody]";
    }
}

/// <summary>The reference to an actor that runs in this process. One per actor, kept across restarts.</summary>
internal sealed class LocalActorRef : IActorRef
{
    internal LocalActorRef(ActorCell cell) => Cell = cell;

    internal ActorCell Cell { get; }

    public ActorPath Path => Cell.Path;

    public void Tell(object message, IActorRef? sender = null)
    {
        ArgumentNullException.ThrowIfNull(message);
        Cell.Post(message, sender ?? ActorCell.CurrentSelf ?? ActorRefs.Nobody);
    }

    public override string ToString() => "[" + Path + "]";
}
