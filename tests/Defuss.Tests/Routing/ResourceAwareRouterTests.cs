using Akka.Actor;
using Defuss.Actors.Routing;
using Defuss.Tests.TestSupport;

namespace Defuss.Tests.Routing;

public sealed class ResourceAwareRouterTests : ActorTest
{
    private IActorRef Router(params BackendCandidate[] backends) =>
        Sys.ActorOf(Props.Create(() => new ResourceAwareRouter())).WithBackends(backends);

    [Fact]
    public async Task ChooseBackend_PicksTheLowestScore()
    {
        // Scores: 80 × 2 = 160; 10 × 2 + 90 % heap = 110; 5 × 2 + 25 % heap = 35.
        var router = Router(
            Routers.Candidate(0, stats: Routers.Stats(80, 0, 100)),
            Routers.Candidate(1, stats: Routers.Stats(10, 90, 100)),
            Routers.Candidate(2, stats: Routers.Stats(5, 25, 100)));

        (await router.ChooseIdAsync()).Should().Be("worker-2");
    }

    [Fact]
    public async Task ChooseBackend_CountsTenPointsPerActiveConnection()
    {
        // worker-0 scores 0 + 3 × 10 after three leases; worker-1 scores 12 × 2 = 24.
        var router = Router(Routers.Candidate(0), Routers.Candidate(1, stats: Routers.Stats(12, 0, 0)));

        var chosen = new List<string?>();
        for (var i = 0; i < 4; i++)
        {
            chosen.Add(await router.ChooseIdAsync());
        }

        chosen.Should().Equal("worker-0", "worker-0", "worker-0", "worker-1");
    }

    [Fact]
    public void Score_WithoutStats_IsConnectionsOnly()
    {
        ResourceAwareRouter.Score(Routers.Candidate(0) with { ActiveConnections = 3 }).Should().Be(30);
        ResourceAwareRouter.Score(Routers.Candidate(0, stats: Routers.Stats(50, 1, 4)) with { ActiveConnections = 1 }).Should().Be(10 + 100 + 25);
    }
}
