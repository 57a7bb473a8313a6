namespace Defuss.Tests.Kernel;

using Defuss.Actors;
using Defuss.Actors.TestKit;
using Defuss.Tests.TestSupport;

public sealed class DeathWatchTests : TestKit
{
    private readonly TestProbe _probe;

    public DeathWatchTests()
    {
        _probe = CreateTestProbe();
    }

    [Fact]
    public async Task Watch_SubjectStops_WatcherHandlesExactlyOneTerminated()
    {
        var subject = Sys.ActorOf(Props.Create<EchoActor>(), "subject");
        var watcher = Sys.ActorOf(Props.Create(() => new Watcher(_probe)));
        await WatchAsync(watcher, subject);

        Sys.Stop(subject);

        var terminated = await _probe.ExpectMsgAsync<Stopped>();
        terminated.ActorRef.Should().BeSameAs(subject);
        await _probe.FlushAsync(watcher);
    }

    [Fact]
    public async Task Watch_Twice_StillDeliversOneTerminated()
    {
        var subject = Sys.ActorOf(Props.Create<EchoActor>());
        var watcher = Sys.ActorOf(Props.Create(() => new Watcher(_probe)));
        await WatchAsync(watcher, subject);
        await WatchAsync(watcher, subject);

        Sys.Stop(subject);

        await _probe.ExpectMsgAsync<Stopped>();
        await _probe.FlushAsync(watcher);
    }

    [Fact]
    public async Task Watch_SubjectAlreadyStopped_DeliversOneTerminatedAtOnce()
    {
        var subject = Sys.ActorOf(Props.Create<EchoActor>());
        var watcher = Sys.ActorOf(Props.Create(() => new Watcher(_probe)));
        _probe.Watch(subject);
        Sys.Stop(subject);
        _probe.ExpectTerminated(subject);

        await WatchAsync(watcher, subject);

        (await _probe.ExpectMsgAsync<Stopped>()).ActorRef.Should().BeSameAs(subject);
        await _probe.FlushAsync(watcher);
    }

    [Fact]
    public async Task Watch_ByAProbeTwice_OneTerminated()
    {
        var subject = Sys.ActorOf(Props.Create<EchoActor>());
        _probe.Watch(subject);
        _probe.Watch(subject);

        Sys.Stop(subject);

        _probe.ExpectTerminated(subject);
        _probe.Tell("marker");
        (await _probe.ExpectMsgAsync<string>()).Should().Be("marker");
    }

    [Fact]
    public async Task Watch_AfterTheTerminatedWasQueuedButNotHandled_StillOneTerminated()
    {
        var subject = Sys.ActorOf(Props.Create<EchoActor>());
        var watcher = Sys.ActorOf(Props.Create(() => new Watcher(_probe)));
        await WatchAsync(watcher, subject);
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _probe.Send(watcher, new AwaitGate(gate.Task));
        await _probe.ExpectMsgAsync<GateEntered>();
        _probe.Watch(subject);
        Sys.Stop(subject);
        _probe.ExpectTerminated(subject);
        _probe.Send(watcher, new WatchIt(subject));

        gate.SetResult();

        await _probe.ExpectMsgAsync<Watching>();
        await _probe.ExpectMsgAsync<Stopped>();
        await _probe.FlushAsync(watcher);
    }

    [Fact]
    public async Task Unwatch_BeforeTheSubjectStops_NoTerminated()
    {
        var subject = Sys.ActorOf(Props.Create<EchoActor>());
        var watcher = Sys.ActorOf(Props.Create(() => new Watcher(_probe)));
        var observer = CreateTestProbe();
        await WatchAsync(watcher, subject);
        _probe.Send(watcher, new UnwatchIt(subject));
        await _probe.ExpectMsgAsync<Unwatched>();
        observer.Watch(subject);

        Sys.Stop(subject);
        observer.ExpectTerminated(subject);

        await _probe.ExpectNoMsgAsync(TestTimeouts.NoMessage);
        await _probe.FlushAsync(watcher);
    }

    [Fact]
    public async Task Unwatch_ByAProbe_NoTerminated()
    {
        var subject = Sys.ActorOf(Props.Create<EchoActor>());
        var observer = CreateTestProbe();
        _probe.Watch(subject);
        _probe.Unwatch(subject);
        observer.Watch(subject);

        Sys.Stop(subject);
        observer.ExpectTerminated(subject);

        await _probe.ExpectNoMsgAsync(TestTimeouts.NoMessage);
    }

    [Fact]
    public async Task Watch_SubjectTellsBeforeStopping_TerminatedComesAfterItsLastMessages()
    {
        var watcher = Sys.ActorOf(Props.Create(() => new Watcher(_probe)));
        var subject = Sys.ActorOf(Props.Create(() => new LastWords(watcher)));
        await WatchAsync(watcher, subject);

        subject.Tell(PoisonPill.Instance);

        (await _probe.ExpectMsgAsync<string>()).Should().Be("last words");
        await _probe.ExpectMsgAsync<Stopped>();
    }

    [Fact]
    public async Task Watch_Child_TerminatedArrivesWhenTheChildStops()
    {
        var parent = Sys.ActorOf(Props.Create(() => new WatchingParent(_probe)));

        parent.Tell("stop the child");

        (await _probe.ExpectMsgAsync<Stopped>()).ActorRef.Path.Name.Should().Be("watched-child");
    }

    private async Task WatchAsync(IActorRef watcher, IActorRef subject)
    {
        _probe.Send(watcher, new WatchIt(subject));
        await _probe.ExpectMsgAsync<Watching>();
    }

    private sealed record WatchIt(IActorRef Subject);

    private sealed record UnwatchIt(IActorRef Subject);

    private sealed record Stopped(IActorRef ActorRef);

    private sealed record Watching
    {
        public static Watching Instance { get; } = new();
    }

    private sealed record Unwatched
    {
        public static Unwatched Instance { get; } = new();
    }

    /// <summary>
    /// Watches and unwatches on command; reports every <see cref="Terminated"/> it handles to the probe as a
    /// <see cref="Stopped"/> (a forwarded <see cref="Terminated"/> would be dropped: only the watcher's own is delivered).
    /// </summary>
    private sealed class Watcher : ReceiveActor
    {
        public Watcher(IActorRef probe)
        {
            Receive<WatchIt>(m =>
            {
                Context.Watch(m.Subject);
                Sender.Tell(Watching.Instance);
            });
            Receive<UnwatchIt>(m =>
            {
                Context.Unwatch(m.Subject);
                Sender.Tell(Unwatched.Instance);
            });
            Receive<Terminated>(t => probe.Tell(new Stopped(t.ActorRef)));
            Receive<string>(s => probe.Tell(s));
            Receive<Ping>(_ => Sender.Tell(Pong.Instance));
            ReceiveAsync<AwaitGate>(async gate =>
            {
                Sender.Tell(GateEntered.Instance);
                await gate.Gate;
            });
        }
    }

    private sealed class LastWords : ReceiveActor
    {
        private readonly IActorRef _listener;

        public LastWords(IActorRef listener)
        {
            _listener = listener;
        }

        protected override void PostStop() => _listener.Tell("last words");
    }

    private sealed class WatchingParent : ReceiveActor
    {
        public WatchingParent(IActorRef probe)
        {
            var child = Context.Watch(Context.ActorOf(Props.Create<EchoActor>(), "watched-child"));
            Receive<string>(_ => Context.Stop(child));
            Receive<Terminated>(t => probe.Tell(new Stopped(t.ActorRef)));
        }
    }
}
