namespace Defuss.Tests.Kernel;

using Defuss.Actors;
using Defuss.Tests.TestSupport;

public sealed partial class ActorCellTests
{
    /// <summary>Counts with a read, a yield and a write: without one-at-a-time handling, increments get lost.</summary>
    private sealed class YieldingCounter : ReceiveActor
    {
        private int _count;
        private int _inside;
        private int _overlaps;

        public YieldingCounter()
        {
            ReceiveAsync<Increment>(async _ =>
            {
                if (Interlocked.Increment(ref _inside) > 1)
                {
                    Interlocked.Increment(ref _overlaps);
                }

                var before = _count;
                await Task.Yield();
                _count = before + 1;
                Interlocked.Decrement(ref _inside);
            });
            Receive<Get>(_ => Sender.Tell(new Result(_count, Volatile.Read(ref _overlaps))));
        }

        public sealed record Increment
        {
            public static Increment Instance { get; } = new();
        }

        public sealed record Get
        {
            public static Get Instance { get; } = new();
        }

        public sealed record Result(int Count, int Overlaps);
    }

    /// <summary>Keeps a child named <c>worker</c>: when it stops, starts a new one with the same name in the Terminated handler.</summary>
    private sealed class Recreator : ReceiveActor
    {
        public Recreator(IActorRef probe)
        {
            Context.Watch(Context.ActorOf(Props.Create<EchoActor>(), "worker"));
            Receive<KillWorker>(_ => Context.Child("worker")!.Tell(PoisonPill.Instance));
            Receive<Terminated>(_ =>
            {
                try
                {
                    Context.Watch(Context.ActorOf(Props.Create<EchoActor>(), "worker"));
                    probe.Tell("recreated");
                }
                catch (InvalidActorNameException exception)
                {
                    probe.Tell(exception.Message);
                }
            });
        }

        public sealed record KillWorker
        {
            public static KillWorker Instance { get; } = new();
        }
    }

    private sealed class SequenceRecorder : ReceiveActor
    {
        private readonly List<int>[] _seen = [[], []];

        public SequenceRecorder()
        {
            Receive<Numbered>(n => _seen[n.Sender].Add(n.Sequence));
            Receive<Get>(_ => Sender.Tell(_seen.Select(s => s.ToArray()).ToArray()));
        }

        public sealed record Numbered(int Sender, int Sequence);

        public sealed record Get
        {
            public static Get Instance { get; } = new();
        }
    }

    private sealed class ImplicitSender : ReceiveActor
    {
        private readonly IActorRef _probe;

        public ImplicitSender(IActorRef probe)
        {
            _probe = probe;
            Receive<string>(s => probe.Tell(s));
            ReceiveAsync<AwaitGate>(async gate =>
            {
                probe.Tell("before-await");
                await gate.Gate;
                probe.Tell("after-await");
            });
        }

        protected override void PreStart() => _probe.Tell("started");
    }

    private sealed class Parent : ReceiveActor
    {
        public Parent()
        {
            Receive<Create>(create =>
            {
                try
                {
                    Sender.Tell(Context.ActorOf(Props.Create<EchoActor>(), create.Name));
                }
                catch (InvalidActorNameException exception)
                {
                    Sender.Tell(new Status.Failure(exception));
                }
            });
            Receive<Find>(find => Sender.Tell(new Found(Context.Child(find.Name))));
            Receive<ListChildren>(_ => Sender.Tell(Context.Children.Select(c => c.Path.ToString()).ToArray()));
            Receive<StopChild>(stop => Context.Stop(Context.Child(stop.Name)!));
            Receive<StopSelfThenReply>(stop =>
            {
                Context.Stop(Self);
                Sender.Tell(stop.Reply);
            });
            Receive<StopOther>(stop =>
            {
                try
                {
                    Context.Stop(stop.Target);
                    Sender.Tell("stopped");
                }
                catch (InvalidOperationException exception)
                {
                    Sender.Tell(exception.Message);
                }
            });
        }

        public sealed record Create(string? Name);

        public sealed record Find(string Name);

        public sealed record Found(IActorRef? Child);

        public sealed record StopChild(string Name);

        public sealed record StopSelfThenReply(string Reply);

        public sealed record StopOther(IActorRef Target);

        public sealed record ListChildren
        {
            public static ListChildren Instance { get; } = new();
        }
    }
}
