namespace Defuss.Tests.Kernel;

using Defuss.Actors;
using Defuss.Actors.TestKit;
using Defuss.Tests.TestSupport;

public sealed class ActorSystemTests : TestKit
{
    [Fact]
    public async Task Terminate_ActorTree_StopsEveryActorChildrenBeforeParents()
    {
        var events = new EventLog();
        Sys.ActorOf(Props.Create(() => new Node("a", events, 3)), "a");
        Sys.ActorOf(Props.Create(() => new Node("b", events, 2)), "b");
        await events.WaitForAsync(Hook.PreStart, 5);

        await Sys.Terminate().WaitAsync(TestTimeouts.Default);

        var stops = events.Snapshot().Where(e => e.Hook == Hook.PostStop).Select(e => e.Actor).ToList();
        stops.Should().BeEquivalentTo(["a", "a.0", "a.0.0", "b", "b.0"]);
        stops.IndexOf("a.0.0").Should().BeLessThan(stops.IndexOf("a.0"));
        stops.IndexOf("a.0").Should().BeLessThan(stops.IndexOf("a"));
        stops.IndexOf("b.0").Should().BeLessThan(stops.IndexOf("b"));
        Sys.WhenTerminated.IsCompletedSuccessfully.Should().BeTrue();
    }

    [Fact]
    public async Task Terminate_SlowPostStop_CompletesOnlyAfterEveryPostStopRan()
    {
        var events = new EventLog();
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var blocked = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Sys.ActorOf(Props.Create(() => new Node("slow", events, 2, blocked, gate.Task)), "slow");
        Sys.ActorOf(Props.Create(() => new Node("fast", events, 1)), "fast");
        await events.WaitForAsync(Hook.PreStart, 3);

        var termination = Sys.Terminate();
        await blocked.Task.WaitAsync(TestTimeouts.Default);

        var early = () => termination.WaitAsync(TestTimeouts.NoMessage);
        await early.Should().ThrowAsync<TimeoutException>("a PostStop is still running");
        gate.SetResult();
        await termination.WaitAsync(TestTimeouts.Default);
        events.Snapshot().Where(e => e.Hook == Hook.PostStop).Select(e => e.Actor)
            .Should().BeEquivalentTo(["slow", "slow.0", "fast"]);
    }

    [Fact]
    public async Task Terminate_CalledTwice_ReturnsTheSameTask()
    {
        var first = Sys.Terminate();
        var second = Sys.Terminate();

        second.Should().BeSameAs(first);
        second.Should().BeSameAs(Sys.WhenTerminated);
        await first.WaitAsync(TestTimeouts.Default);
    }

    [Fact]
    public async Task Terminate_StopsTestProbesToo()
    {
        var probe = CreateTestProbe();
        var observer = Sys.ActorOf(Props.Create<EchoActor>());

        await Sys.Terminate().WaitAsync(TestTimeouts.Default);
        var before = Sys.DeadLetterCount;
        probe.Tell("after the end");
        observer.Tell("after the end");

        Sys.DeadLetterCount.Should().Be(before + 2);
    }

    [Fact]
    public async Task ActorOf_AfterTerminate_ThrowsInvalidOperationException()
    {
        await Sys.Terminate().WaitAsync(TestTimeouts.Default);

        var act = () => Sys.ActorOf(Props.Create<EchoActor>());

        act.Should().Throw<InvalidOperationException>().WithMessage("*'test' has been terminated*");
    }

    [Theory]
    [InlineData("")]
    [InlineData("a/b")]
    [InlineData("$reserved")]
    public void ActorOf_InvalidName_ThrowsInvalidActorNameException(string name)
    {
        var act = () => Sys.ActorOf(Props.Create<EchoActor>(), name);

        act.Should().Throw<InvalidActorNameException>().WithMessage($"Actor name '{name}' is invalid*");
    }

    [Fact]
    public void ActorOf_DuplicateName_ThrowsInvalidActorNameException()
    {
        Sys.ActorOf(Props.Create<EchoActor>(), "twin");

        var act = () => Sys.ActorOf(Props.Create<EchoActor>(), "twin");

        act.Should().Throw<InvalidActorNameException>().WithMessage("An actor named 'twin' already exists under /user.");
    }

    [Fact]
    public void ActorOf_WithoutName_GeneratesDistinctNames()
    {
        var first = Sys.ActorOf(Props.Create<EchoActor>());
        var second = Sys.ActorOf(Props.Create<EchoActor>());

        first.Path.Name.Should().StartWith("$");
        second.Path.Name.Should().StartWith("$").And.NotBe(first.Path.Name);
    }

    [Fact]
    public async Task ActorOf_Named_LivesUnderUser()
    {
        var echo = Sys.ActorOf(Props.Create<EchoActor>(), "echo");

        echo.Path.ToString().Should().Be("/user/echo");
        (await echo.Ask<string>("hi", TestTimeouts.AskNever).WaitAsync(TestTimeouts.Default)).Should().Be("hi");
    }

    [Fact]
    public void Stop_TopLevelActor_StopsIt()
    {
        var probe = CreateTestProbe();
        var echo = Sys.ActorOf(Props.Create<EchoActor>());
        probe.Watch(echo);

        Sys.Stop(echo);

        probe.ExpectTerminated(echo);
    }

    [Fact]
    public void DeadLetters_Tell_CountsADeadLetter()
    {
        Sys.DeadLetters.Tell("lost");

        Sys.DeadLetterCount.Should().Be(1);
        Sys.DeadLetters.Path.ToString().Should().Be("/deadLetters");
    }

    [Fact]
    public void Settings_FromTheTestKit_UseTheManualClock()
    {
        Sys.TimeProvider.Should().BeSameAs(Clock);
        Sys.Name.Should().Be("test");
    }

    [Fact]
    public async Task Create_DefaultSettings_UsesTheSystemClock()
    {
        var system = ActorSystem.Create("defaults");
        await using (system)
        {
            system.TimeProvider.Should().BeSameAs(TimeProvider.System);
            system.ToString().Should().Be("ActorSystem(defaults)");
        }

        system.WhenTerminated.IsCompletedSuccessfully.Should().BeTrue();
    }

    [Theory]
    [InlineData("has space")]
    [InlineData("slash/")]
    [InlineData("dot.ted")]
    public void Create_InvalidName_ThrowsArgumentException(string name)
    {
        var act = () => ActorSystem.Create(name);

        act.Should().Throw<ArgumentException>().WithMessage($"*'{name}'*");
    }

    /// <summary>Hooks recorded from several actors, in the order they ran.</summary>
    private sealed class EventLog
    {
        private readonly List<LifecycleEvent> _events = [];
        private readonly List<(Hook Hook, int Count, TaskCompletionSource Reached)> _waiters = [];

        public void Add(LifecycleEvent e)
        {
            lock (_events)
            {
                _events.Add(e);
                foreach (var waiter in _waiters.Where(w => _events.Count(x => x.Hook == w.Hook) >= w.Count))
                {
                    waiter.Reached.TrySetResult();
                }
            }
        }

        public IReadOnlyList<LifecycleEvent> Snapshot()
        {
            lock (_events)
            {
                return [.. _events];
            }
        }

        public Task WaitForAsync(Hook hook, int count)
        {
            var reached = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            lock (_events)
            {
                if (_events.Count(e => e.Hook == hook) >= count)
                {
                    return Task.CompletedTask;
                }

                _waiters.Add((hook, count, reached));
            }

            return reached.Task.WaitAsync(TestTimeouts.Default);
        }
    }

    /// <summary>Starts a chain of <c>depth</c> actors; the top one can block in PostStop until a gate opens.</summary>
    private sealed class Node : ReceiveActor
    {
        private readonly string _name;
        private readonly EventLog _events;
        private readonly TaskCompletionSource? _blocked;
        private readonly Task? _gate;

        public Node(string name, EventLog events, int depth, TaskCompletionSource? blocked = null, Task? gate = null)
        {
            _name = name;
            _events = events;
            _blocked = blocked;
            _gate = gate;
            if (depth > 1)
            {
                Context.ActorOf(Props.Create(() => new Node(name + ".0", events, depth - 1, null, null)), "n");
            }
        }

        protected override void PreStart() => _events.Add(new LifecycleEvent(_name, Hook.PreStart, 1));

        protected override void PostStop()
        {
            if (_gate is not null)
            {
                _blocked!.SetResult();
                _gate.Wait(TestTimeouts.Default);
            }

            _events.Add(new LifecycleEvent(_name, Hook.PostStop, 1));
        }
    }
}
