namespace Defuss.Actors;

/// <summary>
/// The base of every actor. An actor handles one message at a time; its state needs no locks.
/// Instances are built by the system from <see cref="Props"/>, never with <c>new</c> by user code.
/// </summary>
public abstract class ActorBase
{
    private readonly ActorCell _cell;

    protected ActorBase()
    {
        _cell = ActorCell.Constructing
            ?? throw new InvalidOperationException(
                $"{GetType().Name} is an actor: create it with ActorOf(Props.Create(...)), not with 'new'.");
    }

    /// <summary>This actor's reference.</summary>
    protected IActorRef Self => _cell.Self;

    /// <summary>The sender of the message being handled.</summary>
    protected IActorRef Sender => _cell.Sender;

    /// <summary>This actor's context: parent, children, watches.</summary>
    protected IActorContext Context => _cell;

    /// <summary>Handles one message; returns <c>false</c> when the message is not handled.</summary>
    /// <remarks>A handler that returns a pending task holds the mailbox until the task completes.</remarks>
    internal abstract bool Dispatch(object message, out Task? pending);

    /// <summary>Called before the first message, and by the default <see cref="PostRestart"/>.</summary>
    protected virtual void PreStart()
    {
    }

    /// <summary>Called once after the actor has stopped (its children have stopped before).</summary>
    protected virtual void PostStop()
    {
    }

    /// <summary>
    /// Called on the failed instance before it is replaced. By default stops every child and calls <see cref="PostStop"/>.
    /// </summary>
    protected virtual void PreRestart(Exception reason, object? message)
    {
        foreach (var child in Context.Children)
        {
            Context.Stop(child);
        }

        PostStop();
    }

    /// <summary>Called on the new instance after a restart. By default calls <see cref="PreStart"/>.</summary>
    protected virtual void PostRestart(Exception reason) => PreStart();

    /// <summary>The strategy this actor applies to its failing children. Defaults to <see cref="SupervisorStrategy.DefaultStrategy"/>.</summary>
    protected virtual SupervisorStrategy SupervisorStrategy() => Actors.SupervisorStrategy.DefaultStrategy;

    /// <summary>Called for a message no handler accepted; logs it at debug level and counts it.</summary>
    protected virtual void Unhandled(object message) => _cell.System.PublishUnhandled(message, Sender, Self);

    internal void InvokeUnhandled(object message) => Unhandled(message);

    internal void InvokePreStart() => PreStart();

    internal void InvokePostStop() => PostStop();

    internal void InvokePreRestart(Exception reason, object? message) => PreRestart(reason, message);

    internal void InvokePostRestart(Exception reason) => PostRestart(reason);

    internal SupervisorStrategy InvokeSupervisorStrategy() => SupervisorStrategy();
}
