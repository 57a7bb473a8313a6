namespace Defuss.Tests.Kernel;

using Defuss.Actors;
using Defuss.Actors.TestKit;
using Defuss.Tests.TestSupport;

public sealed partial class SupervisionTests : TestKit
{
    private readonly TestProbe _probe;
    private readonly Counter _incarnations = new();

    public SupervisionTests()
    {
        _probe = CreateTestProbe();
    }

    [Fact]
    public async Task Resume_ChildFails_KeepsTheInstanceAndItsState()
    {
        var child = await StartChildAsync(new OneForOneStrategy(_ => Directive.Resume));
        child.Tell(new Add(5));

        child.Tell(new Boom("resume me"));
        child.Tell(new Add(1));

        var total = await child.Ask<Total>(GetTotal.Instance, TestTimeouts.AskNever).WaitAsync(TestTimeouts.Default);
        total.Should().Be(new Total(6, Incarnation: 1));
    }

    [Fact]
    public async Task Restart_ChildFails_BuildsANewInstanceWithFreshStateAndDropsTheFailedMessage()
    {
        var child = await StartChildAsync(SupervisorStrategy.DefaultStrategy);
        child.Tell(new Add(5));

        child.Tell(new Boom("restart me"));

        var total = await child.Ask<Total>(GetTotal.Instance, TestTimeouts.AskNever).WaitAsync(TestTimeouts.Default);
        total.Should().Be(new Total(0, Incarnation: 2), "one restart, and the failed message is not handled again");
        await _probe.ExpectRestartAsync("child", from: 1);
        await _probe.FlushAsync(child);
    }

    [Fact]
    public async Task Restart_MessagesQueuedBehindTheFailure_AreHandledByTheNewInstance()
    {
        var child = await StartChildAsync(SupervisorStrategy.DefaultStrategy);
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _probe.Send(child, new AwaitGate(gate.Task, FailWith: "fails while others wait"));
        await _probe.ExpectMsgAsync<GateEntered>();
        child.Tell(new Add(2));
        child.Tell(new Add(3));

        gate.SetResult();

        await _probe.ExpectRestartAsync("child", from: 1);
        var total = await child.Ask<Total>(GetTotal.Instance, TestTimeouts.AskNever).WaitAsync(TestTimeouts.Default);
        total.Should().Be(new Total(5, Incarnation: 2));
    }

    [Fact]
    public async Task Restart_ChildFails_RunsPreRestartAndPostStopOnTheOldThenPostRestartAndPreStartOnTheNew()
    {
        var child = await StartChildAsync(SupervisorStrategy.DefaultStrategy);
        var boom = new Boom("hooks");

        child.Tell(boom);

        var preRestart = await _probe.ExpectHookAsync("child", Hook.PreRestart, 1);
        preRestart.Reason.Should().BeOfType<TestFailureException>().Which.Message.Should().Be("hooks");
        preRestart.Message.Should().BeSameAs(boom);
        await _probe.ExpectHookAsync("child", Hook.PostStop, 1);
        var postRestart = await _probe.ExpectHookAsync("child", Hook.PostRestart, 2);
        postRestart.Reason.Should().BeSameAs(preRestart.Reason);
        await _probe.ExpectHookAsync("child", Hook.PreStart, 2);
    }

    [Fact]
    public async Task Stop_ChildFails_StopsTheChild()
    {
        var child = await StartChildAsync(new OneForOneStrategy(_ => Directive.Stop));
        _probe.Watch(child);

        child.Tell(new Boom("stop me"));

        await _probe.ExpectHookAsync("child", Hook.PostStop, 1);
        _probe.ExpectTerminated(child);
    }

    [Fact]
    public async Task Escalate_ChildFails_FailsTheSupervisorWithTheSameException()
    {
        var supervisorIncarnations = new Counter();
        var supervisor = Sys.ActorOf(Props.Create(() => new SupervisorActor(
            new OneForOneStrategy(_ => Directive.Escalate),
            LifecycleActor.Props("child", _probe, _incarnations),
            _probe,
            supervisorIncarnations)));
        var child = await supervisor.Ask<IActorRef>(GetChild.Instance, TestTimeouts.AskNever).WaitAsync(TestTimeouts.Default);
        await _probe.ReceiveAsync<LifecycleEvent>(2);

        child.Tell(new Boom("escalate me"));

        var events = await _probe.ReceiveAsync<LifecycleEvent>(5);
        var preRestart = events.Should().ContainSingle(e => e.Is("supervisor", Hook.PreRestart, 1)).Subject;
        preRestart.Reason.Should().BeOfType<TestFailureException>().Which.Message.Should().Be("escalate me");
        events.Should().Contain(e => e.Is("child", Hook.PostStop, 1), "the restarting supervisor stops its children");
        events.Should().Contain(e => e.Is("supervisor", Hook.PreStart, 2));
        events.Should().Contain(e => e.Is("child", Hook.PreStart, 2));
    }

    [Fact]
    public async Task OneForOneStrategy_RetriesExhaustedWithinTheWindow_StopsTheChild()
    {
        var child = await StartChildAsync(new OneForOneStrategy(2, TimeSpan.FromMinutes(1), _ => Directive.Restart));
        _probe.Watch(child);

        child.Tell(new Boom("1"));
        await _probe.ExpectRestartAsync("child", from: 1);
        Clock.Advance(TimeSpan.FromSeconds(30));
        child.Tell(new Boom("2"));
        await _probe.ExpectRestartAsync("child", from: 2);
        child.Tell(new Boom("3"));

        await _probe.ExpectHookAsync("child", Hook.PostStop, 3);
        _probe.ExpectTerminated(child);
    }

    [Fact]
    public async Task OneForOneStrategy_WindowHasPassed_AllowsRestartsAgain()
    {
        var child = await StartChildAsync(new OneForOneStrategy(1, TimeSpan.FromMinutes(1), _ => Directive.Restart));
        _probe.Watch(child);
        child.Tell(new Boom("1"));
        await _probe.ExpectRestartAsync("child", from: 1);

        Clock.Advance(TimeSpan.FromMinutes(1) + TimeSpan.FromTicks(1));
        child.Tell(new Boom("2"));

        await _probe.ExpectRestartAsync("child", from: 2);
        child.Tell(new Boom("3"));
        await _probe.ExpectHookAsync("child", Hook.PostStop, 3);
        _probe.ExpectTerminated(child);
    }

    [Fact]
    public async Task OneForOneStrategy_ZeroRetries_StopsOnTheFirstFailure()
    {
        var child = await StartChildAsync(new OneForOneStrategy(0, TimeSpan.FromMinutes(1), _ => Directive.Restart));
        _probe.Watch(child);

        child.Tell(new Boom("once"));

        await _probe.ExpectHookAsync("child", Hook.PostStop, 1);
        _probe.ExpectTerminated(child);
    }

    [Fact]
    public async Task ActorOf_ConstructorThrows_ActorInitializationExceptionGoesToTheSupervisorWhichStopsTheChild()
    {
        var strategy = new OneForOneStrategy(exception =>
        {
            _probe.Tell(exception);
            return SupervisorStrategy.DefaultDecider(exception);
        });
        var supervisor = Sys.ActorOf(Props.Create(() => new SupervisorActor(strategy, Props.Create(() => new Unbuildable()), null, null)), "sup");
        var child = await supervisor.Ask<IActorRef>(GetChild.Instance, TestTimeouts.AskNever).WaitAsync(TestTimeouts.Default);

        var failure = await _probe.ExpectMsgAsync<ActorInitializationException>();

        failure.Path.ToString().Should().Be("/user/sup/child");
        failure.InnerException.Should().BeOfType<TestFailureException>().Which.Message.Should().Be("no constructor for you");
        _probe.Watch(child);
        _probe.ExpectTerminated(child);
    }

    [Fact]
    public void ActorOf_TopLevelConstructorThrows_DefaultStrategyStopsTheActor()
    {
        var actor = Sys.ActorOf(Props.Create(() => new Unbuildable()));

        _probe.Watch(actor);

        _probe.ExpectTerminated(actor);
    }

    [Fact]
    public async Task Restart_ActorWithChildren_StopsTheChildrenFirstAndTheNewInstanceRecreatesThemByName()
    {
        var kidIncarnations = new Counter();
        var parent = Sys.ActorOf(Props.Create(() => new ParentWithKid(_probe, _incarnations, kidIncarnations)), "parent");
        var started = await _probe.ReceiveAsync<LifecycleEvent>(2);
        started.Should().Contain(e => e.Is("parent", Hook.PreStart, 1)).And.Contain(e => e.Is("kid", Hook.PreStart, 1));

        parent.Tell(new Boom("restart with children"));

        var events = await _probe.ReceiveAsync<LifecycleEvent>(6);
        var order = events.ToList();
        order.Should().Contain(e => e.Is("kid", Hook.PostStop, 1));
        order.FindIndex(e => e.Is("kid", Hook.PostStop, 1))
            .Should().BeLessThan(order.FindIndex(e => e.Is("parent", Hook.PostRestart, 2)), "the new instance is built once the old children have stopped");
        order.Should().Contain(e => e.Is("kid", Hook.PreStart, 2));
        var children = await parent.Ask<string[]>(ParentWithKid.ListChildren.Instance, TestTimeouts.AskNever).WaitAsync(TestTimeouts.Default);
        children.Should().Equal("/user/parent/kid");
        kidIncarnations.Value.Should().Be(2);
    }

    [Fact]
    public async Task Restart_AfterStoppingAChildThatHadAlreadyStopped_Completes()
    {
        var parent = Sys.ActorOf(Props.Create(() => new CarefulParent(_probe, _incarnations)), "careful");
        await _probe.ExpectMsgAsync<LifecycleEvent>(e => e.Is("kid", Hook.PreStart, 1));
        parent.Tell("stop kid");
        await _probe.ExpectHookAsync("kid", Hook.PostStop, 1);
        (await _probe.ExpectMsgAsync<string>()).Should().Be("kid gone");

        parent.Tell(new Boom("restart after the kid is gone"));

        var afterRestart = await _probe.ReceiveAsync<object>(2);
        afterRestart.Should().Contain("parent restarted").And.Contain(new LifecycleEvent("kid", Hook.PreStart, 2));
    }

    [Fact]
    public async Task Escalate_SupervisorIsResumedByItsOwnSupervisor_ResumesTheFailedChildToo()
    {
        var middle = Props.Create(() => new SupervisorActor(
            new OneForOneStrategy(_ => Directive.Escalate),
            LifecycleActor.Props("child", _probe, _incarnations),
            null,
            null));
        var top = Sys.ActorOf(Props.Create(() => new SupervisorActor(new OneForOneStrategy(_ => Directive.Resume), middle, null, null)));
        var supervisor = await top.Ask<IActorRef>(GetChild.Instance, TestTimeouts.AskNever).WaitAsync(TestTimeouts.Default);
        var child = await supervisor.Ask<IActorRef>(GetChild.Instance, TestTimeouts.AskNever).WaitAsync(TestTimeouts.Default);
        await _probe.ExpectHookAsync("child", Hook.PreStart, 1);
        child.Tell(new Add(5));

        child.Tell(new Boom("escalated, then resumed"));

        var total = await child.Ask<Total>(GetTotal.Instance, TestTimeouts.AskNever).WaitAsync(TestTimeouts.Default);
        total.Should().Be(new Total(5, Incarnation: 1));
        (await supervisor.Ask<IActorRef>(GetChild.Instance, TestTimeouts.AskNever).WaitAsync(TestTimeouts.Default)).Should().BeSameAs(child);
    }

    [Fact]
    public async Task Escalate_SupervisorRestartsButKeepsItsChildren_RestartsTheFailedChild()
    {
        var supervisor = Sys.ActorOf(Props.Create(() => new KeepingSupervisor(LifecycleActor.Props("child", _probe, _incarnations))));
        var child = await supervisor.Ask<IActorRef>(GetChild.Instance, TestTimeouts.AskNever).WaitAsync(TestTimeouts.Default);
        await _probe.ExpectHookAsync("child", Hook.PreStart, 1);
        child.Tell(new Add(5));

        child.Tell(new Boom("escalated, then restarted"));

        await _probe.ExpectRestartAsync("child", from: 1);
        var total = await child.Ask<Total>(GetTotal.Instance, TestTimeouts.AskNever).WaitAsync(TestTimeouts.Default);
        total.Should().Be(new Total(0, Incarnation: 2));
    }

    [Fact]
    public void DefaultDecider_InitializationFailure_Stops()
    {
        var failure = new ActorInitializationException(Sys.DeadLetters.Path, new InvalidOperationException("ctor"));

        SupervisorStrategy.DefaultDecider(failure).Should().Be(Directive.Stop);
        SupervisorStrategy.DefaultDecider(new InvalidOperationException("handler")).Should().Be(Directive.Restart);
    }

    [Fact]
    public void OneForOneStrategy_InvalidArguments_Throw()
    {
        var negativeRetries = () => new OneForOneStrategy(-1, TimeSpan.FromSeconds(1), _ => Directive.Restart);
        var emptyWindow = () => new OneForOneStrategy(1, TimeSpan.Zero, _ => Directive.Restart);
        var noDecider = () => new OneForOneStrategy(null!);

        negativeRetries.Should().Throw<ArgumentOutOfRangeException>();
        emptyWindow.Should().Throw<ArgumentOutOfRangeException>();
        noDecider.Should().Throw<ArgumentNullException>();
    }

    [Fact]
    public void OneForOneStrategy_Budget_IsExposed()
    {
        var bounded = new OneForOneStrategy(3, TimeSpan.FromSeconds(10), _ => Directive.Restart);
        var unbounded = new OneForOneStrategy(_ => Directive.Restart);

        bounded.MaxNrOfRetries.Should().Be(3);
        bounded.WithinTimeRange.Should().Be(TimeSpan.FromSeconds(10));
        unbounded.MaxNrOfRetries.Should().BeNull();
        unbounded.WithinTimeRange.Should().BeNull();
    }

    [Fact]
    public void ChildRestartStats_NoWindow_CountsOverTheWholeLife()
    {
        var stats = new ChildRestartStats();
        var now = Clock.GetUtcNow();

        stats.RequestRestartPermission(2, null, now).Should().BeTrue();
        stats.RequestRestartPermission(2, null, now.AddDays(10)).Should().BeTrue();
        stats.RequestRestartPermission(2, null, now.AddDays(20)).Should().BeFalse();
    }

    private async Task<IActorRef> StartChildAsync(SupervisorStrategy strategy)
    {
        var supervisor = Sys.ActorOf(Props.Create(() => new SupervisorActor(strategy, LifecycleActor.Props("child", _probe, _incarnations), null, null)));
        var child = await supervisor.Ask<IActorRef>(GetChild.Instance, TestTimeouts.AskNever).WaitAsync(TestTimeouts.Default);
        await _probe.ExpectHookAsync("child", Hook.PreStart, 1);
        return child;
    }
}
