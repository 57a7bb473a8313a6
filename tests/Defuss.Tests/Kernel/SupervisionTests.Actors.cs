namespace Defuss.Tests.Kernel;

using Defuss.Actors;
using Defuss.Tests.TestSupport;

public sealed partial class SupervisionTests
{
    private sealed class Unbuildable : ReceiveActor
    {
        public Unbuildable() => throw new TestFailureException("no constructor for you");
    }

    /// <summary>Escalates every failure of its child, and keeps the child (and its name) across its own restarts.</summary>
    private sealed class KeepingSupervisor : ReceiveActor
    {
        public KeepingSupervisor(Props childProps)
        {
            var child = Context.Child("child") ?? Context.ActorOf(childProps, "child");
            Receive<GetChild>(_ => Sender.Tell(child));
        }

        protected override SupervisorStrategy SupervisorStrategy() => new OneForOneStrategy(_ => Directive.Escalate);

        protected override void PreRestart(Exception reason, object? message)
        {
        }
    }

    /// <summary>Watches its child <c>kid</c>; on its Terminated, stops it once more (it is already gone) and tells the monitor.</summary>
    private sealed class CarefulParent : ReceiveActor
    {
        private readonly IActorRef _monitor;

        public CarefulParent(IActorRef monitor, Counter kidIncarnations)
        {
            _monitor = monitor;
            var kid = Context.Watch(Context.ActorOf(LifecycleActor.Props("kid", monitor, kidIncarnations), "kid"));
            Receive<string>(s => s == "stop kid", _ => Context.Stop(kid));
            Receive<Terminated>(t =>
            {
                Context.Stop(t.ActorRef);
                monitor.Tell("kid gone");
            });
            Receive<Boom>(boom => throw new TestFailureException(boom.Reason));
        }

        protected override void PostRestart(Exception reason) => _monitor.Tell("parent restarted");
    }

    /// <summary>Starts a <see cref="LifecycleActor"/> named <c>kid</c> in its constructor; fails on <see cref="Boom"/>.</summary>
    private sealed class ParentWithKid : ReceiveActor
    {
        private readonly IActorRef _monitor;
        private readonly int _incarnation;

        public ParentWithKid(IActorRef monitor, Counter incarnations, Counter kidIncarnations)
        {
            _monitor = monitor;
            _incarnation = incarnations.Next();
            Context.ActorOf(LifecycleActor.Props("kid", monitor, kidIncarnations), "kid");
            Receive<Boom>(boom => throw new TestFailureException(boom.Reason));
            Receive<ListChildren>(_ => Sender.Tell(Context.Children.Select(c => c.Path.ToString()).ToArray()));
        }

        protected override void PreStart() => Report(Hook.PreStart);

        protected override void PostStop() => Report(Hook.PostStop);

        protected override void PreRestart(Exception reason, object? message)
        {
            Report(Hook.PreRestart);
            base.PreRestart(reason, message);
        }

        protected override void PostRestart(Exception reason)
        {
            Report(Hook.PostRestart);
            base.PostRestart(reason);
        }

        private void Report(Hook hook) => _monitor.Tell(new LifecycleEvent("parent", hook, _incarnation));

        public sealed record ListChildren
        {
            public static ListChildren Instance { get; } = new();
        }
    }
}
