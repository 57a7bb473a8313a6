namespace Defuss.Actors;

/// <summary>What an actor can see and do about itself: its place in the hierarchy, its children and its watches.</summary>
public interface IActorContext
{
    /// <summary>This actor's reference.</summary>
    IActorRef Self { get; }

    /// <summary>The sender of the message being handled.</summary>
    IActorRef Sender { get; }

    /// <summary>The supervisor of this actor.</summary>
    IActorRef Parent { get; }

    /// <summary>The children that have not stopped yet.</summary>
    IReadOnlyCollection<IActorRef> Children { get; }

    /// <summary>The system this actor belongs to.</summary>
    ActorSystem System { get; }

    /// <summary>Starts a child actor; without a name, one is generated.</summary>
    IActorRef ActorOf(Props props, string? name = null);

    /// <summary>The child with this name, or <c>null</c>.</summary>
    IActorRef? Child(string name);

    /// <summary>Stops this actor or one of its children (after the message being handled).</summary>
    void Stop(IActorRef actor);

    /// <summary>Delivers one <see cref="Terminated"/> when <paramref name="subject"/> stops, at once if it already has.</summary>
    IActorRef Watch(IActorRef subject);

    /// <summary>Stops watching <paramref name="subject"/>; a <see cref="Terminated"/> not yet handled is dropped.</summary>
    IActorRef Unwatch(IActorRef subject);
}
