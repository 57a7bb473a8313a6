namespace Defuss.Tests.TestSupport;

using Defuss.Actors;

/// <summary>
/// Starts one child named <c>child</c> from <c>childProps</c> and supervises it with <c>strategy</c>; answers
/// <see cref="GetChild"/> with the child. With a <c>monitor</c>, reports its own hooks as the actor <c>supervisor</c>.
/// </summary>
internal sealed class SupervisorActor : ReceiveActor
{
    private readonly SupervisorStrategy _strategy;
    private readonly IActorRef? _monitor;
    private readonly int _incarnation;

    public SupervisorActor(SupervisorStrategy strategy, Props childProps, IActorRef? monitor = null, Counter? incarnations = null)
    {
        _strategy = strategy;
        _monitor = monitor;
        _incarnation = incarnations?.Next() ?? 1;
        var child = Context.ActorOf(childProps, "child");
        Receive<GetChild>(_ => Sender.Tell(child));
    }

    protected override SupervisorStrategy SupervisorStrategy() => _strategy;

    protected override void PreStart() => _monitor?.Tell(new LifecycleEvent("supervisor", Hook.PreStart, _incarnation));

    protected override void PostStop() => _monitor?.Tell(new LifecycleEvent("supervisor", Hook.PostStop, _incarnation));

    protected override void PreRestart(Exception reason, object? message)
    {
        _monitor?.Tell(new LifecycleEvent("supervisor", Hook.PreRestart, _incarnation) { Reason = reason, Message = message });
        base.PreRestart(reason, message);
    }
}
