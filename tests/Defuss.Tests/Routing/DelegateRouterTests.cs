using Akka.Actor;
using Defuss.Actors.Routing;
using Defuss.Tests.TestSupport;

namespace Defuss.Tests.Routing;

public sealed class DelegateRouterTests : ActorTest
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMilliseconds(100);

    private IActorRef Router(Func<RoutingContext, ValueTask<BackendCandidate?>> strategy) =>
        Sys.ActorOf(Props.Create(() => new DelegateRouter(strategy, Timeout)))
            .WithBackends(Routers.Candidate(0), Routers.Candidate(1), Routers.Candidate(2));

    /// <summary>
    /// A delegate that never answers, and completes <paramref name="called"/> when the router calls it: by then the
    /// router has armed its routing timeout, so the test may advance the clock.
    /// </summary>
    private static Func<RoutingContext, ValueTask<BackendCandidate?>> NeverAnswers(TaskCompletionSource called)
    {
        var never = new TaskCompletionSource<BackendCandidate?>(TaskCreationOptions.RunContinuationsAsynchronously);
        return _ =>
        {
            called.TrySetResult();
            return new(never.Task);
        };
    }

    [Fact]
    public async Task ChooseBackend_SyncDelegate_PicksItsCandidate()
    {
        var router = Router(context => new(context.Candidates[context.Candidates.Count - 1]));

        (await router.ChooseIdAsync()).Should().Be("worker-2");
    }

    [Fact]
    public async Task ChooseBackend_AsyncDelegate_SeesTheRequestAndConnectionNumbers()
    {
        var numbers = new List<long>();
        var router = Router(async context =>
        {
            await Task.Yield();
            numbers.Add(context.ConnectionNumber);
            return context.Candidates.Single(c => c.Id == context.Request.GetHeader("X-Worker"));
        });

        (await router.ChooseIdAsync(Routers.Http("X-Worker", "worker-1"))).Should().Be("worker-1");
        (await router.ChooseIdAsync(Routers.Http("X-Worker", "worker-0"))).Should().Be("worker-0");
        numbers.Should().Equal(1, 2);
    }

    [Fact]
    public async Task ChooseBackend_DelegateNeverAnswers_FallsBackToRoundRobinAfterTheTimeout()
    {
        var called = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var router = Router(NeverAnswers(called));

        var answer = router.ChooseIdAsync();
        await called.Task.WaitAsync(TestTimeouts.Default);
        answer.IsCompleted.Should().BeFalse();
        Clock.Advance(Timeout);

        (await answer.WaitAsync(TestTimeouts.Default)).Should().Be("worker-0");
        (await router.StatsAsync()).StrategyFailures.Should().Be(1);
    }

    [Fact]
    public async Task ChooseBackend_DelegateNeverAnswers_TellsTheEventsActorItTimedOut()
    {
        var events = CreateTestProbe();
        var called = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var router = Router(NeverAnswers(called));
        router.Tell(new RoutingSettings(RouterActorBase.DefaultEjectionPeriod, events));

        var answer = router.ChooseIdAsync();
        await called.Task.WaitAsync(TestTimeouts.Default);
        Clock.Advance(Timeout);

        (await answer.WaitAsync(TestTimeouts.Default)).Should().Be("worker-0");
        (await events.ExpectMsgAsync<RoutingStrategyFailed>()).Should().Be(new RoutingStrategyFailed("DelegateRouter", RoutingFailureKind.TimedOut));
    }

    [Fact]
    public async Task ChooseBackend_AsyncDelegateThrows_FallsBackToRoundRobin()
    {
        var router = Router(async _ =>
        {
            await Task.Yield();
            throw new InvalidOperationException("broken delegate");
        });

        (await router.ChooseIdAsync()).Should().Be("worker-0");
        (await router.StatsAsync()).StrategyFailures.Should().Be(1);
    }
}
