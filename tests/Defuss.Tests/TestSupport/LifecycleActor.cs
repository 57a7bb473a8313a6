namespace Defuss.Tests.TestSupport;

using Defuss.Actors;

/// <summary>
/// Keeps a running total, fails on <see cref="Boom"/>, waits on <see cref="AwaitGate"/>, and tells
/// <c>monitor</c> a <see cref="LifecycleEvent"/> from every hook, numbering its instances with <c>incarnations</c>.
/// </summary>
internal sealed class LifecycleActor : ReceiveActor
{
    private readonly string _name;
    private readonly IActorRef _monitor;
    private readonly int _incarnation;
    private int _total;

    public LifecycleActor(string name, IActorRef monitor, Counter incarnations)
    {
        _name = name;
        _monitor = monitor;
        _incarnation = incarnations.Next();
        Receive<Add>(add => _total += add.Amount);
        Receive<GetTotal>(_ => Sender.Tell(new Total(_total, _incarnation)));
        Receive<Boom>(boom => throw new TestFailureException(boom.Reason));
        Receive<Ping>(_ => Sender.Tell(Pong.Instance));
        ReceiveAsync<AwaitGate>(async gate =>
        {
            Sender.Tell(GateEntered.Instance);
            await gate.Gate;
            if (gate.FailWith is not null)
            {
                throw new TestFailureException(gate.FailWith);
            }

            Sender.Tell(GateLeft.Instance);
        });
    }

    /// <summary>Props for a <see cref="LifecycleActor"/>; every instance the props build takes the next incarnation.</summary>
    public static Props Props(string name, IActorRef monitor, Counter incarnations) =>
        Actors.Props.Create(() => new LifecycleActor(name, monitor, incarnations));

    protected override void PreStart() => Report(Hook.PreStart);

    protected override void PostStop() => Report(Hook.PostStop);

    protected override void PreRestart(Exception reason, object? message)
    {
        _monitor.Tell(new LifecycleEvent(_name, Hook.PreRestart, _incarnation) { Reason = reason, Message = message });
        base.PreRestart(reason, message);
    }

    protected override void PostRestart(Exception reason)
    {
        _monitor.Tell(new LifecycleEvent(_name, Hook.PostRestart, _incarnation) { Reason = reason });
        base.PostRestart(reason);
    }

    private void Report(Hook hook) => _monitor.Tell(new LifecycleEvent(_name, hook, _incarnation));
}
