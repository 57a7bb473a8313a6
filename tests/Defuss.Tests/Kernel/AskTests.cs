namespace Defuss.Tests.Kernel;

using Defuss.Actors;
using Defuss.Actors.TestKit;
using Defuss.Tests.TestSupport;

public sealed class AskTests : TestKit
{
    private static readonly TimeSpan AskTimeout = TimeSpan.FromSeconds(5);

    [Fact]
    public async Task Ask_TargetReplies_ReturnsTheReply()
    {
        var echo = Sys.ActorOf(Props.Create<EchoActor>());

        var reply = await echo.Ask<string>("hello", AskTimeout).WaitAsync(TestTimeouts.Default);

        reply.Should().Be("hello");
    }

    [Fact]
    public async Task AskInline_TheCallersContinuationRunsInsideTheRepliersTell()
    {
        var replier = new ReplyMarks();
        var actor = Sys.ActorOf(Props.Create(() => new ReplyThenMark(replier)));

        var ask = actor.AskInline<string>("question", AskTimeout);
        var observed = ask.ContinueWith(t => (t.Result, replier.MarkedBeforeContinuation), TaskContinuationOptions.ExecuteSynchronously);
        replier.LetReply();
        var reply = await observed.WaitAsync(TestTimeouts.Default);

        reply.Result.Should().Be("answer");
        reply.MarkedBeforeContinuation.Should().BeFalse("the continuation ran on the actor's thread, before its handler went on after Tell");
    }

    [Fact]
    public async Task Ask_TheCallersContinuationNeverRunsInsideTheRepliersTell()
    {
        var replier = new ReplyMarks { HoldAfterTell = true };
        var actor = Sys.ActorOf(Props.Create(() => new ReplyThenMark(replier)));

        var ask = actor.Ask<string>("question", AskTimeout);
        var observed = ask.ContinueWith(t => (t.Result, replier.MarkedBeforeContinuation), TaskContinuationOptions.ExecuteSynchronously);
        replier.LetReply();
        var reply = await observed.WaitAsync(TestTimeouts.Default);

        reply.MarkedBeforeContinuation.Should().BeTrue("an ordinary ask's continuation runs elsewhere, so the handler is never held up by it");
    }

    [Fact]
    public async Task Ask_TargetRepliesFromAnAsyncHandler_ReturnsTheReply()
    {
        var actor = Sys.ActorOf(Props.Create<Answerer>());

        var reply = await actor.Ask<int>(41, AskTimeout).WaitAsync(TestTimeouts.Default);

        reply.Should().Be(42);
    }

    [Fact]
    public async Task Ask_StatusFailureReply_ThrowsTheCause()
    {
        var actor = Sys.ActorOf(Props.Create<Answerer>());

        var ask = () => actor.Ask<string>(new Refuse("not today"), AskTimeout).WaitAsync(TestTimeouts.Default);

        await ask.Should().ThrowExactlyAsync<InvalidOperationException>().WithMessage("not today");
    }

    [Fact]
    public async Task Ask_ReplyOfTheWrongType_ThrowsInvalidCastExceptionNamingBothTypes()
    {
        var echo = Sys.ActorOf(Props.Create<EchoActor>(), "echo");

        var ask = () => echo.Ask<int>("not a number", AskTimeout).WaitAsync(TestTimeouts.Default);

        await ask.Should().ThrowExactlyAsync<InvalidCastException>()
            .WithMessage("Ask to /user/echo expected a Int32 reply to String but got a String.");
    }

    [Fact]
    public async Task Ask_NoReplyWithinTheTimeout_ThrowsAskTimeoutExceptionOnTheManualClock()
    {
        var silent = Sys.ActorOf(Props.Create<Answerer>(), "silent");
        var ask = silent.Ask<string>(Ignore.Instance, AskTimeout);

        Clock.Advance(AskTimeout - TimeSpan.FromTicks(1));
        Clock.ActiveTimers.Should().Be(1, "the ask's timeout has not been reached");
        ask.IsCompleted.Should().BeFalse();
        Clock.Advance(TimeSpan.FromTicks(1));

        var act = () => ask.WaitAsync(TestTimeouts.Default);
        await act.Should().ThrowExactlyAsync<AskTimeoutException>().WithMessage("Ask to /user/silent timed out after 5000 ms*");
    }

    [Fact]
    public async Task Ask_TargetStopsWhileHandlingTheQuestion_FailsFastWithAskTargetTerminatedException()
    {
        var actor = Sys.ActorOf(Props.Create<Answerer>(), "quitter");

        var ask = () => actor.Ask<string>(StopInstead.Instance, TestTimeouts.AskNever).WaitAsync(TestTimeouts.Default);

        await ask.Should().ThrowExactlyAsync<AskTargetTerminatedException>().WithMessage("/user/quitter stopped before it replied*");
    }

    [Fact]
    public async Task Ask_TargetAlreadyStopped_FailsFastWithAskTargetTerminatedException()
    {
        var probe = CreateTestProbe();
        var echo = Sys.ActorOf(Props.Create<EchoActor>());
        probe.Watch(echo);
        Sys.Stop(echo);
        probe.ExpectTerminated(echo);

        var ask = () => echo.Ask<string>("anyone?", TestTimeouts.AskNever).WaitAsync(TestTimeouts.Default);

        await ask.Should().ThrowExactlyAsync<AskTargetTerminatedException>();
    }

    [Fact]
    public async Task Ask_TargetIsNotALocalActor_FailsWithAskTargetTerminatedException()
    {
        var ask = () => ActorRefs.Nobody.Ask<string>("anyone?", TestTimeouts.AskNever).WaitAsync(TestTimeouts.Default);

        await ask.Should().ThrowExactlyAsync<AskTargetTerminatedException>();
    }

    [Fact]
    public async Task Ask_TokenCancelled_ThrowsOperationCanceledException()
    {
        var silent = Sys.ActorOf(Props.Create<Answerer>());
        using var cancellation = new CancellationTokenSource();
        var ask = silent.Ask<string>(Ignore.Instance, TestTimeouts.AskNever, cancellation.Token);

        await cancellation.CancelAsync();

        var act = () => ask.WaitAsync(TestTimeouts.Default);
        await act.Should().ThrowAsync<OperationCanceledException>();
    }

    [Fact]
    public async Task Ask_NonPositiveTimeout_ThrowsArgumentOutOfRangeException()
    {
        var echo = Sys.ActorOf(Props.Create<EchoActor>());

        var ask = () => echo.Ask<string>("hello", TimeSpan.Zero).WaitAsync(TestTimeouts.Default);

        await ask.Should().ThrowAsync<ArgumentOutOfRangeException>();
    }

    [Fact]
    public async Task Ask_ProbeAsTarget_ProbeCanReply()
    {
        var probe = CreateTestProbe();

        var ask = probe.Ask<string>("question", AskTimeout);
        (await probe.ExpectMsgAsync<string>()).Should().Be("question");
        probe.Reply("answer");

        (await ask.WaitAsync(TestTimeouts.Default)).Should().Be("answer");
    }

    [Fact]
    public async Task GracefulStop_ActorStops_ReturnsTrueOnlyAfterPostStopRan()
    {
        var recorder = new StopRecorder.Signals();
        var actor = Sys.ActorOf(Props.Create(() => new StopRecorder(recorder)));
        await actor.Ask<Pong>(Ping.Instance, AskTimeout).WaitAsync(TestTimeouts.Default);

        var stop = actor.GracefulStop(AskTimeout);
        await recorder.Entered.Task.WaitAsync(TestTimeouts.Default);

        var early = () => stop.WaitAsync(TestTimeouts.NoMessage);
        await early.Should().ThrowAsync<TimeoutException>("PostStop is still running");
        recorder.Release.SetResult();
        (await stop.WaitAsync(TestTimeouts.Default)).Should().BeTrue();
        recorder.Finished.Should().BeTrue();
    }

    [Fact]
    public async Task GracefulStop_ActorDoesNotStopWithinTheTimeout_ReturnsFalse()
    {
        var probe = CreateTestProbe();
        var actor = Sys.ActorOf(LifecycleActor.Props("a", probe, new Counter()));
        await probe.ExpectHookAsync("a", Hook.PreStart, 1);
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        probe.Send(actor, new AwaitGate(gate.Task));
        await probe.ExpectMsgAsync<GateEntered>();

        var stop = actor.GracefulStop(AskTimeout);
        Clock.Advance(AskTimeout);

        (await stop.WaitAsync(TestTimeouts.Default)).Should().BeFalse();
        gate.SetResult();
        await probe.ExpectMsgAsync<GateLeft>();
        await probe.ExpectHookAsync("a", Hook.PostStop, 1);
    }

    [Fact]
    public async Task GracefulStop_ActorAlreadyStopped_ReturnsTrue()
    {
        var probe = CreateTestProbe();
        var echo = Sys.ActorOf(Props.Create<EchoActor>());
        probe.Watch(echo);
        Sys.Stop(echo);
        probe.ExpectTerminated(echo);

        var stopped = await echo.GracefulStop(AskTimeout).WaitAsync(TestTimeouts.Default);

        stopped.Should().BeTrue();
    }

    private sealed record Refuse(string Reason);

    private sealed record Ignore
    {
        public static Ignore Instance { get; } = new();
    }

    private sealed record StopInstead
    {
        public static StopInstead Instance { get; } = new();
    }

    /// <summary>Its PostStop signals <see cref="Signals.Entered"/>, then blocks until <see cref="Signals.Release"/> completes.</summary>
    private sealed class StopRecorder : ReceiveActor
    {
        private readonly Signals _signals;

        public StopRecorder(Signals signals)
        {
            _signals = signals;
            Receive<Ping>(_ => Sender.Tell(Pong.Instance));
        }

        protected override void PostStop()
        {
            _signals.Entered.SetResult();
            _signals.Release.Task.Wait(TestTimeouts.Default);
            _signals.Finished = true;
        }

        public sealed class Signals
        {
            public TaskCompletionSource Entered { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

            public TaskCompletionSource Release { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

            public bool Finished { get; set; }
        }
    }

    private sealed class Answerer : ReceiveActor
    {
        public Answerer()
        {
            ReceiveAsync<int>(async i =>
            {
                await Task.Yield();
                Sender.Tell(i + 1);
            });
            Receive<Refuse>(refuse => Sender.Tell(new Status.Failure(new InvalidOperationException(refuse.Reason))));
            Receive<Ignore>(_ => { });
            Receive<StopInstead>(_ => Context.Stop(Self));
        }
    }

    /// <summary>Replies, then marks in <paramref name="marks"/> that its handler went on past the Tell.</summary>
    private sealed class ReplyThenMark : ReceiveActor
    {
        public ReplyThenMark(ReplyMarks marks)
        {
            Receive<string>(_ =>
            {
                // Only once the asker's continuation is attached, so that the reply completes a task someone waits on.
                marks.WaitUntilLetReply();
                Sender.Tell("answer");
                marks.Mark();
            });
        }
    }

    /// <summary>What the asker's continuation reads; with <see cref="HoldAfterTell"/> it first waits for the handler.</summary>
    private sealed class ReplyMarks
    {
        private readonly TaskCompletionSource _continued = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly TaskCompletionSource _letReply = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public void LetReply() => _letReply.TrySetResult();

        public void WaitUntilLetReply() => _ = _letReply.Task.Wait(TestTimeouts.Default);
        private volatile bool _marked;

        public bool HoldAfterTell { get; init; }

        public bool MarkedBeforeContinuation
        {
            get
            {
                if (HoldAfterTell)
                {
                    // An ordinary ask's continuation runs on another thread, so it can wait for the handler to go on.
                    _ = _continued.Task.Wait(TestTimeouts.Default);
                }

                return _marked;
            }
        }

        public void Mark()
        {
            _marked = true;
            _continued.TrySetResult();
        }
    }
}
