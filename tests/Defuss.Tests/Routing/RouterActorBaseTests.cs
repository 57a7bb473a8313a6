using Akka.Actor;
using Defuss.Actors.Routing;
using Defuss.Tests.TestSupport;
using Microsoft.Extensions.Logging;

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
        (await router.StatsAsync()).Should().Be(new RouterStats(1, 0));
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
        (await router.StatsAsync()).Should().Be(new RouterStats(2, 2));
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

    private sealed class LambdaRouter(Func<IReadOnlyList<BackendCandidate>, BackendCandidate?> choose) : RouterActorBase
    {
        protected override BackendCandidate? Choose(ParsedRequest request, IReadOnlyList<BackendCandidate> candidates) => choose(candidates);
    }
}
