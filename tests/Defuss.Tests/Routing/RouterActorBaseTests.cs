using System.Collections.Concurrent;
using Akka.Actor;
using Defuss.Actors.Routing;
using Defuss.Tests.TestSupport;
using Microsoft.Extensions.Logging;
using Error = Akka.Event.Error;

namespace Defuss.Tests.Routing;

public sealed class RouterActorBaseTests : ActorTest
{
    private IActorRef Router(Func<IReadOnlyList<BackendCandidate>, BackendCandidate?> choose) =>
        Sys.ActorOf(Props.Create(() => new LambdaRouter(choose)))
            .WithBackends(Routers.Candidate(0), Routers.Candidate(1), Routers.Candidate(2, ready: false));

    [Fact]
    public async Task ChooseBackend_CustomSubclass_SeesReadyCandidatesInIndexOrder()
    {
        IReadOnlyList<BackendCandidate>? seen = null;
        var router = Router(candidates => (seen = candidates)[^1]);

        (await router.ChooseIdAsync()).Should().Be("worker-1");
        seen!.Select(c => c.Id).Should().Equal("worker-0", "worker-1");
        (await router.StatsAsync()).Should().Be(new RouterStats(1, 0) { OpenLeases = 1 });
    }

    [Fact]
    public async Task ChooseBackend_StrategyReturnsNull_RepliesNoBackend()
    {
        (await Router(_ => null).ChooseAsync()).Should().BeSameAs(NoBackend.Instance);
    }

    [Fact]
    public async Task ChooseBackend_StrategyThrows_FallsBackToRoundRobinAndCounts()
    {
        var router = Router(_ => throw new InvalidOperationException("broken strategy"));

        (await router.ChooseIdAsync()).Should().Be("worker-0");
        (await router.ChooseIdAsync()).Should().Be("worker-1");
        (await router.StatsAsync()).Should().Be(new RouterStats(2, 2) { OpenLeases = 2 });
        Logs.Entries.Where(e => e.EventId.Id == 1200).Should().HaveCount(2)
            .And.OnlyContain(e => e.Level == LogLevel.Warning && e.Exception is InvalidOperationException && e.Message.Contains("LambdaRouter"));
    }

    [Fact]
    public async Task ChooseBackend_StrategyReturnsAStranger_FallsBackToRoundRobinAndCounts()
    {
        var router = Router(_ => Routers.Candidate(7));

        (await router.ChooseIdAsync()).Should().Be("worker-0");
        (await router.StatsAsync()).StrategyFailures.Should().Be(1);
        Logs.Entries.Should().ContainSingle(e => e.EventId.Id == 1201 && e.Level == LogLevel.Warning);
    }

    [Fact]
    public async Task ChooseBackend_StrategyReturnsANotReadyBackend_FallsBackToRoundRobin()
    {
        var router = Router(_ => Routers.Candidate(2, ready: false));

        (await router.ChooseIdAsync()).Should().Be("worker-0");
        (await router.StatsAsync()).StrategyFailures.Should().Be(1);
    }

    [Fact]
    public async Task ChooseBackend_StrategyThrows_TellsTheEventsActor()
    {
        var events = CreateTestProbe();
        var router = Router(_ => throw new InvalidOperationException("broken strategy"));
        router.Tell(new RoutingSettings(RouterActorBase.DefaultEjectionPeriod, events));

        (await router.ChooseIdAsync()).Should().Be("worker-0");

        (await events.ExpectMsgAsync<RoutingStrategyFailed>()).Should().Be(new RoutingStrategyFailed("LambdaRouter", RoutingFailureKind.Threw));
    }

    [Fact]
    public async Task ChooseBackend_StrategyReturnsAStranger_TellsTheEventsActorItIsInvalid()
    {
        var events = CreateTestProbe();
        var router = Router(_ => Routers.Candidate(7));
        router.Tell(new RoutingSettings(RouterActorBase.DefaultEjectionPeriod, events));

        (await router.ChooseIdAsync()).Should().Be("worker-0");

        (await events.ExpectMsgAsync<RoutingStrategyFailed>()).Kind.Should().Be(RoutingFailureKind.Invalid);
    }

    [Fact]
    public async Task ChooseBackend_StrategyAnswers_TellsTheEventsActorNothing()
    {
        var events = CreateTestProbe();
        var router = Router(candidates => candidates[0]);
        router.Tell(new RoutingSettings(RouterActorBase.DefaultEjectionPeriod, events));

        (await router.ChooseIdAsync()).Should().Be("worker-0");
        (await router.ChooseAsync()).Should().BeOfType<BackendLease>();

        await events.ExpectNoMsgAsync(TimeSpan.FromMilliseconds(100));
    }

    [Fact]
    public async Task OpenLeases_CountsLeasesUntilReleased_EvenWhenTheirWorkerLeftTheTable()
    {
        var router = Router(candidates => candidates[0]);
        await router.ChooseIdAsync();
        await router.ChooseIdAsync();
        (await router.StatsAsync()).OpenLeases.Should().Be(2);

        router.Tell(new BackendRemoved("worker-0"));
        router.Tell(new ReleaseBackend("worker-0"));
        (await router.StatsAsync()).OpenLeases.Should().Be(1, "a worker that left still had its connection, now ended");
        router.Tell(new ReleaseBackend("worker-0"));
        router.Tell(new ReleaseBackend("worker-0"));

        (await router.StatsAsync()).OpenLeases.Should().Be(0, "a release too many takes nothing below zero");
    }

    [Fact]
    public async Task Restart_AfterAFaultInTheSubclass_KeepsTheRoutingTableTheEjectionsAndTheSettings()
    {
        var events = CreateTestProbe();
        var failures = CreateTestProbe();
        Sys.EventStream.Subscribe(failures.Ref, typeof(Error));
        var steering = new Steering();
        var router = Sys.ActorOf(Props.Create(() => new CrashingRouter(steering)))
            .WithBackends(Routers.Candidate(0), Routers.Candidate(1), Routers.Candidate(2), Routers.Candidate(3));
        router.Tell(new RoutingSettings(TimeSpan.FromMinutes(1), events));
        (await router.ChooseIdAsync()).Should().Be("worker-0");
        (await router.ChooseIdAsync()).Should().Be("worker-0");
        router.Tell(new BackendConnectFailed("worker-1", "connection refused"));

        router.Tell("a fault in the subclass");

        (await failures.FishForMessageAsync<Error>(e => e.Cause is InvalidOperationException { Message: "a fault in the subclass" }))
            .LogSource.Should().Contain(router.Path.Name);
        var lease = (BackendLease)await router.ChooseAsync();
        steering.Instances.Should().Be(2, "the router was restarted");
        lease.Backend.Id.Should().Be("worker-0");
        lease.Backend.ActiveConnections.Should().Be(3, "the two connections leased before the restart are still open");
        steering.Offered.Last().Select(c => c.Id).Should().Equal(["worker-0", "worker-2", "worker-3"], "worker-1 is still ejected");

        // Ejected after the restart for the period the settings gave before it: one minute, not the default ten seconds.
        router.Tell(new BackendConnectFailed("worker-2", "connection refused"));
        await router.HandledAsync();
        Clock.Advance(TimeSpan.FromSeconds(30));
        (await router.ChooseIdAsync()).Should().Be("worker-0");
        steering.Offered.Last().Select(c => c.Id).Should().Equal(["worker-0", "worker-3"]);

        (await router.ChooseIdAsync(Routers.Http(CrashingRouter.FailHeader, "throw"))).Should().NotBeNull();
        (await events.ExpectMsgAsync<BackendEjected>()).Should().Be(new BackendEjected("worker-1", "connection refused"), "each ejection is told to the events actor, which counts it");
        (await events.ExpectMsgAsync<BackendEjected>()).Id.Should().Be("worker-2");
        (await events.ExpectMsgAsync<RoutingStrategyFailed>()).Should().Be(new RoutingStrategyFailed(nameof(CrashingRouter), RoutingFailureKind.Threw));
        (await router.StatsAsync()).Should().Be(new RouterStats(5, 1) { OpenLeases = 5 }, "the counters count on across the restart");
    }

    private sealed class LambdaRouter(Func<IReadOnlyList<BackendCandidate>, BackendCandidate?> choose) : RouterActorBase
    {
        protected override BackendCandidate? Choose(ParsedRequest request, IReadOnlyList<BackendCandidate> candidates) => choose(candidates);
    }

    /// <summary>What <see cref="CrashingRouter"/> shares with the test across its instances.</summary>
    private sealed class Steering
    {
        private int _instances;

        /// <summary>How many instances of the router were created: one more with each restart.</summary>
        public int Instances => Volatile.Read(ref _instances);

        /// <summary>The candidates the strategy was offered, one list per connection, oldest first.</summary>
        public ConcurrentQueue<BackendCandidate[]> Offered { get; } = new();

        public void Created() => Interlocked.Increment(ref _instances);
    }

    /// <summary>
    /// A router that picks the first candidate (or throws for a request with <see cref="FailHeader"/>), and fails on any
    /// text message: a fault in a subclass's own handler, which restarts the actor.
    /// </summary>
    private sealed class CrashingRouter : RouterActorBase
    {
        public const string FailHeader = "X-Fail";

        private readonly Steering _steering;

        public CrashingRouter(Steering steering)
        {
            _steering = steering;
            _steering.Created();
            Receive<string>(fault => throw new InvalidOperationException(fault));
        }

        protected override BackendCandidate? Choose(ParsedRequest request, IReadOnlyList<BackendCandidate> candidates)
        {
            _steering.Offered.Enqueue([.. candidates]);
            return request.GetHeader(FailHeader) is null ? candidates[0] : throw new InvalidOperationException("broken strategy");
        }
    }
}
