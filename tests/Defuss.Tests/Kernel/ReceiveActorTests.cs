namespace Defuss.Tests.Kernel;

using Defuss.Actors;
using Defuss.Actors.TestKit;
using Defuss.Tests.TestSupport;

public sealed class ReceiveActorTests : TestKit
{
    [Fact]
    public async Task Receive_MessageOfRegisteredType_InvokesItsHandler()
    {
        var probe = CreateTestProbe();
        var actor = Sys.ActorOf(Props.Create(() => new Ordered(probe)));

        actor.Tell(7);

        (await probe.ExpectMsgAsync<string>()).Should().Be("int:7");
    }

    [Fact]
    public async Task Receive_PredicateDoesNotHold_FallsThroughToTheNextHandler()
    {
        var probe = CreateTestProbe();
        var actor = Sys.ActorOf(Props.Create(() => new Ordered(probe)));

        actor.Tell("urgent:fire");
        actor.Tell("plain");

        (await probe.ExpectMsgAsync<string>()).Should().Be("urgent-handler:urgent:fire");
        (await probe.ExpectMsgAsync<string>()).Should().Be("string-handler:plain");
    }

    [Fact]
    public async Task Receive_SeveralHandlersMatch_FirstRegisteredWins()
    {
        var probe = CreateTestProbe();
        var actor = Sys.ActorOf(Props.Create(() => new Ordered(probe)));

        actor.Tell("anything");
        actor.Tell(new Derived());

        (await probe.ExpectMsgAsync<string>()).Should().Be("string-handler:anything");
        (await probe.ExpectMsgAsync<string>()).Should().Be("base-handler:Derived");
    }

    [Fact]
    public async Task ReceiveAny_NoEarlierHandlerMatches_HandlesTheMessage()
    {
        var probe = CreateTestProbe();
        var actor = Sys.ActorOf(Props.Create(() => new Ordered(probe)));

        actor.Tell(2.5);

        (await probe.ExpectMsgAsync<string>()).Should().Be("any:Double");
        Sys.UnhandledMessageCount.Should().Be(0);
    }

    [Fact]
    public async Task Become_NewHandlers_ReplaceTheOldOnes()
    {
        var probe = CreateTestProbe();
        var actor = Sys.ActorOf(Props.Create(() => new Switching(probe)));

        actor.Tell("hello");
        actor.Tell(1);
        actor.Tell("switch");
        actor.Tell("hello");
        actor.Tell(2);

        (await probe.ExpectMsgAsync<string>()).Should().Be("A:hello");
        (await probe.ExpectMsgAsync<string>()).Should().Be("A:int 1");
        (await probe.ExpectMsgAsync<string>()).Should().Be("B:hello");
        await probe.FlushAsync(actor);
        Sys.UnhandledMessageCount.Should().Be(1, "the int handler of the first behaviour is gone");
    }

    [Fact]
    public async Task Receive_NoHandlerMatches_IncrementsUnhandledMessageCount()
    {
        var probe = CreateTestProbe();
        var actor = Sys.ActorOf(Props.Create<PositiveOnly>());

        actor.Tell("not an int");
        actor.Tell(-1);
        actor.Tell(1);
        await probe.FlushAsync(actor);

        Sys.UnhandledMessageCount.Should().Be(2);
    }

    [Fact]
    public async Task UntypedActor_CallsUnhandled_IncrementsUnhandledMessageCount()
    {
        var probe = CreateTestProbe();
        var actor = Sys.ActorOf(Props.Create<Untyped>());

        actor.Tell(42);
        probe.Send(actor, "known");

        (await probe.ExpectMsgAsync<string>()).Should().Be("known!");
        Sys.UnhandledMessageCount.Should().Be(1);
    }

    [Fact]
    public async Task ReceiveAsync_PendingTask_HoldsTheMailboxUntilItCompletes()
    {
        var probe = CreateTestProbe();
        var actor = Sys.ActorOf(Props.Create(() => new Slow(probe)));
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        actor.Tell(new AwaitGate(gate.Task));
        (await probe.ExpectMsgAsync<string>()).Should().Be("first started");
        actor.Tell("second");
        await probe.ExpectNoMsgAsync(TestTimeouts.NoMessage);
        gate.SetResult();

        (await probe.ExpectMsgAsync<string>()).Should().Be("first finished");
        (await probe.ExpectMsgAsync<string>()).Should().Be("second (first running: False)");
    }

    [Fact]
    public async Task ReceiveAsync_WithPredicate_HandlesOnlyMatchingMessages()
    {
        var probe = CreateTestProbe();
        var actor = Sys.ActorOf(Props.Create(() => new Slow(probe)));

        actor.Tell(5);
        actor.Tell(-5);

        (await probe.ExpectMsgAsync<string>()).Should().Be("async positive 5");
        (await probe.ExpectMsgAsync<string>()).Should().Be("sync other -5");
    }

    [Fact]
    public async Task ReceiveAsync_HandlerFaultsAfterAwait_FailureGoesToTheSupervisor()
    {
        var probe = CreateTestProbe();
        var actor = Sys.ActorOf(LifecycleActor.Props("a", probe, new Counter()));
        await probe.ExpectHookAsync("a", Hook.PreStart, 1);
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        probe.Send(actor, new AwaitGate(gate.Task, FailWith: "after await"));
        await probe.ExpectMsgAsync<GateEntered>();

        gate.SetResult();

        var preRestart = await probe.ExpectHookAsync("a", Hook.PreRestart, 1);
        preRestart.Reason.Should().BeOfType<TestFailureException>().Which.Message.Should().Be("after await");
    }

    private class Base
    {
    }

    private sealed class Derived : Base
    {
    }

    private sealed class Ordered : ReceiveActor
    {
        public Ordered(IActorRef probe)
        {
            Receive<int>(i => probe.Tell("int:" + i));
            Receive<string>(s => s.StartsWith("urgent:", StringComparison.Ordinal), s => probe.Tell("urgent-handler:" + s));
            Receive<string>(s => probe.Tell("string-handler:" + s));
            Receive<string>(s => probe.Tell("shadowed-handler:" + s));
            Receive<Base>(b => probe.Tell("base-handler:" + b.GetType().Name));
            Receive<Derived>(_ => probe.Tell("derived-handler"));
            ReceiveAny(m => probe.Tell("any:" + m.GetType().Name));
        }
    }

    private sealed class Switching : ReceiveActor
    {
        public Switching(IActorRef probe)
        {
            Receive<Ping>(_ => Sender.Tell(Pong.Instance));
            Receive<string>(s => s == "switch", _ => Become(() =>
            {
                Receive<Ping>(_ => Sender.Tell(Pong.Instance));
                Receive<string>(s => probe.Tell("B:" + s));
            }));
            Receive<string>(s => probe.Tell("A:" + s));
            Receive<int>(i => probe.Tell("A:int " + i));
        }
    }

    private sealed class PositiveOnly : ReceiveActor
    {
        public PositiveOnly()
        {
            Receive<Ping>(_ => Sender.Tell(Pong.Instance));
            Receive<int>(i => i > 0, _ => { });
        }
    }

    private sealed class Untyped : UntypedActor
    {
        protected override void OnReceive(object message)
        {
            if (message is string s)
            {
                Sender.Tell(s + "!");
            }
            else
            {
                Unhandled(message);
            }
        }
    }

    private sealed class Slow : ReceiveActor
    {
        private bool _firstRunning;

        public Slow(IActorRef probe)
        {
            ReceiveAsync<AwaitGate>(async gate =>
            {
                _firstRunning = true;
                probe.Tell("first started");
                await gate.Gate;
                probe.Tell("first finished");
                _firstRunning = false;
            });
            ReceiveAsync<int>(
                async i =>
                {
                    await Task.Yield();
                    probe.Tell("async positive " + i);
                },
                i => i > 0);
            Receive<int>(i => probe.Tell("sync other " + i));
            Receive<string>(s => probe.Tell($"{s} (first running: {_firstRunning})"));
        }
    }
}
