using Akka.Actor;
using Defuss.Actors.Routing;
using Defuss.Tests.TestSupport;

namespace Defuss.Tests.Routing;

public sealed class PowerOfTwoChoicesRouterTests : ActorTest
{
    private IActorRef Router(params int[] draws)
    {
        var queue = new Queue<int>(draws);
        return Sys.ActorOf(Props.Create(() => new PowerOfTwoChoicesRouter(n => queue.Dequeue() % n)))
            .WithBackends(Routers.Candidate(0), Routers.Candidate(1), Routers.Candidate(2), Routers.Candidate(3));
    }

    [Fact]
    public async Task ChooseBackend_OnATie_TakesTheFirstDraw()
    {
        (await Router(2, 0).ChooseIdAsync()).Should().Be("worker-2");
    }

    [Fact]
    public async Task ChooseBackend_TakesTheDrawWithFewerConnections()
    {
        // Pairs (1, 3), (3, 0), (1, 0): the third pair sets busy worker-1 against idle worker-0.
        var router = Router(1, 2, 3, 0, 1, 0);

        (await router.ChooseIdAsync()).Should().Be("worker-1");
        (await router.ChooseIdAsync()).Should().Be("worker-3");
        (await router.ChooseIdAsync()).Should().Be("worker-0");
    }

    [Fact]
    public async Task ChooseBackend_SecondDrawAtOrAfterTheFirst_SkipsTheFirst()
    {
        // Both draws 0 each time: the pair is (worker-0, worker-1), never worker-0 twice.
        var router = Router(0, 0, 0, 0);

        (await router.ChooseIdAsync()).Should().Be("worker-0");
        (await router.ChooseIdAsync()).Should().Be("worker-1");
    }

    [Fact]
    public async Task ChooseBackend_WithOneCandidate_NeedsNoDraw()
    {
        Func<int, int> noDraw = _ => throw new InvalidOperationException("no draw");
        var router = Sys.ActorOf(Props.Create(() => new PowerOfTwoChoicesRouter(noDraw))).WithBackends(Routers.Candidate(0));

        (await router.ChooseIdAsync()).Should().Be("worker-0");
        (await router.StatsAsync()).StrategyFailures.Should().Be(0);
    }
}
