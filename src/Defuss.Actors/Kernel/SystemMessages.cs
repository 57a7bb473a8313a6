namespace Defuss.Actors;

/// <summary>Messages between cells that manage the hierarchy; they overtake user messages.</summary>
internal abstract record SystemMessage;

internal sealed record Terminate : SystemMessage
{
    internal static Terminate Instance { get; } = new();
}

internal sealed record Failed(ActorCell Child, Exception Cause) : SystemMessage;

internal sealed record Resume : SystemMessage
{
    internal static Resume Instance { get; } = new();
}

internal sealed record Restart(Exception Cause) : SystemMessage;

internal sealed record ChildTerminated(ActorCell Child) : SystemMessage;

internal sealed record DeathWatchNotification(IActorRef Subject) : SystemMessage;

/// <summary>A user message and its sender, as they wait in a mailbox.</summary>
internal readonly record struct Envelope(object Message, IActorRef Sender);

/// <summary>Something that wants to hear once that an actor has stopped.</summary>
internal interface IWatcher
{
    void WatchedTerminated(IActorRef subject);
}

/// <summary>A reference that stands for a local actor (a test probe, for instance).</summary>
internal interface IHasLocalRef
{
    LocalActorRef LocalRef { get; }
}
